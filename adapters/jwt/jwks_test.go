package jwt_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
)

// TestUnknownKIDRefreshesOnceThenRejects: an unknown kid costs one JWKS fetch, then a refusal;
// a second unknown kid inside the refresh floor costs no fetch at all.
func TestUnknownKIDRefreshesOnceThenRejects(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"))
	v := newVerifier(t, jwt.Config{JWKSURL: fake.URL(), RefreshFloor: time.Hour})
	if n := fake.hits.Load(); n != 1 {
		t.Fatalf("fetches after New = %d, want 1", n)
	}

	token := sign(t, gojwt.SigningMethodES256, ecKey(), "k-unknown", claims())
	_, err := v.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrTokenUnknownKey, token)
	if n := fake.hits.Load(); n != 2 {
		t.Fatalf("fetches after the first unknown kid = %d, want 2 (one refresh)", n)
	}

	token = sign(t, gojwt.SigningMethodES256, ecKey(), "k-another", claims())
	_, err = v.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrTokenUnknownKey, token)
	if n := fake.hits.Load(); n != 2 {
		t.Fatalf("fetches after a second unknown kid inside the floor = %d, want still 2", n)
	}

	// Known keys keep verifying from the cache.
	if _, err := v.Verify(context.Background(), sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", claims())); err != nil {
		t.Fatalf("known kid: %v", err)
	}
	if n := fake.hits.Load(); n != 2 {
		t.Fatalf("a known kid fetched the JWKS (%d fetches)", n)
	}
}

// TestUnknownKIDPicksUpRotatedKey: after a rotation the new kid is fetched on first sight.
func TestUnknownKIDPicksUpRotatedKey(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, rsaJWK(rsaKey(), "k-old"))
	v := newVerifier(t, jwt.Config{JWKSURL: fake.URL(), RefreshFloor: time.Hour})
	fake.setKeys(rsaJWK(rsaKey(), "k-old"), ecJWK(ecKey(), "k-new", "ES256"))

	if _, err := v.Verify(context.Background(), sign(t, gojwt.SigningMethodES256, ecKey(), "k-new", claims())); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := fake.hits.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2", n)
	}
}

// TestJWKSDownAtStart: New succeeds, HS256 works, asymmetric tokens get keys-unavailable
// (Unavailable) until the JWKS answers, and the health check says so.
func TestJWKSDownAtStart(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"))
	fake.setStatus(http.StatusServiceUnavailable)
	// A short floor lets the second Verify below wait for it (< FetchTimeout) instead of failing.
	v := newVerifier(t, jwt.Config{HS256Secret: testSecret, JWKSURL: fake.URL(), RefreshFloor: 20 * time.Millisecond})
	health := jwt.NewHealthCheck(v)
	if err := health.Check(context.Background()); err == nil {
		t.Error("health passes with no key set loaded")
	} else if msg := err.Error(); !strings.Contains(msg, "unexpected HTTP status") || strings.Contains(msg, fake.srv.URL) {
		t.Errorf("health = %q, want the failure class and no URL", msg)
	}

	if _, err := v.Verify(context.Background(), sign(t, gojwt.SigningMethodHS256, []byte(testSecret), "", claims())); err != nil {
		t.Fatalf("HS256 while the JWKS is down: %v", err)
	}
	esToken := sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", claims())
	_, err := v.Verify(context.Background(), esToken)
	assertRefused(t, err, identity.ErrKeysUnavailable, esToken)
	if apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("kind = %v, want Unavailable", apperr.KindOf(err))
	}
	if n := fake.hits.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2 (start-up + one retry triggered by the token)", n)
	}

	fake.setStatus(http.StatusOK)
	if _, err := v.Verify(context.Background(), esToken); err != nil {
		t.Fatalf("ES256 after the JWKS came back: %v", err)
	}
	if err := health.Check(context.Background()); err != nil {
		t.Errorf("health after recovery: %v", err)
	}

	// A later failed refresh keeps the cached keys and degrades health.
	fake.setStatus(http.StatusBadGateway)
	unknown := sign(t, gojwt.SigningMethodES256, ecKey(), "k-rotated", claims())
	_, err = v.Verify(context.Background(), unknown)
	assertRefused(t, err, identity.ErrKeysUnavailable, unknown)
	if _, err := v.Verify(context.Background(), esToken); err != nil {
		t.Fatalf("cached key after a failed refresh: %v", err)
	}
	if err := health.Check(context.Background()); err == nil {
		t.Error("health passes after a failed refresh")
	}
}

// TestJWKSUnreachableAtStart: a refused connection does not fail or stall start-up.
func TestJWKSUnreachableAtStart(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + jwksPath
	srv.Close()
	v := newVerifier(t, jwt.Config{JWKSURL: url, RefreshFloor: time.Hour})
	if err := jwt.NewHealthCheck(v).Check(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("health = %v, want cannot reach", err)
	}
	token := sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", claims())
	_, err := v.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrKeysUnavailable, token)
	// The floor now blocks further fetches; the answer stays "unavailable", not "unknown key".
	_, err = v.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrKeysUnavailable, token)
}

// TestJWKSInvalidBodyCountsAsFailure: a 200 with a body that is not a JWK Set is a failed fetch.
func TestJWKSInvalidBodyCountsAsFailure(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>gateway</html>"))
	}))
	t.Cleanup(srv.Close)
	v := newVerifier(t, jwt.Config{JWKSURL: srv.URL + jwksPath, RefreshFloor: time.Hour})
	if err := jwt.NewHealthCheck(v).Check(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid key set") {
		t.Errorf("health = %v, want invalid key set", err)
	}
	token := sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", claims())
	_, err := v.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrKeysUnavailable, token)
}

// TestPeriodicRefreshStopsOnClose: the background refresh runs every RefreshInterval until Close.
func TestPeriodicRefreshStopsOnClose(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"))
	v, err := jwt.New(context.Background(), jwt.Config{JWKSURL: fake.URL(), RefreshInterval: 10 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for fake.hits.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no periodic refresh: %d fetches", fake.hits.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	v.Close()
	v.Close() // idempotent
	before := fake.hits.Load()
	time.Sleep(60 * time.Millisecond)
	// One tick may already have been in flight when Close ran.
	if after := fake.hits.Load(); after > before+1 {
		t.Errorf("refresh continued after Close: %d → %d fetches", before, after)
	}
	// Cached keys still verify after Close.
	if _, err := v.Verify(context.Background(), sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", claims())); err != nil {
		t.Errorf("Verify after Close: %v", err)
	}
}

func TestNewFailsWhenStartUpIsCancelled(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v, err := jwt.New(ctx, jwt.Config{JWKSURL: fake.URL()}, nil); err == nil {
		v.Close()
		t.Fatal("New succeeded under a cancelled context")
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	if _, err := jwt.New(context.Background(), jwt.Config{}, nil); err == nil {
		t.Fatal("New accepted an empty config")
	}
}

// TestVerifyWithCancelledContextOnUnknownKID: a caller that gave up gets "unavailable", not a
// verdict about the token.
func TestVerifyWithCancelledContextOnUnknownKID(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"))
	v := newVerifier(t, jwt.Config{JWKSURL: fake.URL()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	token := sign(t, gojwt.SigningMethodES256, ecKey(), "k-unknown", claims())
	_, err := v.Verify(ctx, token)
	assertRefused(t, err, identity.ErrKeysUnavailable, token)
}
