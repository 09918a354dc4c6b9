package cron

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/maintenance"
)

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// suffix returns 8 random hex digits, for names of a test's own.
func suffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(s string) *clock {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &clock{now: t}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// ledger records which runner ran which job for which period.
type ledger struct {
	mu   sync.Mutex
	runs []string // "runner job period"
}

func (l *ledger) add(s string) {
	l.mu.Lock()
	l.runs = append(l.runs, s)
	l.mu.Unlock()
}

func (l *ledger) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.runs)
}

// recording is a job that records each run in l as "runner name period" and then calls then
// (when not nil).
func recording(l *ledger, runner, name string, s maintenance.Schedule, then func(ctx context.Context) error) Job {
	return Job{Name: name, Schedule: s, Timeout: time.Minute, Run: func(ctx context.Context, p maintenance.Period) (string, error) {
		l.add(runner + " " + name + " " + p.Key)
		if then != nil {
			return "", then(ctx)
		}
		return "ok", nil
	}}
}

// testScheduler is a Scheduler driven tick by tick.
type testScheduler struct {
	*Scheduler
	ctx context.Context
}

// newTestScheduler builds a scheduler over pool contending for key. Its loop is not started:
// tests call step. Cleanup winds it down (cancel, wait, release).
func newTestScheduler(t *testing.T, pool *pgxpool.Pool, key int64, runner string, c *clock, jobs ...Job) *testScheduler {
	t.Helper()
	lock := postgres.NewLeaderLock(pool, key, "test-"+runner)
	s, err := NewScheduler(lock, postgres.NewCronRunStore(postgres.NewDB(pool)), jobs,
		SchedulerConfig{Tick: time.Hour, RunnerID: runner, RetryAfter: time.Microsecond, Now: c.Now}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		s.windDown()
	})
	return &testScheduler{Scheduler: s, ctx: ctx}
}

// step runs one tick and waits for the jobs it started to finish.
func (s *testScheduler) step() {
	s.tick(s.ctx)
	s.jobsWG.Wait()
}

// isLeading reports the scheduler's view of its leadership.
func (s *Scheduler) isLeading() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leading
}

// backendPID is the session holding (or trying) the scheduler's leader lock.
func (s *Scheduler) backendPID() uint32 { return s.lead.(*postgres.LeaderLock).BackendPID() }

// testKey is a random advisory-lock key, so parallel tests do not contend.
func testKey() int64 { return mrand.Int64() }

// run is one cron_runs row.
type run struct {
	Period  string
	Attempt int
	Outcome string
	Runner  string
	Detail  string
}

func storedRuns(t *testing.T, pool *pgxpool.Pool, job string) []run {
	t.Helper()
	rows, err := pool.Query(t.Context(), `select period_key, attempt, outcome, runner, coalesce(detail, '')
		from public.cron_runs where job = $1 order by period_key`, job)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []run
	for rows.Next() {
		var r run
		if err := rows.Scan(&r.Period, &r.Attempt, &r.Outcome, &r.Runner, &r.Detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
