package jwt_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/jwt"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	const url = "https://abcdefghijklmnop.supabase.co/auth/v1/.well-known/jwks.json"
	cases := []struct {
		name    string
		cfg     jwt.Config
		wantErr string // substring; empty means valid
	}{
		{"HS256 only", jwt.Config{HS256Secret: testSecret}, ""},
		{"JWKS only", jwt.Config{JWKSURL: url}, ""},
		{"both, all fields", jwt.Config{HS256Secret: testSecret, JWKSURL: url, Issuer: testIssuer, Audience: "authenticated",
			Leeway: 30 * time.Second, RefreshFloor: time.Minute, RefreshInterval: time.Hour, FetchTimeout: time.Second}, ""},
		{"loopback http", jwt.Config{JWKSURL: "http://127.0.0.1:54321" + jwksPath}, ""},
		{"localhost http", jwt.Config{JWKSURL: "http://localhost:54321" + jwksPath}, ""},
		{"IPv6 loopback http", jwt.Config{JWKSURL: "http://[::1]:54321" + jwksPath}, ""},
		{"neither key source", jwt.Config{}, "at least one of"},
		{"short secret", jwt.Config{HS256Secret: "short-secret"}, "at least 32 bytes"},
		{"remote http", jwt.Config{JWKSURL: "http://abcdefghijklmnop.supabase.co" + jwksPath}, "https"},
		{"relative URL", jwt.Config{JWKSURL: "/auth/v1/.well-known/jwks.json"}, "absolute"},
		{"other scheme", jwt.Config{JWKSURL: "ftp://example.com/jwks.json"}, "absolute"},
		{"leeway too large", jwt.Config{HS256Secret: testSecret, Leeway: 31 * time.Second}, "leeway"},
		{"negative leeway", jwt.Config{HS256Secret: testSecret, Leeway: -time.Second}, "leeway"},
		{"negative floor", jwt.Config{JWKSURL: url, RefreshFloor: -time.Second}, "refresh floor"},
		{"negative interval", jwt.Config{JWKSURL: url, RefreshInterval: -time.Second}, "refresh interval"},
		{"negative fetch timeout", jwt.Config{JWKSURL: url, FetchTimeout: -time.Second}, "fetch timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("Validate accepted %+v", tc.cfg)
			case err != nil && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
			if err != nil && tc.cfg.HS256Secret != "" && strings.Contains(err.Error(), tc.cfg.HS256Secret) {
				t.Error("error quotes the secret")
			}
		})
	}
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	err := jwt.Config{HS256Secret: "short", JWKSURL: "http://example.com/x", Leeway: time.Minute}.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"32 bytes", "https", "leeway"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestConfigWithDefaults(t *testing.T) {
	t.Parallel()
	got := jwt.Config{}.WithDefaults()
	want := jwt.Config{Audience: "authenticated", Leeway: 30 * time.Second, RefreshFloor: 5 * time.Minute,
		RefreshInterval: 10 * time.Minute, FetchTimeout: 5 * time.Second}
	if got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
	custom := jwt.Config{Audience: "x", Leeway: time.Second, RefreshFloor: time.Second, RefreshInterval: time.Second, FetchTimeout: time.Second}
	if custom.WithDefaults() != custom {
		t.Error("WithDefaults overrode set fields")
	}
}
