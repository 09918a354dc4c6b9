package jwt

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/oslira/oslira/core/identity"
)

// Verified tokens are remembered so that a client sending the same token on every request pays
// for signature checking and JSON decoding once (about an eighth of the CPU of a cheap
// authenticated read, measured). An entry lives until the token expires or cacheTTL passes,
// whichever is first, so a key removed from the JWKS stops being honoured within cacheTTL.
// Entries are keyed by the SHA-256 of the token; the token itself is not kept. Only successes
// are cached: a refused token is checked again each time.
const (
	cacheTTL     = time.Minute
	cacheEntries = 10_000 // when full, the cache is emptied: cheap and self-healing
)

type verifiedCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]cachedClaims
}

type cachedClaims struct {
	claims identity.Claims
	until  time.Time
}

func newVerifiedCache() *verifiedCache {
	return &verifiedCache{m: make(map[[sha256.Size]byte]cachedClaims)}
}

func (c *verifiedCache) get(token string, now time.Time) (identity.Claims, bool) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return identity.Claims{}, false
	}
	if !now.Before(e.until) {
		delete(c.m, key)
		return identity.Claims{}, false
	}
	return e.claims, true
}

func (c *verifiedCache) put(token string, claims identity.Claims, now time.Time) {
	until := now.Add(cacheTTL)
	if !claims.ExpiresAt.IsZero() && claims.ExpiresAt.Before(until) {
		until = claims.ExpiresAt
	}
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= cacheEntries {
		clear(c.m)
	}
	c.m[key] = cachedClaims{claims: claims, until: until}
}
