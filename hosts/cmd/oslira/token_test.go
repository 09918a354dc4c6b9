package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// verify checks token with cfg and returns its claims.
func verify(t *testing.T, cfg jwt.Config, token string) (identity.Claims, error) {
	t.Helper()
	v, err := jwt.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	return v.Verify(context.Background(), token)
}

func devSecret(t *testing.T, dataDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, bootstrap.DevJWTSecretFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestTokenNeverCreatesTheSecret: without the server's development secret, token says where it
// looked and exits 1, and creates nothing (a secret of its own would sign tokens the server
// rejects). Run from another directory, a relative DATA_DIR points elsewhere: the message names
// the absolute path.
func TestTokenNeverCreatesTheSecret(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	code, stdout, stderr := runCapture(t, map[string]string{"DATA_DIR": dir}, "token", "--email", "you@example.com")
	want := filepath.Join(dir, bootstrap.DevJWTSecretFile)
	if code != exitError || stdout != "" || !strings.Contains(stderr, want) || !strings.Contains(stderr, "make run") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("token created %s: %v", dir, err)
	}
	code, _, stderr = runCapture(t, map[string]string{"DATA_DIR": "relative-data"}, "token", "--email", "you@example.com")
	if abs, _ := filepath.Abs("relative-data"); code != exitError || !strings.Contains(stderr, abs) {
		t.Errorf("relative DATA_DIR: exit %d, stderr does not name %s:\n%s", code, abs, stderr)
	}
}

func TestTokenMintsWithTheDevelopmentSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"DATA_DIR": dir}
	if _, _, err := bootstrap.DevJWTSecret(dir); err != nil { // what the server does at its first start
		t.Fatal(err)
	}
	code, stdout, stderr := runCapture(t, env, "token", "--email", " You@Example.com ", "--name", "You")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	token := strings.TrimSpace(stdout)
	if strings.Count(token, ".") != 2 || strings.Contains(stdout, "oslira token:") {
		t.Fatalf("stdout must hold the token alone: %q", stdout)
	}
	claims, err := verify(t, jwt.Config{HS256Secret: devSecret(t, dir)}, token)
	if err != nil {
		t.Fatal(err)
	}
	if claims.UserID != devUserID("you@example.com") || claims.Email != "you@example.com" || claims.FullName != "You" || claims.Operator {
		t.Errorf("claims = %+v", claims)
	}
	if !strings.Contains(stderr, claims.UserID) {
		t.Errorf("stderr does not name the user: %s", stderr)
	}

	// Same address, same user; --admin makes an operator; a negative TTL an expired token.
	code, stdout, _ = runCapture(t, env, "token", "--email=you@example.com", "--admin", "--ttl", "-1m")
	if code != 0 {
		t.Fatal("second run failed")
	}
	if _, err := verify(t, jwt.Config{HS256Secret: devSecret(t, dir)}, strings.TrimSpace(stdout)); !errors.Is(err, identity.ErrTokenExpired) {
		t.Errorf("--ttl -1m: err = %v, want expired", err)
	}
	code, stdout, _ = runCapture(t, env, "token", "--email=you@example.com", "--admin", "--ttl=2h")
	claims, err = verify(t, jwt.Config{HS256Secret: devSecret(t, dir)}, strings.TrimSpace(stdout))
	if code != 0 || err != nil || !claims.Operator || claims.UserID != devUserID("you@example.com") {
		t.Errorf("--admin: %+v, %v", claims, err)
	}
}

func TestTokenUsesTheServersSecretAndIssuer(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s", 40)
	env := map[string]string{"APP_ENV": "test", "DATA_DIR": t.TempDir(), "SUPABASE_JWT_SECRET": secret,
		"SUPABASE_URL": "http://127.0.0.1:54321"}
	code, stdout, stderr := runCapture(t, env, "token", "--email", "a@b.co")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cfg := jwt.Config{HS256Secret: secret, Issuer: "http://127.0.0.1:54321/auth/v1"}
	if _, err := verify(t, cfg, strings.TrimSpace(stdout)); err != nil {
		t.Errorf("verify with the server's secret and issuer: %v", err)
	}
	if _, err := os.Stat(filepath.Join(env["DATA_DIR"], bootstrap.DevJWTSecretFile)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a development secret was generated although SUPABASE_JWT_SECRET is set")
	}

	// With only SUPABASE_URL the server accepts no HS256 token: refuse instead of printing one.
	delete(env, "SUPABASE_JWT_SECRET")
	code, stdout, stderr = runCapture(t, env, "token", "--email", "a@b.co")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "SUPABASE_JWT_SECRET") {
		t.Errorf("exit %d stdout %q stderr %s", code, stdout, stderr)
	}
}

func TestTokenRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"production", map[string]string{"APP_ENV": "production"}, []string{"--email", "a@b.co"}, 1, "refusing"},
		{"staging", map[string]string{"APP_ENV": " Staging "}, []string{"--email", "a@b.co"}, 1, "APP_ENV=Staging"},
		{"no email", nil, nil, 2, "--email is required"},
		{"not an email", nil, []string{"--email", "nobody"}, 2, "not an e-mail address"},
		{"extra argument", nil, []string{"--email", "a@b.co", "extra"}, 2, "unexpected arguments"},
		{"bad ttl", nil, []string{"--email", "a@b.co", "--ttl", "soon"}, 2, `invalid argument "soon" for "--ttl"`},
		{"unknown flag", nil, []string{"--email", "a@b.co", "--role", "x"}, 2, "unknown flag: --role"},
		{"bad config", map[string]string{"SUPABASE_URL": "ftp://x"}, []string{"--email", "a@b.co"}, 1, "SUPABASE_URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"DATA_DIR": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			code, stdout, stderr := runCapture(t, env, append([]string{"token"}, tc.args...)...)
			if code != tc.wantCode || stdout != "" || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d (want %d), stdout %q, stderr:\n%s", code, tc.wantCode, stdout, stderr)
			}
			if tc.wantCode == 1 && tc.name != "bad config" {
				if _, err := os.Stat(filepath.Join(env["DATA_DIR"], bootstrap.DevJWTSecretFile)); !errors.Is(err, os.ErrNotExist) {
					t.Error("a secret was generated by a refused run")
				}
			}
		})
	}
}
