package bootstrap

import (
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/hosts/cron"
)

func mapLookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// prodEnv is a complete, valid production environment; cases delete or override entries.
func prodEnv() map[string]string {
	return map[string]string{
		"APP_ENV":                   "production",
		"DATABASE_URL":              "postgres://app:s3cret-pw@db.internal:5432/oslira?sslmode=require",
		"CORS_ALLOWED_ORIGINS":      "https://app.oslira.com, https://oslira.com",
		"SECRETS_SOURCE":            "aws",
		"AWS_REGION":                "eu-west-1",
		"APP_VERSION":               "7",
		"BILLING_SUCCESS_URL":       "https://app.oslira.com/billing/success?session_id={CHECKOUT_SESSION_ID}",
		"BILLING_CANCEL_URL":        "https://app.oslira.com/billing/cancel",
		"BILLING_PORTAL_RETURN_URL": "https://app.oslira.com/billing",
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(mapLookup(nil))
	if err != nil {
		t.Fatalf("empty environment: %v", err)
	}
	want := Config{
		Env:                        EnvDevelopment,
		Version:                    Version(),
		LogLevel:                   slog.LevelInfo,
		DataDir:                    ".data",
		HTTPAddr:                   ":8080",
		ShutdownTimeout:            15 * time.Second,
		CORSAllowedOrigins:         defaultLocalOrigins,
		DatabaseMaxConns:           10,
		SecretsSource:              "env",
		AppVersion:                 "1",
		BillingSuccessURL:          DefaultBillingSuccessURL,
		BillingCancelURL:           DefaultBillingCancelURL,
		BillingPortalReturnURL:     DefaultBillingPortalReturnURL,
		CronEnabled:                true,
		AnalysisConcurrency:        10,
		AnalysisAccountConcurrency: 3,
		AnalysisPollInterval:       200 * time.Millisecond,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

func TestLoadValid(t *testing.T) {
	t.Parallel()
	env := prodEnv()
	env["HTTP_ADDR"] = "127.0.0.1:9000"
	env["SHUTDOWN_TIMEOUT"] = "30s"
	env["LOG_LEVEL"] = "DEBUG"
	env["DATABASE_MAX_CONNS"] = "25"
	env["AWS_SECRETS_ENDPOINT"] = "http://127.0.0.1:4566"
	env["APP_VERSION"] = "v1.2.3"
	env["DATA_DIR"] = "/var/lib/oslira"
	env["WORKER_ID"] = "worker-3"
	env["WORKFLOW_QUEUE_CONCURRENCY"] = "8"
	env["STRIPE_API_URL"] = "http://127.0.0.1:12111/"
	c, err := Load(mapLookup(env))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Adapters()
	if c.Env != EnvProduction || c.LogLevel != slog.LevelDebug || c.Version != Version() || c.AppVersion != "v1.2.3" ||
		c.DataDir != "/var/lib/oslira" || c.WorkerID != "worker-3" || c.WorkflowQueueConcurrency != 8 || c.StripeAPIURL != "http://127.0.0.1:12111" {
		t.Errorf("config = %+v", c)
	}
	if a.Billing.SuccessURL != env["BILLING_SUCCESS_URL"] || a.Billing.CancelURL != env["BILLING_CANCEL_URL"] ||
		a.Billing.PortalReturnURL != env["BILLING_PORTAL_RETURN_URL"] {
		t.Errorf("billing config = %+v", a.Billing)
	}
	if a.Postgres.URL != env["DATABASE_URL"] || a.Postgres.MaxConns != 25 {
		t.Errorf("postgres config = %+v", a.Postgres)
	}
	if a.Secrets.Source != "aws" || a.Secrets.Env != "production" || a.Secrets.Region != "eu-west-1" ||
		a.Secrets.Endpoint != "http://127.0.0.1:4566" {
		t.Errorf("secrets config = %+v", a.Secrets)
	}
	if a.HTTP.Addr != "127.0.0.1:9000" || a.HTTP.ShutdownTimeout != 30*time.Second || a.HTTP.Version != Version() ||
		!slices.Equal(a.HTTP.CORSAllowedOrigins, []string{"https://app.oslira.com", "https://oslira.com"}) {
		t.Errorf("http config = %+v", a.HTTP)
	}
	for _, s := range []string{c.String(), slog.AnyValue(c).Resolve().String()} {
		if strings.Contains(s, "s3cret-pw") || strings.Contains(s, "sslmode") {
			t.Errorf("config rendering leaks the database URL: %s", s)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string // nil values delete the key from the base
		base func() map[string]string
		want []string
	}{
		{
			name: "production with nothing set names every required variable",
			base: func() map[string]string { return map[string]string{"APP_ENV": "production"} },
			want: []string{"APP_VERSION", "CORS_ALLOWED_ORIGINS", "DATABASE_URL", "SECRETS_SOURCE", "AWS_REGION",
				"BILLING_SUCCESS_URL", "BILLING_CANCEL_URL", "BILLING_PORTAL_RETURN_URL"},
		},
		{
			name: "staging with nothing set",
			base: func() map[string]string { return map[string]string{"APP_ENV": "staging"} },
			want: []string{"APP_VERSION", "CORS_ALLOWED_ORIGINS", "DATABASE_URL", "SECRETS_SOURCE", "AWS_REGION",
				"BILLING_SUCCESS_URL", "BILLING_CANCEL_URL", "BILLING_PORTAL_RETURN_URL"},
		},
		{
			name: "production with env secrets",
			base: prodEnv,
			env:  map[string]string{"SECRETS_SOURCE": "env"},
			want: []string{"SECRETS_SOURCE"},
		},
		{
			name: "production malformed values",
			base: prodEnv,
			env: map[string]string{"DATABASE_URL": "mysql://x", "CORS_ALLOWED_ORIGINS": "*",
				"SHUTDOWN_TIMEOUT": "soon", "DATABASE_MAX_CONNS": "many"},
			want: []string{"SHUTDOWN_TIMEOUT", "CORS_ALLOWED_ORIGINS", "DATABASE_URL", "DATABASE_MAX_CONNS"},
		},
		{
			name: "unknown APP_ENV",
			base: func() map[string]string { return map[string]string{"APP_ENV": "prod"} },
			want: []string{"APP_ENV"},
		},
		{
			name: "development malformed values are still errors",
			base: func() map[string]string { return map[string]string{} },
			env: map[string]string{"SHUTDOWN_TIMEOUT": "15", "DATABASE_MAX_CONNS": "0", "LOG_LEVEL": "verbose",
				"HTTP_ADDR": "8080", "SECRETS_SOURCE": "vault", "AWS_SECRETS_ENDPOINT": "localhost:4566"},
			want: []string{"LOG_LEVEL", "HTTP_ADDR", "SHUTDOWN_TIMEOUT", "DATABASE_MAX_CONNS", "SECRETS_SOURCE", "AWS_SECRETS_ENDPOINT"},
		},
		{
			name: "development aws secrets need a region",
			base: func() map[string]string { return map[string]string{"SECRETS_SOURCE": "aws"} },
			want: []string{"AWS_REGION"},
		},
		{
			name: "int overflow and negative duration",
			base: func() map[string]string { return map[string]string{} },
			env:  map[string]string{"DATABASE_MAX_CONNS": "99999999999", "SHUTDOWN_TIMEOUT": "-5s", "HTTP_ADDR": ":70000"},
			want: []string{"HTTP_ADDR", "SHUTDOWN_TIMEOUT", "DATABASE_MAX_CONNS"},
		},
		{
			name: "supabase url must be an https origin",
			base: func() map[string]string { return map[string]string{} },
			env:  map[string]string{"SUPABASE_URL": "http://abc.supabase.co", "SUPABASE_JWT_ISSUER": "a b"},
			want: []string{"SUPABASE_URL", "SUPABASE_JWT_ISSUER"},
		},
		{
			name: "supabase url with a path",
			base: prodEnv,
			env:  map[string]string{"SUPABASE_URL": "https://abc.supabase.co/auth/v1"},
			want: []string{"SUPABASE_URL"},
		},
		{
			name: "workflow and billing values",
			base: func() map[string]string { return map[string]string{} },
			env: map[string]string{"APP_VERSION": "v 2", "WORKER_ID": strings.Repeat("w", 129), "WORKFLOW_QUEUE_CONCURRENCY": "0",
				"ANALYSIS_CONCURRENCY": "0", "ANALYSIS_POLL_INTERVAL": "1ms",
				"STRIPE_API_URL": "api.stripe.com", "BILLING_SUCCESS_URL": "/billing/success", "BILLING_CANCEL_URL": "ftp://x/y",
				"BILLING_PORTAL_RETURN_URL": "https://user:pw@app.example/billing"},
			want: []string{"APP_VERSION", "WORKER_ID", "WORKFLOW_QUEUE_CONCURRENCY", "ANALYSIS_CONCURRENCY", "ANALYSIS_POLL_INTERVAL", "STRIPE_API_URL",
				"BILLING_SUCCESS_URL", "BILLING_CANCEL_URL", "BILLING_PORTAL_RETURN_URL"},
		},
		{
			name: "account cap above the global cap",
			base: func() map[string]string { return map[string]string{} },
			env:  map[string]string{"ANALYSIS_CONCURRENCY": "4", "ANALYSIS_ACCOUNT_CONCURRENCY": "5"},
			want: []string{"ANALYSIS_ACCOUNT_CONCURRENCY"},
		},
		{
			name: "origin with a path",
			base: func() map[string]string { return map[string]string{} },
			env:  map[string]string{"CORS_ALLOWED_ORIGINS": "http://localhost:3000,https://app.oslira.com/app"},
			want: []string{"CORS_ALLOWED_ORIGINS"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := tc.base()
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := Load(mapLookup(env))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			if got := ce.Vars(); !slices.Equal(got, tc.want) {
				t.Errorf("offending vars = %v, want %v", got, tc.want)
			}
			for _, v := range tc.want {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("message does not name %s:\n%s", v, err)
				}
			}
			for k, v := range env {
				if k != "APP_ENV" && len(v) > 3 && strings.Contains(err.Error(), v) {
					t.Errorf("message contains the value of %s:\n%s", k, err)
				}
			}
		})
	}
}

func TestLoadSupabase(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://abc.supabase.co":  "https://abc.supabase.co",
		"https://abc.supabase.co/": "https://abc.supabase.co",
		"http://127.0.0.1:54321":   "http://127.0.0.1:54321",
		"http://localhost:54321":   "http://localhost:54321",
	} {
		c, err := Load(mapLookup(map[string]string{"SUPABASE_URL": raw}))
		if err != nil || c.SupabaseURL != want {
			t.Errorf("SUPABASE_URL=%s: %q, %v", raw, c.SupabaseURL, err)
			continue
		}
		if c.JWKSURL() != want+"/auth/v1/.well-known/jwks.json" || c.JWTIssuer() != want+"/auth/v1" {
			t.Errorf("SUPABASE_URL=%s: jwks %s issuer %s", raw, c.JWKSURL(), c.JWTIssuer())
		}
	}
	c, err := Load(mapLookup(map[string]string{"SUPABASE_JWT_ISSUER": "https://issuer.example"}))
	if err != nil || c.JWKSURL() != "" || c.JWTIssuer() != "https://issuer.example" {
		t.Errorf("issuer only: %+v %v", c, err)
	}
	if c, _ := Load(mapLookup(nil)); c.JWKSURL() != "" || c.JWTIssuer() != "" {
		t.Errorf("defaults: jwks %q issuer %q", c.JWKSURL(), c.JWTIssuer())
	}
}

func TestLoadLocalEnvsNeedNothing(t *testing.T) {
	t.Parallel()
	for _, env := range []string{"development", "test", "TEST"} {
		if _, err := Load(mapLookup(map[string]string{"APP_ENV": env})); err != nil {
			t.Errorf("APP_ENV=%s: %v", env, err)
		}
	}
}

func TestLoadCron(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	c, err := Load(env())
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Cron(); !got.Enabled || got.WorkflowRetentionDays != cron.DefaultConfig().WorkflowRetentionDays {
		t.Fatalf("default cron config = %+v", got)
	}
	c, err = Load(env("CRON_ENABLED", "false", "WORKFLOW_RETENTION_DAYS", "7"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Cron(); got.Enabled || got.WorkflowRetentionDays != 7 {
		t.Fatalf("cron config = %+v, want disabled with 7 days", got)
	}
	_, err = Load(env("CRON_ENABLED", "sometimes", "WORKFLOW_RETENTION_DAYS", "0"))
	var ce *ConfigError
	if !errors.As(err, &ce) || !slices.Contains(ce.Vars(), "CRON_ENABLED") || !slices.Contains(ce.Vars(), "WORKFLOW_RETENTION_DAYS") {
		t.Fatalf("err = %v, want both variables named", err)
	}
}
