package postgres

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/maintenance"
)

// CronRunStore is the cron host's run log (table cron_runs, migration 00006): one row per job
// and period. It implements maintenance.RunLog; every time it compares is the database's.
type CronRunStore struct {
	db *DB
}

var _ maintenance.RunLog = (*CronRunStore)(nil)

// NewCronRunStore returns a CronRunStore over db.
func NewCronRunStore(db *DB) *CronRunStore { return &CronRunStore{db: db} }

// sqlClaimRun inserts the period's row, or takes over an existing one that is abandoned (still
// running past its lease) or failed long enough ago. The plain SELECT reports the stored row
// when the claim is refused: it reads the statement's snapshot, so a row committed by a
// concurrent claim during this statement may be missing from it (the outcome is then unknown).
const sqlClaimRun = `
with claimed as (
  insert into public.cron_runs as r (job, period_key, runner)
  values ($1, $2, $3)
  on conflict (job, period_key) do update set
    attempt = r.attempt + 1, runner = excluded.runner, started_at = now(),
    finished_at = null, outcome = 'running', detail = null
  where (r.outcome = 'running' and r.started_at < now() - make_interval(secs => $4))
     or (r.outcome = 'failed' and r.finished_at < now() - make_interval(secs => $5))
  returning attempt, started_at, outcome
)
select attempt, started_at, outcome, true from claimed
union all
select attempt, started_at, outcome, false from public.cron_runs
where job = $1 and period_key = $2 and not exists (select 1 from claimed)`

// Claim implements maintenance.RunLog. When the claim is refused, the returned Claim carries
// the stored attempt and outcome (Outcome "" when not known), so callers can tell a period
// that succeeded from one in progress.
func (s *CronRunStore) Claim(ctx context.Context, r maintenance.ClaimRequest) (maintenance.Claim, bool, error) {
	c := maintenance.Claim{Job: r.Job, Period: r.Period}
	var (
		outcome string
		claimed bool
	)
	err := s.db.Pool().QueryRow(ctx, sqlClaimRun, r.Job, r.Period, r.Runner,
		r.Lease.Seconds(), r.RetryAfter.Seconds()).Scan(&c.Attempt, &c.StartedAt, &outcome, &claimed)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return maintenance.Claim{}, false, MapError(fmt.Errorf("claim cron run %s/%s: %w", r.Job, r.Period, err))
	}
	c.StartedAt = c.StartedAt.UTC()
	c.Outcome = maintenance.Outcome(outcome)
	return c, claimed, nil
}

// maxDetail bounds the stored detail, in bytes.
const maxDetail = 2000

// Finish implements maintenance.RunLog.
func (s *CronRunStore) Finish(ctx context.Context, c maintenance.Claim, o maintenance.Outcome, detail string) error {
	if o != maintenance.OutcomeSucceeded && o != maintenance.OutcomeFailed {
		return fmt.Errorf("finish cron run %s/%s: outcome %q is not final", c.Job, c.Period, o)
	}
	_, err := s.db.Pool().Exec(ctx, `update public.cron_runs
		set outcome = $4, detail = $5, finished_at = now()
		where job = $1 and period_key = $2 and attempt = $3 and outcome = 'running'`,
		c.Job, c.Period, c.Attempt, string(o), truncate(detail, maxDetail))
	if err != nil {
		return MapError(fmt.Errorf("finish cron run %s/%s: %w", c.Job, c.Period, err))
	}
	return nil
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
