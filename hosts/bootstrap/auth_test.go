package bootstrap

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/secret"
)

const testSecret = "a-secret-of-at-least-32-bytes-for-hs256-tests"

// unreachable is a provider whose store is down.
type unreachable struct{}

func (unreachable) Get(context.Context, string) (string, error) {
	return "", secret.ErrUnavailable.WithCause(errors.New("dial tcp: refused"))
}

func loadFor(t *testing.T, env map[string]string) Config {
	t.Helper()
	c, err := Load(mapLookup(env))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestJWTConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	t.Run("secret from the provider, no JWKS, no issuer", func(t *testing.T) {
		t.Parallel()
		e := env("APP_ENV", "development", "DATA_DIR", t.TempDir(), JWTSecretName, testSecret)
		got, err := JWTConfig(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)), nil)
		if err != nil || got != (jwt.Config{HS256Secret: testSecret}) {
			t.Fatalf("config = %+v, %v", got, err)
		}
	})
	t.Run("SUPABASE_URL adds the JWKS and the issuer", func(t *testing.T) {
		t.Parallel()
		e := prodEnv()
		e["SUPABASE_URL"] = "https://abc.supabase.co/"
		got, err := JWTConfig(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(nil)), nil)
		want := jwt.Config{JWKSURL: "https://abc.supabase.co/auth/v1/.well-known/jwks.json", Issuer: "https://abc.supabase.co/auth/v1"}
		if err != nil || got != want {
			t.Fatalf("config = %+v, %v; want %+v", got, err, want)
		}
		e["SUPABASE_JWT_ISSUER"] = "https://auth.example.com"
		e[JWTSecretName] = testSecret
		got, err = JWTConfig(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)), nil)
		if err != nil || got.Issuer != "https://auth.example.com" || got.HS256Secret != testSecret || got.JWKSURL == "" {
			t.Fatalf("config = %+v, %v", got, err)
		}
	})
	t.Run("production without secret or URL names both", func(t *testing.T) {
		t.Parallel()
		_, err := JWTConfig(ctx, loadFor(t, prodEnv()), secrets.NewEnv(mapLookup(nil)), nil)
		var ce *ConfigError
		if !errors.As(err, &ce) || !slices.Equal(ce.Vars(), []string{JWTSecretName, "SUPABASE_URL"}) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("an unreachable store is an error, not a missing secret", func(t *testing.T) {
		t.Parallel()
		e := env("APP_ENV", "development", "DATA_DIR", t.TempDir())
		_, err := JWTConfig(ctx, loadFor(t, e), unreachable{}, nil)
		if !errors.Is(err, secret.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
		if _, statErr := os.Stat(filepath.Join(e["DATA_DIR"], DevJWTSecretFile)); !errors.Is(statErr, os.ErrNotExist) {
			t.Error("a development secret was generated although the store only failed")
		}
	})
	t.Run("a short secret is refused without echoing it", func(t *testing.T) {
		t.Parallel()
		e := env("APP_ENV", "test", JWTSecretName, "short-secret-xyz")
		_, err := JWTConfig(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)), nil)
		if err == nil || strings.Contains(err.Error(), "short-secret-xyz") || !strings.Contains(err.Error(), JWTSecretName) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("development falls back to the generated secret", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		e := env("APP_ENV", "development", "DATA_DIR", dir)
		first, err := JWTConfig(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)), nil)
		if err != nil || len(first.HS256Secret) != 64 || first.JWKSURL != "" {
			t.Fatalf("config = %+v, %v", first, err)
		}
		again, err := JWTConfig(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)), nil)
		if err != nil || again.HS256Secret != first.HS256Secret {
			t.Fatal("the development secret changed between runs")
		}
	})
}

func TestDevJWTSecret(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", ".data")
	// Concurrent first calls (a server and `oslira token`) agree on one secret.
	const n = 8
	values := make([]string, n)
	created := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			values[i], created[i], err = DevJWTSecret(dir)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if values[i] != values[0] {
			t.Fatalf("call %d got another secret", i)
		}
		if created[i] {
			creators++
		}
	}
	if creators != 1 || len(values[0]) != 64 {
		t.Errorf("%d creators, secret length %d", creators, len(values[0]))
	}
	path := filepath.Join(dir, DevJWTSecretFile)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stat: %v, mode %v", err, st.Mode())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	if err := os.WriteFile(path, []byte("too-short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := DevJWTSecret(dir); err == nil || strings.Contains(err.Error(), "too-short") {
		t.Errorf("a short secret file: err = %v", err)
	}
}
