package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/oslira/oslira/core/ratelimit"
)

// RateLimitStore is the shared limiter (ratelimit.Limiter) over table rate_limits (migration
// 00016), as the login role: the table is system-only. Each decision is one statement, and the
// row lock of its `on conflict do update` serialises concurrent requests for one key, from any
// process, so a key never gets more than its policy allows. Times come from the caller's clock:
// processes whose clocks differ by s give a key at most s's worth of units more or less.
type RateLimitStore struct {
	db *DB
}

var _ ratelimit.Limiter = (*RateLimitStore)(nil)

// NewRateLimitStore returns a RateLimitStore over db.
func NewRateLimitStore(db *DB) *RateLimitStore { return &RateLimitStore{db: db} }

// sqlAllowRolling is GCRA in one statement: $3 now, $4 the interval T and $5 the tolerance τ in
// microseconds. A new key is allowed with TAT = now + T. An existing one is allowed when
// max(TAT, now) − now ≤ τ, and then TAT = max(TAT, now) + T; a refusal leaves TAT as it is. The
// SET expressions all read the row as it was before this statement.
const sqlAllowRolling = `
insert into public.rate_limits as r (policy, key, until, used, allowed)
values ($1, $2, $3::timestamptz + $4 * interval '1 microsecond', 0, true)
on conflict (policy, key) do update set
  allowed = greatest(r.until, $3::timestamptz) - $3::timestamptz <= $5 * interval '1 microsecond',
  until = case
    when greatest(r.until, $3::timestamptz) - $3::timestamptz <= $5 * interval '1 microsecond'
      then greatest(r.until, $3::timestamptz) + $4 * interval '1 microsecond'
    else r.until end,
  used = 0
returning until, allowed`

// sqlAllowCalendar counts a unit in the window ending at $3 with at most $4 units: a row of an
// earlier window starts the new one at 1; a refusal leaves the count as it is. (A row of a
// later window — another process's clock already past the boundary — keeps counting there.)
const sqlAllowCalendar = `
insert into public.rate_limits as r (policy, key, until, used, allowed)
values ($1, $2, $3, 1, true)
on conflict (policy, key) do update set
  allowed = r.until < $3 or r.used < $4,
  used = case when r.until < $3 then 1 when r.used < $4 then r.used + 1 else r.used end,
  until = greatest(r.until, $3)
returning until, used, allowed`

// Allow implements ratelimit.Limiter.
func (s *RateLimitStore) Allow(ctx context.Context, p ratelimit.Policy, key string, now time.Time) (ratelimit.Decision, error) {
	var (
		until   time.Time
		used    int
		allowed bool
	)
	switch p.Window {
	case ratelimit.CalendarUTC:
		end := p.WindowEnd(now)
		err := s.db.Pool().QueryRow(ctx, sqlAllowCalendar, p.Name, key, end, p.Limit).Scan(&until, &used, &allowed)
		if err != nil {
			return ratelimit.Decision{}, MapError(fmt.Errorf("rate limit %s: %w", p.Name, err))
		}
		return ratelimit.CalendarDecision(p, now, used, until, allowed), nil
	default:
		err := s.db.Pool().QueryRow(ctx, sqlAllowRolling, p.Name, key, now,
			p.Interval().Microseconds(), p.Tolerance().Microseconds()).Scan(&until, &allowed)
		if err != nil {
			return ratelimit.Decision{}, MapError(fmt.Errorf("rate limit %s: %w", p.Name, err))
		}
		return ratelimit.RollingDecision(p, now, until, allowed), nil
	}
}

// sqlReleaseCalendar gives a unit back in the window ending at $3 only (a unit of an earlier
// window is not the current window's to give), never below zero.
const sqlReleaseCalendar = `
update public.rate_limits set used = used - 1
where policy = $1 and key = $2 and until = $3 and used > 0`

// sqlReleaseRolling moves the TAT back one interval ($3); a TAT in the past already means a
// whole budget, so the result cannot be more than whole.
const sqlReleaseRolling = `
update public.rate_limits set until = until - $3 * interval '1 microsecond'
where policy = $1 and key = $2`

// Release implements ratelimit.Limiter.
func (s *RateLimitStore) Release(ctx context.Context, p ratelimit.Policy, key string, now time.Time) error {
	var err error
	if p.Window == ratelimit.CalendarUTC {
		_, err = s.db.Pool().Exec(ctx, sqlReleaseCalendar, p.Name, key, p.WindowEnd(now))
	} else {
		_, err = s.db.Pool().Exec(ctx, sqlReleaseRolling, p.Name, key, p.Interval().Microseconds())
	}
	if err != nil {
		return MapError(fmt.Errorf("release rate limit %s: %w", p.Name, err))
	}
	return nil
}
