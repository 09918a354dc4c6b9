package bootstrap

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/secret"
)

// CursorKeyName is the secret that signs page cursors (HMAC-SHA256, at least 32 characters):
// AWS Secrets Manager Oslira/<env>/CURSOR_SIGNING_KEY in staging and production, the environment
// variable of the same name in development. Every HTTP instance of a deployment must share it.
// Rotating it only invalidates the cursors clients hold at that moment: their next page request
// is 400 request.invalid-cursor and they start again from the first page. Generate one with
// `openssl rand -base64 48`.
const CursorKeyName = "CURSOR_SIGNING_KEY"

// cursorKeyDomain separates the derived development cursor key from the JWT secret it comes from.
const cursorKeyDomain = "oslira development cursor signing key v1"

// cursorKeyTimeout bounds reading the key at start-up (AWS retries included).
const cursorKeyTimeout = 15 * time.Second

// CursorKey returns the key that signs page cursors: the CURSOR_SIGNING_KEY secret when the
// provider has it; else, in development and test, a key derived from the development JWT secret
// (DATA_DIR/dev-jwt-secret, created by DevJWTSecret if missing) with HMAC-SHA256, so local
// cursors survive restarts with no extra file; else (staging, production) a *ConfigError. A
// secret store that cannot be reached is an error in every environment.
func CursorKey(ctx context.Context, c Config, secrets secret.Provider) (postgres.CursorKey, error) {
	v, err := secrets.Get(ctx, CursorKeyName)
	switch {
	case err == nil:
		if len(v) < postgres.MinCursorKeyBytes {
			return nil, &ConfigError{Env: c.Env, Problems: []Problem{{Var: CursorKeyName,
				Reason: fmt.Sprintf("has %d characters, want at least %d (openssl rand -base64 48)", len(v), postgres.MinCursorKeyBytes)}}}
		}
		return postgres.CursorKey(v), nil
	case errors.Is(err, secret.ErrNotFound):
	default:
		return nil, fmt.Errorf("read secret %s: %w", CursorKeyName, err)
	}
	if !c.Env.Local() {
		return nil, &ConfigError{Env: c.Env, Problems: []Problem{{Var: CursorKeyName,
			Reason: "is not in the secret store (SECRETS_SOURCE=" + c.SecretsSource + "); page cursors are signed with it"}}}
	}
	dev, _, err := DevJWTSecret(c.DataDir)
	if err != nil {
		return nil, fmt.Errorf("derive the development cursor key: %w", err)
	}
	h := hmac.New(sha256.New, []byte(dev))
	h.Write([]byte(cursorKeyDomain))
	return postgres.CursorKey(h.Sum(nil)), nil
}

// provideCursorKey is CursorKey for the fx graph, under its own deadline.
func provideCursorKey(c Config, secrets secret.Provider) (postgres.CursorKey, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cursorKeyTimeout)
	defer cancel()
	return CursorKey(ctx, c, secrets)
}
