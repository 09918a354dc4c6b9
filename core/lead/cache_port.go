package lead

//go:generate go tool mockgen -typed -source=cache_port.go -destination=../../adapters/mock/leadmock/cache_mock.go -package=leadmock

import (
	"context"
	"time"
)

// ProfileCache stores scrape answers by username, shared by every account (a profile is public
// data; who asked for it is not stored). It is system data: no tenant scope.
//
// Get returns the answer stored for username if it was stored no earlier than now − maxAge;
// found is false otherwise. Put stores (or replaces) the answer for username, stamped now.
// username is the normalised, lowercased handle. Errors are apperr.Unavailable when the store
// cannot be reached; a CachedScraper treats every cache error as a miss (Get) or ignores it
// (Put), so a cache outage never fails a scrape.
type ProfileCache interface {
	Get(ctx context.Context, username string, maxAge time.Duration) (r ScrapeResult, found bool, err error)
	Put(ctx context.Context, username string, r ScrapeResult) error
}
