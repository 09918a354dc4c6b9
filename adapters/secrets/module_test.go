package secrets_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/secret"
)

// isolateAWSEnv points the SDK's default chain at static test credentials and away from the
// machine's own AWS configuration and instance metadata. It uses t.Setenv, so callers are not
// parallel.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIDENV",
		"AWS_SECRET_ACCESS_KEY":       "SECRETENV",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_ENDPOINT_URL":            "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_MAX_ATTEMPTS":            "1",
	} {
		t.Setenv(k, v)
	}
}

type graphOut struct {
	fx.In

	Provider secret.Provider
	Checks   []observe.HealthChecker `group:"health"`
}

func populate(t *testing.T, opts ...fx.Option) graphOut {
	t.Helper()
	var out graphOut
	app := fxtest.New(t, append(opts, secrets.Module, fx.Populate(&out))...)
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return out
}

func TestModuleEnvSource(t *testing.T) {
	t.Parallel()
	out := populate(t,
		fx.Supply(secrets.Config{Source: "env"}),
		fx.Supply(secrets.LookupFunc(func(name string) (string, bool) { return "dev-" + name, true })),
	)
	if _, ok := out.Provider.(*secrets.EnvProvider); !ok {
		t.Errorf("provider is %T, want *secrets.EnvProvider", out.Provider)
	}
	if got := mustGet(t, out.Provider, "OPENAI_API_KEY"); got != "dev-OPENAI_API_KEY" {
		t.Errorf("Get = %q", got)
	}
	if len(out.Checks) != 1 || out.Checks[0].Name() != "secrets" || out.Checks[0].Critical() {
		t.Fatalf("health group = %v, want one non-critical check named secrets", out.Checks)
	}
	// The env provider has no store to reach: /health shows "not_configured", not "ok".
	if err := out.Checks[0].Check(t.Context()); !errors.Is(err, observe.ErrNotConfigured) {
		t.Errorf("env health: %v, want observe.ErrNotConfigured", err)
	}
}

func TestModuleRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []fx.Option
		want string
	}{
		{"invalid config", []fx.Option{fx.Supply(secrets.Config{Source: "vault"})}, "source"},
		{"env source without lookup", []fx.Option{fx.Supply(secrets.Config{})}, "LookupFunc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p secret.Provider
			err := fx.New(append(tc.opts, fx.NopLogger, secrets.Module, fx.Populate(&p))...).Err()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("fx.New error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestModuleGraphIsValid(t *testing.T) {
	t.Parallel()
	err := fx.ValidateApp(
		fx.NopLogger,
		fx.Supply(secrets.Config{}),
		fx.Supply(secrets.LookupFunc(func(string) (string, bool) { return "", false })),
		secrets.Module,
		fx.Invoke(func(secret.Provider, graphOut) {}),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// Not parallel: uses t.Setenv. NewAWS builds the client through the SDK's default chain; the
// module picks it for Source "aws" and its health check reports the last fetch.
func TestNewAWSAndModuleAWSSource(t *testing.T) {
	isolateAWSEnv(t)
	fake := newFakeSM(t)
	fake.put("Oslira/staging/OPENAI_API_KEY", canary)
	cfg := secrets.Config{Source: "aws", Env: "staging", Region: "eu-central-1", Endpoint: fake.srv.URL}

	prov, err := secrets.NewAWS(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewAWS: %v", err)
	}
	if got := mustGet(t, prov, "OPENAI_API_KEY"); got != canary {
		t.Errorf("Get = %q", got)
	}
	auth := fake.authHeaders()
	if len(auth) != 1 || !strings.HasPrefix(auth[0], "AWS4-HMAC-SHA256 Credential=AKIDENV/") ||
		!strings.Contains(auth[0], "/eu-central-1/secretsmanager/") {
		t.Errorf("Authorization = %q, want SigV4 with the env credentials in eu-central-1", auth)
	}
	if _, err := secrets.NewAWS(context.Background(), secrets.Config{Source: "env"}); err == nil {
		t.Error("NewAWS accepted a config without Env")
	}

	out := populate(t, fx.Supply(cfg))
	if _, ok := out.Provider.(*secrets.AWSProvider); !ok {
		t.Fatalf("provider is %T, want *secrets.AWSProvider", out.Provider)
	}
	if err := out.Checks[0].Check(t.Context()); err != nil {
		t.Errorf("health before any fetch: %v", err)
	}
	fake.failAlways("Oslira/staging/APIFY_TOKEN", errAccessDenied)
	if _, err := out.Provider.Get(t.Context(), "APIFY_TOKEN"); err == nil {
		t.Fatal("Get succeeded on access denied")
	}
	herr := out.Checks[0].Check(t.Context())
	if herr == nil || !strings.Contains(herr.Error(), "AccessDeniedException") {
		t.Errorf("health after access denied = %v", herr)
	}
}
