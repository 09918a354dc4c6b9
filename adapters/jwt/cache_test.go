package jwt

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/identity"
)

func newCachedVerifier(t *testing.T, secret string) *Verifier {
	t.Helper()
	v, err := New(context.Background(), Config{HS256Secret: secret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

func TestVerifiedTokensAreCachedUntilExpiry(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s", 40)
	v := newCachedVerifier(t, secret)
	start := time.Now()
	v.now = func() time.Time { return start }
	tok, err := MintHS256(secret, MintClaims{UserID: "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11", TTL: 10 * time.Minute, Now: start})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}

	// With the secret swapped, only a cached token can still verify: this proves the hit.
	v.secret = []byte(strings.Repeat("x", 40))
	if c, err := v.Verify(context.Background(), tok); err != nil || c.UserID != "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11" {
		t.Fatalf("cached token: %+v, %v", c, err)
	}
	other, _ := MintHS256(secret, MintClaims{UserID: "5d7e1f2a-8b3c-4d9e-a0f1-2b3c4d5e6f70", TTL: 10 * time.Minute, Now: start})
	if _, err := v.Verify(context.Background(), other); !errors.Is(err, identity.ErrTokenInvalid) {
		t.Fatalf("an uncached token must be checked: err = %v", err)
	}

	// Past cacheTTL the token is checked again (and now fails against the swapped secret).
	v.now = func() time.Time { return start.Add(cacheTTL) }
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, identity.ErrTokenInvalid) {
		t.Fatalf("after the cache TTL: err = %v, want a fresh check", err)
	}
}

func TestCacheNeverOutlivesTheToken(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s", 40)
	v := newCachedVerifier(t, secret)
	start := time.Now()
	v.now = func() time.Time { return start }
	tok, _ := MintHS256(secret, MintClaims{UserID: "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11", TTL: 20 * time.Second, Now: start})
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	// 20 s TTL + 30 s leeway: at +55 s the token is expired even though cacheTTL (1 min) is not over.
	v.now = func() time.Time { return start.Add(55 * time.Second) }
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, identity.ErrTokenExpired) {
		t.Fatalf("err = %v, want expired", err)
	}
}

func TestCacheEmptiesWhenFull(t *testing.T) {
	t.Parallel()
	c := newVerifiedCache()
	now := time.Now()
	for i := range cacheEntries {
		c.put(string(rune(i))+"tok", identity.Claims{}, now)
	}
	c.put("one-more", identity.Claims{}, now)
	if len(c.m) != 1 {
		t.Fatalf("cache holds %d entries after overflowing, want 1", len(c.m))
	}
}
