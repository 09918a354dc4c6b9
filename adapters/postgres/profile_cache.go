package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oslira/oslira/core/lead"
)

// ProfileCache keeps the last scrape answer per username (table profile_cache, migration 00012)
// as the login role: the table is system data shared across accounts. It implements
// lead.ProfileCache. Ages are measured on the database's clock, so every process agrees.
type ProfileCache struct {
	db *DB
}

var _ lead.ProfileCache = (*ProfileCache)(nil)

// NewProfileCache returns a ProfileCache over db.
func NewProfileCache(db *DB) *ProfileCache { return &ProfileCache{db: db} }

const sqlProfileCacheGet = `
select result from public.profile_cache
where username = $1 and stored_at >= now() - $2 * interval '1 microsecond'`

// Get implements lead.ProfileCache. A row this version cannot read is a miss: the next scrape
// replaces it.
func (c *ProfileCache) Get(ctx context.Context, username string, maxAge time.Duration) (lead.ScrapeResult, bool, error) {
	return readCachedJSON[lead.ScrapeResult](ctx, c.db, "profile cache", sqlProfileCacheGet, username, maxAge.Microseconds())
}

const sqlProfileCachePut = `
insert into public.profile_cache (username, outcome, provider, result, cost_micros, fetched_at, stored_at)
values ($1, $2, $3, $4, $5, $6, now())
on conflict (username) do update set
  outcome = excluded.outcome, provider = excluded.provider, result = excluded.result,
  cost_micros = excluded.cost_micros, fetched_at = excluded.fetched_at, stored_at = excluded.stored_at`

// Put implements lead.ProfileCache. The stored answer is the provider's: Cached is false and
// CostMicros is what the scrape cost.
func (c *ProfileCache) Put(ctx context.Context, username string, r lead.ScrapeResult) error {
	r.Cached = false
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode profile cache entry: %w", err)
	}
	fetched := r.FetchedAt
	if fetched.IsZero() {
		fetched = time.Now()
	}
	_, err = c.db.Pool().Exec(ctx, sqlProfileCachePut, username, string(r.Outcome), r.Provider, raw, r.OriginalCostMicros, fetched)
	if err != nil {
		return MapError(fmt.Errorf("write profile cache: %w", err))
	}
	return nil
}
