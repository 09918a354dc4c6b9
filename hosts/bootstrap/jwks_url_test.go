package bootstrap

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/identity"
)

// selfHostedAuth is a fake self-hosted Supabase Auth: without the platform's API gateway it
// serves its key set at /.well-known/jwks.json, and nothing at /auth/v1/.well-known/jwks.json.
type selfHostedAuth struct {
	srv  *httptest.Server
	key  *ecdsa.PrivateKey
	hits atomic.Int64 // requests for the key set
}

func newSelfHostedAuth(t *testing.T) *selfHostedAuth {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := &selfHostedAuth{key: key}
	point, err := key.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks := map[string]any{"keys": []any{map[string]any{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
		"kid": "self-hosted", "x": b64(point[1:33]), "y": b64(point[33:65])}}}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		a.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jwks)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// token is an ES256 access token of this server (issuer <url>, as GOTRUE_JWT_ISSUER often is).
func (a *selfHostedAuth) token(t *testing.T) string {
	t.Helper()
	now := time.Now()
	tok := gojwt.NewWithClaims(gojwt.SigningMethodES256, gojwt.MapClaims{
		"iss": a.srv.URL, "aud": "authenticated", "sub": "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "email": "self@example.com", "role": "authenticated",
		"is_anonymous": false,
	})
	tok.Header["kid"] = "self-hosted"
	s, err := tok.SignedString(a.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSupabaseJWKSURLOverride is issue 7 item 8: SUPABASE_JWKS_URL points the verifier at a
// self-hosted Supabase Auth's /.well-known/jwks.json. Without it the verifier asks
// <SUPABASE_URL>/auth/v1/.well-known/jwks.json (404 there) and cannot verify the same token; with
// it, the token verifies through the real config → jwt.New path.
func TestSupabaseJWKSURLOverride(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	auth := newSelfHostedAuth(t)
	verify := func(env map[string]string) (jwt.Config, error) {
		t.Helper()
		cfg, err := JWTConfig(ctx, loadFor(t, env), secrets.NewEnv(mapLookup(nil)), nil)
		if err != nil {
			t.Fatalf("JWTConfig: %v", err)
		}
		cfg.FetchTimeout = 2 * time.Second
		v, err := jwt.New(ctx, cfg, nil)
		if err != nil {
			t.Fatalf("jwt.New: %v", err)
		}
		defer v.Close()
		_, err = v.Verify(ctx, auth.token(t))
		return cfg, err
	}

	env := map[string]string{"APP_ENV": "test", "DATA_DIR": t.TempDir(), "SUPABASE_URL": auth.srv.URL, "SUPABASE_JWT_ISSUER": auth.srv.URL}
	cfg, err := verify(env)
	if cfg.JWKSURL != auth.srv.URL+"/auth/v1/.well-known/jwks.json" || !errors.Is(err, identity.ErrKeysUnavailable) {
		t.Errorf("default: JWKS URL %s, Verify %v; want the platform path and keys unavailable", cfg.JWKSURL, err)
	}
	if auth.hits.Load() != 0 {
		t.Errorf("the default path reached the key set %d times", auth.hits.Load())
	}

	env["SUPABASE_JWKS_URL"] = auth.srv.URL + "/.well-known/jwks.json"
	cfg, err = verify(env)
	if cfg.JWKSURL != env["SUPABASE_JWKS_URL"] || cfg.Issuer != auth.srv.URL || err != nil {
		t.Errorf("override: JWKS URL %s issuer %s, Verify %v", cfg.JWKSURL, cfg.Issuer, err)
	}
	if auth.hits.Load() == 0 {
		t.Error("the override was not fetched")
	}

	// The override alone (no SUPABASE_URL) enables ES256/RS256 too; the issuer is then whatever
	// SUPABASE_JWT_ISSUER says.
	delete(env, "SUPABASE_URL")
	if cfg, err := verify(env); cfg.JWKSURL != env["SUPABASE_JWKS_URL"] || err != nil {
		t.Errorf("override without SUPABASE_URL: JWKS URL %s, Verify %v", cfg.JWKSURL, err)
	}
}

// TestSupabaseJWKSURLValidation: the override must be an absolute http(s) URL, https unless the
// host is loopback (the key set decides who may sign in), without user info or fragment; a bad
// value names the variable and never echoes it.
func TestSupabaseJWKSURLValidation(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"/zq7/jwks.json",
		"auth.example.com/zq7/jwks.json",
		"ftp://auth.example.com/.well-known/jwks.json",
		"http://auth.example.com/.well-known/jwks.json",
		"https://user:pw@auth.example.com/.well-known/jwks.json",
		"https://auth.example.com/.well-known/jwks.json#keys",
		"https:///.well-known/jwks.json",
		"mailto:keys@example.com",
	} {
		env := prodEnv()
		env["SUPABASE_JWKS_URL"] = bad
		_, err := Load(mapLookup(env))
		var ce *ConfigError
		if !errors.As(err, &ce) || !slices.Equal(ce.Vars(), []string{"SUPABASE_JWKS_URL"}) {
			t.Errorf("SUPABASE_JWKS_URL=%s: %v", bad, err)
			continue
		}
		if strings.Contains(err.Error(), bad) {
			t.Errorf("SUPABASE_JWKS_URL=%s: the message echoes the value", bad)
		}
	}
	for _, good := range []string{
		"https://auth.example.com/.well-known/jwks.json",
		"https://abc.supabase.co/auth/v1/.well-known/jwks.json",
		"http://127.0.0.1:9999/.well-known/jwks.json",
		"http://localhost:9999/.well-known/jwks.json",
		"http://[::1]:9999/.well-known/jwks.json",
	} {
		env := prodEnv()
		env["SUPABASE_JWKS_URL"] = good
		c, err := Load(mapLookup(env))
		if err != nil || c.JWKSURL() != good {
			t.Errorf("SUPABASE_JWKS_URL=%s: JWKSURL %q, %v", good, c.JWKSURL(), err)
		}
	}
}
