package lead

import (
	"context"
	"log/slog"
	"time"
)

// Cache lifetimes.
const (
	// DefaultCacheTTL is how long a found or private profile is served from the cache: a day, as
	// in the original (profiles change slowly; each scrape costs money).
	DefaultCacheTTL = 24 * time.Hour
	// DefaultNotFoundTTL is how long "no such profile" is served from the cache: shorter, because
	// a handle someone is about to analyse may have just been created or renamed.
	DefaultNotFoundTTL = time.Hour
)

// CachedScraper answers from a ProfileCache when it can and otherwise asks Next and stores its
// answer. Keys are normalised usernames, so "@NASA" and "nasa" share one entry, across accounts.
//
// A cache hit is marked Cached, costs 0 (OriginalCostMicros keeps what the scrape cost) and keeps
// the original Provider and FetchedAt. Errors of Next are returned unchanged and never cached.
// The cache is an optimisation, never a dependency: a failing Get is a miss and a failing Put is
// logged, so a cache outage costs money but fails no scrape.
type CachedScraper struct {
	next        Scraper
	cache       ProfileCache
	ttl         time.Duration
	notFoundTTL time.Duration
	now         func() time.Time
	log         *slog.Logger
}

// CacheOption changes a CachedScraper's defaults.
type CacheOption func(*CachedScraper)

// WithTTL sets how long found and private answers are served (default DefaultCacheTTL) and how
// long not-found answers are (default DefaultNotFoundTTL, never more than ttl). Non-positive
// values keep the defaults.
func WithTTL(ttl, notFoundTTL time.Duration) CacheOption {
	return func(c *CachedScraper) {
		if ttl > 0 {
			c.ttl = ttl
		}
		if notFoundTTL > 0 {
			c.notFoundTTL = notFoundTTL
		}
	}
}

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) CacheOption { return func(c *CachedScraper) { c.now = now } }

// WithLogger sets where cache failures are logged (default: discarded).
func WithLogger(l *slog.Logger) CacheOption { return func(c *CachedScraper) { c.log = l } }

// NewCachedScraper returns next behind cache.
func NewCachedScraper(next Scraper, cache ProfileCache, opts ...CacheOption) *CachedScraper {
	c := &CachedScraper{next: next, cache: cache, ttl: DefaultCacheTTL, notFoundTTL: DefaultNotFoundTTL,
		now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	c.notFoundTTL = min(c.notFoundTTL, c.ttl)
	return c
}

// Scrape implements Scraper. It returns ErrInvalidUsername for a handle NormalizeUsername refuses.
func (c *CachedScraper) Scrape(ctx context.Context, username string) (ScrapeResult, error) {
	u, err := NormalizeUsername(username)
	if err != nil {
		return ScrapeResult{}, err
	}
	r, found, err := c.cache.Get(ctx, u, c.ttl)
	switch {
	case err != nil:
		c.log.WarnContext(ctx, "profile cache read failed; scraping", slog.String("username", u), slog.String("error", err.Error()))
	case found && c.fresh(r):
		r.Cached = true
		r.CostMicros = 0
		return r, nil
	}
	r, err = c.next.Scrape(ctx, u)
	if err != nil {
		return ScrapeResult{}, err
	}
	if err := c.cache.Put(ctx, u, r); err != nil {
		c.log.WarnContext(ctx, "profile cache write failed", slog.String("username", u), slog.String("error", err.Error()))
	}
	return r, nil
}

// fresh applies the shorter lifetime of not-found answers (the cache applied ttl already).
func (c *CachedScraper) fresh(r ScrapeResult) bool {
	return r.Outcome != NotFound || c.now().Sub(r.FetchedAt) <= c.notFoundTTL
}
