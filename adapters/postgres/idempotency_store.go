package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/idempotency"
)

// IdempotencyStore keeps idempotency keys (table idempotency_keys, migration 00011) as the login
// role: the table is system-only. It implements idempotency.Store and, for the cron host,
// maintenance.IdempotencyPruner. Every time it compares comes from the caller's clock.
type IdempotencyStore struct {
	db *DB
}

var _ idempotency.Store = (*IdempotencyStore)(nil)

// NewIdempotencyStore returns an IdempotencyStore over db.
func NewIdempotencyStore(db *DB) *IdempotencyStore { return &IdempotencyStore{db: db} }

// sqlClaimKey inserts the key, or takes over a row that expired or whose in-flight holder
// abandoned it (lease over, same fingerprint), in one statement; concurrent claims of one key
// serialise on the primary key, so exactly one wins. When the claim is refused the plain SELECT
// reports the stored row; it reads the statement's snapshot, so a row committed by a concurrent
// claim during this statement may be missing (the caller then tries again).
const sqlClaimKey = `
with claimed as (
  insert into public.idempotency_keys as k
    (scope, route, key, fingerprint, token, locked_until, created_at, expires_at)
  values ($1, $2, $3, $4, $5, $6, $7, $8)
  on conflict (scope, route, key) do update set
    fingerprint = excluded.fingerprint, token = excluded.token, locked_until = excluded.locked_until,
    status = null, headers = null, body = null,
    created_at = excluded.created_at, expires_at = excluded.expires_at
  where k.expires_at <= $7
     or (k.status is null and k.locked_until <= $7 and k.fingerprint = excluded.fingerprint)
  returning 1
)
select true, '', null::smallint, null::jsonb, null::bytea, null::timestamptz, null::timestamptz from claimed
union all
select false, fingerprint, status, headers, body, locked_until, expires_at
from public.idempotency_keys
where scope = $1 and route = $2 and key = $3 and not exists (select 1 from claimed)`

// Claim implements idempotency.Store.
func (s *IdempotencyStore) Claim(ctx context.Context, k idempotency.Key, c idempotency.Claim) (bool, *idempotency.Record, error) {
	var (
		claimed     bool
		status      *int16
		headers     []byte
		body        []byte
		lockedUntil *time.Time
		expiresAt   *time.Time
		rec         idempotency.Record
	)
	err := s.db.Pool().QueryRow(ctx, sqlClaimKey, k.Scope, k.Route, k.Key, c.Fingerprint, c.Token,
		c.LockedUntil, c.Now, c.ExpiresAt).
		Scan(&claimed, &rec.Fingerprint, &status, &headers, &body, &lockedUntil, &expiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, MapError(fmt.Errorf("claim idempotency key: %w", err))
	}
	if claimed {
		return true, nil, nil
	}
	if lockedUntil != nil {
		rec.LockedUntil = lockedUntil.UTC()
	}
	if expiresAt != nil {
		rec.ExpiresAt = expiresAt.UTC()
	}
	if status != nil {
		resp := &idempotency.Response{Status: int(*status), Body: body}
		if len(headers) > 0 {
			if err := json.Unmarshal(headers, &resp.Header); err != nil {
				return false, nil, fmt.Errorf("stored idempotency headers: %w", err)
			}
		}
		rec.Response = resp
	}
	return false, &rec, nil
}

const sqlCompleteKey = `
update public.idempotency_keys
set status = $5, headers = $6, body = $7, locked_until = null
where scope = $1 and route = $2 and key = $3 and token = $4 and status is null`

// Complete implements idempotency.Store.
func (s *IdempotencyStore) Complete(ctx context.Context, k idempotency.Key, token string, resp idempotency.Response) (bool, error) {
	headers, err := json.Marshal(resp.Header)
	if err != nil {
		return false, fmt.Errorf("encode idempotency headers: %w", err)
	}
	body := resp.Body
	if body == nil {
		body = []byte{}
	}
	tag, err := s.db.Pool().Exec(ctx, sqlCompleteKey, k.Scope, k.Route, k.Key, token, resp.Status, headers, body)
	if err != nil {
		return false, MapError(fmt.Errorf("complete idempotency key: %w", err))
	}
	return tag.RowsAffected() == 1, nil
}

const sqlReleaseKey = `
delete from public.idempotency_keys
where scope = $1 and route = $2 and key = $3 and token = $4 and status is null`

// Release implements idempotency.Store.
func (s *IdempotencyStore) Release(ctx context.Context, k idempotency.Key, token string) error {
	if _, err := s.db.Pool().Exec(ctx, sqlReleaseKey, k.Scope, k.Route, k.Key, token); err != nil {
		return MapError(fmt.Errorf("release idempotency key: %w", err))
	}
	return nil
}

const sqlPruneKeys = `
delete from public.idempotency_keys
where (scope, route, key) in (
  select scope, route, key from public.idempotency_keys
  where expires_at <= $1
  order by expires_at
  limit $2)`

// PruneExpired deletes at most limit keys that expired at or before now, in one statement, and
// returns how many it deleted (maintenance.IdempotencyPruner).
func (s *IdempotencyStore) PruneExpired(ctx context.Context, now time.Time, limit int) (int64, error) {
	tag, err := s.db.Pool().Exec(ctx, sqlPruneKeys, now, limit)
	if err != nil {
		return 0, MapError(fmt.Errorf("prune idempotency keys: %w", err))
	}
	return tag.RowsAffected(), nil
}
