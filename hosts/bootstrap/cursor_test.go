package bootstrap

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/secrets"
)

func TestCursorKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := strings.Repeat("c", 40)

	t.Run("from the secret store", func(t *testing.T) {
		t.Parallel()
		e := prodEnv()
		e[CursorKeyName] = key
		got, err := CursorKey(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)))
		if err != nil || string(got) != key {
			t.Fatalf("key = %q, %v", got, err)
		}
	})
	t.Run("production without it is a config error naming it", func(t *testing.T) {
		t.Parallel()
		e := prodEnv()
		_, err := CursorKey(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)))
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), CursorKeyName) {
			t.Fatalf("err = %v, want a ConfigError naming %s", err, CursorKeyName)
		}
	})
	t.Run("too short", func(t *testing.T) {
		t.Parallel()
		e := prodEnv()
		e[CursorKeyName] = "short"
		if _, err := CursorKey(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e))); err == nil || strings.Contains(err.Error(), "short") {
			t.Fatalf("err = %v, want a refusal that does not echo the value", err)
		}
	})
	t.Run("unreachable store", func(t *testing.T) {
		t.Parallel()
		e := map[string]string{"APP_ENV": "development", "DATA_DIR": t.TempDir()}
		if _, err := CursorKey(ctx, loadFor(t, e), unreachable{}); err == nil {
			t.Fatal("an unreachable store gave a key")
		}
	})
	t.Run("development derives a stable key from the dev JWT secret", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		e := map[string]string{"APP_ENV": "development", "DATA_DIR": dir}
		first, err := CursorKey(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)))
		if err != nil || len(first) < 32 {
			t.Fatalf("key = %x, %v", first, err)
		}
		again, _ := CursorKey(ctx, loadFor(t, e), secrets.NewEnv(mapLookup(e)))
		jwtSecret, created, _ := DevJWTSecret(dir)
		if !bytes.Equal(first, again) || created || bytes.Contains(first, []byte(jwtSecret)) {
			t.Fatalf("keys %x / %x; the JWT secret file was created %v", first, again, created)
		}
		other := map[string]string{"APP_ENV": "development", "DATA_DIR": t.TempDir()}
		if k, _ := CursorKey(ctx, loadFor(t, other), secrets.NewEnv(mapLookup(other))); bytes.Equal(k, first) {
			t.Fatal("two data directories derived the same key")
		}
	})
}
