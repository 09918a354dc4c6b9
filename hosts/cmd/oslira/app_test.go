package main

import (
	"io"
	"log/slog"
	"slices"
	"testing"

	"go.uber.org/fx"

	"github.com/oslira/oslira/hosts/bootstrap"
)

func mapLookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// testEnvs are complete environments for the graph tests, one local and one strict.
var testEnvs = map[string]map[string]string{
	"development": {"APP_ENV": "development"},
	"production": {
		"APP_ENV":                   "production",
		"DATABASE_URL":              "postgres://app@db.example:5432/oslira",
		"CORS_ALLOWED_ORIGINS":      "https://app.oslira.com",
		"SECRETS_SOURCE":            "aws",
		"AWS_REGION":                "eu-west-1",
		"APP_VERSION":               "3",
		"BILLING_SUCCESS_URL":       "https://app.oslira.com/billing/success",
		"BILLING_CANCEL_URL":        "https://app.oslira.com/billing/cancel",
		"BILLING_PORTAL_RETURN_URL": "https://app.oslira.com/billing",
	},
}

// TestValidateApp checks each subcommand's fx graph: every dependency provided, no cycles. It
// runs no constructor, so it needs no database.
func TestValidateApp(t *testing.T) {
	t.Parallel()
	for _, name := range commandOrder {
		for envName, env := range testEnvs {
			t.Run(name+"/"+envName, func(t *testing.T) {
				t.Parallel()
				cfg, err := bootstrap.Load(mapLookup(env))
				if err != nil {
					t.Fatal(err)
				}
				proc := bootstrap.Process{Config: cfg, Lookup: mapLookup(env), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
				if err := fx.ValidateApp(appOptions(commands[name], proc)); err != nil {
					t.Fatalf("graph of %q: %v", name, err)
				}
			})
		}
	}
}

func TestCommandListIsComplete(t *testing.T) {
	t.Parallel()
	if len(commandOrder) != len(commands) {
		t.Fatalf("commandOrder has %d entries, commands %d", len(commandOrder), len(commands))
	}
	for name := range commands {
		if !slices.Contains(commandOrder, name) {
			t.Errorf("command %q missing from the usage order", name)
		}
	}
}
