package jwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/apperr"
)

const (
	testSecret = "test-secret-with-at-least-32-bytes-0123456789"
	testIssuer = "https://abcdefghijklmnop.supabase.co/auth/v1"
	testUserID = "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"
	jwksPath   = "/auth/v1/.well-known/jwks.json"
)

var (
	ecKey  = sync.OnceValue(func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) })
	rsaKey = sync.OnceValue(func() *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, 2048)) })
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// fakeJWKS serves a JWK Set at jwksPath the way Supabase does and counts the requests.
type fakeJWKS struct {
	srv  *httptest.Server
	hits atomic.Int64

	mu     sync.Mutex
	keys   []map[string]any
	status int
}

func newFakeJWKS(t *testing.T, keys ...map[string]any) *fakeJWKS {
	t.Helper()
	f := &fakeJWKS{keys: keys, status: http.StatusOK}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != jwksPath || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		f.hits.Add(1)
		f.mu.Lock()
		status, body := f.status, map[string]any{"keys": f.keys}
		if body["keys"] == nil {
			body["keys"] = []any{}
		}
		f.mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, `{"message":"unavailable"}`, status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=600")
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeJWKS) URL() string { return f.srv.URL + jwksPath }

func (f *fakeJWKS) setKeys(keys ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = keys
}

func (f *fakeJWKS) setStatus(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = status
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ecJWK is the public JWK of k as Supabase publishes it; alg is omitted when empty.
func ecJWK(k *ecdsa.PrivateKey, kid, alg string) map[string]any {
	point := must(k.PublicKey.Bytes()) // 0x04 || X || Y
	m := map[string]any{"kty": "EC", "crv": "P-256", "use": "sig", "key_ops": []string{"verify"},
		"kid": kid, "x": b64(point[1:33]), "y": b64(point[33:65])}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

func rsaJWK(k *rsa.PrivateKey, kid string) map[string]any {
	return map[string]any{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

// claims returns a Supabase-shaped payload (wire-formats §6.1) valid for an hour.
func claims() gojwt.MapClaims {
	now := time.Now()
	return gojwt.MapClaims{
		"iss": testIssuer, "aud": "authenticated", "sub": testUserID,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
		"email": "user@example.com", "phone": "", "role": "authenticated", "aal": "aal1",
		"session_id": "5d7e1f2a-8b3c-4d9e-a0f1-2b3c4d5e6f70", "is_anonymous": false,
		"app_metadata":  map[string]any{"provider": "email", "providers": []string{"email"}},
		"user_metadata": map[string]any{"full_name": "Example User"},
	}
}

// with returns a copy of c changed by edit.
func with(edit func(gojwt.MapClaims)) gojwt.MapClaims {
	c := claims()
	edit(c)
	return c
}

// sign signs c with method and key, setting kid when non-empty.
func sign(t *testing.T, method gojwt.SigningMethod, key any, kid string, c gojwt.MapClaims) string {
	t.Helper()
	tok := gojwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// rawToken assembles header.payload.signature from JSON values, for tokens no library would sign.
func rawToken(t *testing.T, header, payload any, sig string) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return b64(h) + "." + b64(p) + "." + sig
}

func newVerifier(t *testing.T, cfg jwt.Config) *jwt.Verifier {
	t.Helper()
	v, err := jwt.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(v.Close)
	return v
}

// assertRefused checks that err is want by errors.Is, by code and by kind, and that neither the
// error text nor the cause chain quotes the token.
func assertRefused(t *testing.T, err error, want *apperr.Error, token string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify accepted the token, want %s", want.Code)
	}
	if !errors.Is(err, want) {
		t.Errorf("err = %v, want errors.Is %s", err, want.Code)
	}
	if got := apperr.CodeOf(err); got != want.Code {
		t.Errorf("code = %q, want %q", got, want.Code)
	}
	if got := apperr.KindOf(err); got != want.Kind {
		t.Errorf("kind = %v, want %v", got, want.Kind)
	}
	if token != "" && strings.Contains(err.Error(), token) {
		t.Errorf("error text contains the token")
	}
	if parts := strings.Split(token, "."); len(parts) == 3 && len(parts[2]) > 8 && strings.Contains(err.Error(), parts[2]) {
		t.Errorf("error text contains the token's signature")
	}
}
