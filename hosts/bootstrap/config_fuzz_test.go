package bootstrap

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/hosts/httpapi"
)

// fuzzVars are the variables FuzzLoadVariable sets, one at a time.
var fuzzVars = []string{
	"SHUTDOWN_TIMEOUT", "CORS_ALLOWED_ORIGINS", "DATABASE_MAX_CONNS", "WORKFLOW_QUEUE_CONCURRENCY",
	"WORKFLOW_RETENTION_DAYS", "CRON_ENABLED", "LOG_LEVEL", "HTTP_ADDR", "APP_ENV", "APP_VERSION",
	"WORKER_ID", "DATABASE_URL", "SECRETS_SOURCE", "AWS_REGION", "AWS_SECRETS_ENDPOINT", "SUPABASE_URL",
	"SUPABASE_JWT_ISSUER", "SUPABASE_JWKS_URL", "STRIPE_API_URL", "BILLING_SUCCESS_URL",
	"BILLING_CANCEL_URL", "BILLING_PORTAL_RETURN_URL",
}

// fuzzBase is the environment a fuzzed variable is set in: a complete production one, or an
// empty (development) one.
func fuzzBase(production bool) map[string]string {
	if production {
		return prodEnv()
	}
	return map[string]string{}
}

// knownReasons are the reasons Load gives for a battery of bad values of every variable: the
// fixed texts, which may contain a fuzzed value by coincidence ("must", "https").
func knownReasons() map[string]bool {
	known := map[string]bool{}
	battery := []string{"", "\x01", "x", "-1", "0", "1e9", "99999999999", "env", "aws", "staging",
		"a b", "http://", "ftp://x", ",", "*", "http://x/y", "https://u:p@x", "https://x#f", "http://example.com"}
	for _, production := range []bool{true, false} {
		for _, name := range fuzzVars {
			for _, v := range battery {
				env := fuzzBase(production)
				env[name] = v
				var ce *ConfigError
				if _, err := Load(mapLookup(env)); errors.As(err, &ce) {
					for _, p := range ce.Problems {
						known[p.Reason] = true
					}
				}
			}
		}
	}
	return known
}

// FuzzLoadVariable: any value of any variable, set alone in an empty (development) or complete
// production environment, is a Config or a *ConfigError (never the "rejected by an adapter (bug)"
// error: what Load accepts, the adapters accept). A ConfigError names only that variable (in
// development, APP_ENV=staging/production also names what those require, and SECRETS_SOURCE=aws
// AWS_REGION) and never quotes the value. Accepted durations, numbers and lists are the value
// parsed: SHUTDOWN_TIMEOUT a positive duration, DATABASE_MAX_CONNS ≥ 1, WORKFLOW_QUEUE_CONCURRENCY
// 1..1000, WORKFLOW_RETENTION_DAYS 1..3650, CRON_ENABLED a boolean, CORS_ALLOWED_ORIGINS its
// non-blank comma-separated items, each a valid origin, at least one.
// Seeds: testdata/fuzz/FuzzLoadVariable.
func FuzzLoadVariable(f *testing.F) {
	known := knownReasons()
	f.Fuzz(func(t *testing.T, which uint8, value string, production bool) {
		name := fuzzVars[int(which)%len(fuzzVars)]
		env := fuzzBase(production)
		env[name] = value
		c, err := Load(mapLookup(env))
		trimmed := strings.TrimSpace(value)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("%s=%q (production %v): %v, want a *ConfigError", name, value, production, err)
			}
			for _, p := range ce.Problems {
				dependent := !production && (name == "APP_ENV" || (name == "SECRETS_SOURCE" && p.Var == "AWS_REGION"))
				if p.Var != name && !dependent {
					t.Fatalf("%s=%q (production %v): problem names %s: %s", name, value, production, p.Var, p.Reason)
				}
				if len(trimmed) >= 3 && strings.Contains(p.Reason, trimmed) && !known[p.Reason] {
					t.Fatalf("%s=%q: the reason quotes the value: %s", name, value, p.Reason)
				}
			}
			return
		}
		checkParsed(t, name, trimmed, production, c)
	})
}

// checkParsed holds an accepted Config to the value of the one variable set.
func checkParsed(t *testing.T, name, trimmed string, production bool, c Config) {
	t.Helper()
	switch name {
	case "SHUTDOWN_TIMEOUT":
		want := DefaultShutdownTimeout
		if trimmed != "" {
			want, _ = time.ParseDuration(trimmed)
		}
		if c.ShutdownTimeout != want || c.ShutdownTimeout <= 0 {
			t.Fatalf("SHUTDOWN_TIMEOUT=%q read as %v", trimmed, c.ShutdownTimeout)
		}
	case "DATABASE_MAX_CONNS":
		want := int64(DefaultDatabaseMaxConns)
		if trimmed != "" {
			want, _ = strconv.ParseInt(trimmed, 10, 32)
		}
		if int64(c.DatabaseMaxConns) != want || c.DatabaseMaxConns < 1 {
			t.Fatalf("DATABASE_MAX_CONNS=%q read as %d", trimmed, c.DatabaseMaxConns)
		}
	case "WORKFLOW_QUEUE_CONCURRENCY":
		checkWhole(t, name, trimmed, c.WorkflowQueueConcurrency, maxQueueConcurrency)
	case "WORKFLOW_RETENTION_DAYS":
		checkWhole(t, name, trimmed, c.WorkflowRetentionDays, maxRetentionDays)
	case "CRON_ENABLED":
		want := true
		if trimmed != "" {
			want, _ = strconv.ParseBool(trimmed)
		}
		if c.CronEnabled != want {
			t.Fatalf("CRON_ENABLED=%q read as %v", trimmed, c.CronEnabled)
		}
	case "CORS_ALLOWED_ORIGINS":
		if trimmed == "" {
			if production || !slices.Equal(c.CORSAllowedOrigins, defaultLocalOrigins) {
				t.Fatalf("CORS_ALLOWED_ORIGINS blank (production %v) read as %q", production, c.CORSAllowedOrigins)
			}
			return
		}
		var items []string
		for item := range strings.SplitSeq(trimmed, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		if len(c.CORSAllowedOrigins) == 0 || len(c.CORSAllowedOrigins) != len(items) {
			t.Fatalf("CORS_ALLOWED_ORIGINS=%q read as %q", trimmed, c.CORSAllowedOrigins)
		}
		for i, o := range c.CORSAllowedOrigins {
			if o != items[i] || httpapi.ValidateOrigin(o) != nil {
				t.Fatalf("CORS_ALLOWED_ORIGINS=%q read as %q", trimmed, c.CORSAllowedOrigins)
			}
		}
	}
}

// checkWhole holds an optional whole-number variable (0 when unset) to 1..limit and its value.
func checkWhole(t *testing.T, name, trimmed string, got, limit int) {
	t.Helper()
	want := 0
	if trimmed != "" {
		want, _ = strconv.Atoi(trimmed)
	}
	if got != want || (trimmed != "" && (got < 1 || got > limit)) {
		t.Fatalf("%s=%q read as %d", name, trimmed, got)
	}
}
