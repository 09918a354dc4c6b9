package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oslira/oslira/core/analyze"
)

// AnonymousCache keeps the landing page's anonymous analyses per handle (table
// anonymous_results, migration 00016) as the login role: system data shared by every visitor.
// It implements analyze.AnonymousCache. Ages are measured on the database's clock, so every
// process agrees; the retention job deletes rows older than analyze.AnonymousTTL.
type AnonymousCache struct {
	db *DB
}

var _ analyze.AnonymousCache = (*AnonymousCache)(nil)

// NewAnonymousCache returns an AnonymousCache over db.
func NewAnonymousCache(db *DB) *AnonymousCache { return &AnonymousCache{db: db} }

const sqlAnonymousGet = `
select result from public.anonymous_results
where username = $1 and created_at >= now() - $2 * interval '1 microsecond'`

// Get implements analyze.AnonymousCache. A row this version cannot decode is a miss (the next
// analysis replaces it).
func (c *AnonymousCache) Get(ctx context.Context, username string, maxAge time.Duration) (analyze.AnonymousResult, bool, error) {
	return readCachedJSON[analyze.AnonymousResult](ctx, c.db, "anonymous result", sqlAnonymousGet, username, maxAge.Microseconds())
}

const sqlAnonymousPut = `
insert into public.anonymous_results (username, result, created_at) values ($1, $2, now())
on conflict (username) do update set result = excluded.result, created_at = excluded.created_at`

// Put implements analyze.AnonymousCache; the stored result has Cached false.
func (c *AnonymousCache) Put(ctx context.Context, username string, r analyze.AnonymousResult) error {
	r.Cached = false
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode anonymous result: %w", err)
	}
	if _, err := c.db.Pool().Exec(ctx, sqlAnonymousPut, username, raw); err != nil {
		return MapError(fmt.Errorf("write anonymous result: %w", err))
	}
	return nil
}
