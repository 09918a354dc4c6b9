package cron

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/maintenance"
)

func TestOnlyTheLeaderRunsJobs(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	key, c, l := testKey(), newClock("2026-03-10T12:00:00Z"), &ledger{}
	daily, hourly := "daily-"+suffix(), "hourly-"+suffix()
	jobs := func(runner string) []Job {
		return []Job{
			recording(l, runner, daily, maintenance.Daily(2, 0), nil),
			recording(l, runner, hourly, maintenance.Every(time.Hour), nil),
		}
	}
	a := newTestScheduler(t, pool, key, "a", c, jobs("a")...)
	b := newTestScheduler(t, pool, key, "b", c, jobs("b")...)

	for range 3 { // one after the other
		a.step()
		b.step()
	}
	var wg sync.WaitGroup // and at the same time
	for range 3 {
		wg.Go(a.step)
		wg.Go(b.step)
		wg.Wait()
	}
	// The leader's due jobs run concurrently, so the order they record in is not fixed.
	want := []string{"a " + daily + " 2026-03-10", "a " + hourly + " 2026-03-10T12:00:00Z"}
	slices.Sort(want)
	if got := l.all(); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	if !a.isLeading() || b.isLeading() {
		t.Errorf("leading: a %v, b %v", a.isLeading(), b.isLeading())
	}
	if r := storedRuns(t, pool, daily); len(r) != 1 || r[0].Outcome != "succeeded" || r[0].Runner != "a" || r[0].Detail != "ok" {
		t.Errorf("stored runs %+v", r)
	}
}

func TestFollowerTakesOverWhenTheLeaderSessionDies(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	key, c, l := testKey(), newClock("2026-03-10T12:00:00Z"), &ledger{}
	hourly, slow := "hourly-"+suffix(), "slow-"+suffix()
	started := make(chan struct{}, 1)
	// a's slow job blocks until its context ends; b's returns at once.
	blockUntilCancelled := func(ctx context.Context) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}
	a := newTestScheduler(t, pool, key, "a", c,
		recording(l, "a", hourly, maintenance.Every(time.Hour), nil),
		recording(l, "a", slow, maintenance.Daily(0, 0), blockUntilCancelled))
	b := newTestScheduler(t, pool, key, "b", c,
		recording(l, "b", hourly, maintenance.Every(time.Hour), nil),
		recording(l, "b", slow, maintenance.Daily(0, 0), nil))

	a.tick(a.ctx) // a leads; its slow job keeps running
	<-started
	a.mu.Lock()
	for len(a.running) != 1 { // wait for the hourly job to finish
		a.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		a.mu.Lock()
	}
	a.mu.Unlock()
	b.step()
	if b.isLeading() {
		t.Fatal("b leads while a holds the lock")
	}

	// The server drops a's lock session.
	var killed bool
	if err := pool.QueryRow(t.Context(), "select pg_terminate_backend($1, 5000)", a.backendPID()).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate a's session: %v %v", killed, err)
	}
	b.step() // b takes over; the hourly period is done, the slow one is a's (within its lease)
	if !b.isLeading() {
		t.Fatal("b did not take over")
	}
	a.step() // a finds its session gone: it resigns and its slow job is cancelled
	if a.isLeading() {
		t.Fatal("a still leads")
	}
	if r := storedRuns(t, pool, slow); len(r) != 1 || r[0].Outcome != "failed" || !strings.Contains(r[0].Detail, "context canceled") {
		t.Fatalf("a's cancelled run: %+v", r)
	}

	c.set("2026-03-10T13:00:00Z")
	b.step() // the next hourly period, and a retry of the slow period, run on b
	a.step()
	want := []string{
		"a " + hourly + " 2026-03-10T12:00:00Z", "a " + slow + " 2026-03-10",
		"b " + hourly + " 2026-03-10T13:00:00Z", "b " + slow + " 2026-03-10",
	}
	got := l.all()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	if r := storedRuns(t, pool, slow); len(r) != 1 || r[0].Outcome != "succeeded" || r[0].Attempt != 2 || r[0].Runner != "b" {
		t.Errorf("slow period after the retry: %+v", r)
	}
}

func TestRestartDoesNotRerunAPeriodAndAMissedPeriodRunsOnce(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	key, c, l := testKey(), newClock("2026-03-01T03:00:00Z"), &ledger{}
	daily, monthly := "daily-"+suffix(), "monthly-"+suffix()
	jobs := func(runner string) []Job {
		return []Job{
			recording(l, runner, daily, maintenance.Daily(2, 0), nil),
			recording(l, runner, monthly, maintenance.Monthly(1, 0, 0), nil),
		}
	}
	first := newTestScheduler(t, pool, key, "first", c, jobs("first")...)
	first.step()
	first.step()
	first.windDown() // the process stops

	second := newTestScheduler(t, pool, key, "second", c, jobs("second")...) // and starts again
	c.set("2026-03-01T05:00:00Z")
	second.step() // same periods: nothing runs
	c.set("2026-03-04T10:00:00Z")
	second.step() // days 2 and 3 were missed: today's period runs, once
	second.step()
	c.set("2026-04-20T03:00:00Z")
	second.step() // the cron was down over April 1st: April runs now
	second.step()

	want := []string{
		"first " + daily + " 2026-03-01", "first " + monthly + " 2026-03",
		"second " + daily + " 2026-03-04",
		"second " + daily + " 2026-04-20", "second " + monthly + " 2026-04",
	}
	if got := l.all(); !slices.Equal(got, want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
}

func TestFailedRunIsRetriedAndPanicsAreFailures(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	c := newClock("2026-03-10T12:00:00Z")
	flaky, panicky := "flaky-"+suffix(), "panicky-"+suffix()
	calls := 0
	s := newTestScheduler(t, pool, testKey(), "s", c,
		Job{Name: flaky, Schedule: maintenance.Daily(0, 0), Run: func(context.Context, maintenance.Period) (string, error) {
			calls++
			if calls == 1 {
				return "half done", errors.New("database down")
			}
			return "done", nil
		}},
		Job{Name: panicky, Schedule: maintenance.Monthly(1, 0, 0), Run: func(context.Context, maintenance.Period) (string, error) {
			panic("bad job")
		}},
	)
	s.step()
	r := storedRuns(t, pool, flaky)
	if len(r) != 1 || r[0].Outcome != "failed" || r[0].Detail != "half done; error: database down" {
		t.Fatalf("after the failure: %+v", r)
	}
	if p := storedRuns(t, pool, panicky); len(p) != 1 || p[0].Outcome != "failed" || !strings.Contains(p[0].Detail, "panicked: bad job") {
		t.Errorf("panicking job: %+v", p)
	}
	time.Sleep(time.Millisecond) // RetryAfter is a microsecond
	s.step()
	s.step()
	if r := storedRuns(t, pool, flaky); calls != 2 || len(r) != 1 || r[0].Outcome != "succeeded" || r[0].Attempt != 2 {
		t.Fatalf("after the retry: %d calls, %+v", calls, r)
	}
}

func TestNewSchedulerRejectsBadJobs(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, maintenance.Period) (string, error) { return "", nil }
	bad := map[string][]Job{
		"bad name":     {{Name: "Bad Name", Schedule: maintenance.Every(time.Minute), Run: ok}},
		"twice":        {{Name: "a", Schedule: maintenance.Every(time.Minute), Run: ok}, {Name: "a", Schedule: maintenance.Every(time.Minute), Run: ok}},
		"bad schedule": {{Name: "a", Run: ok}},
		"no run":       {{Name: "a", Schedule: maintenance.Every(time.Minute)}},
	}
	for name, jobs := range bad {
		if _, err := NewScheduler(nil, nil, jobs, SchedulerConfig{}, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestStartRunsTheLoopAndStopReleasesLeadership(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	key, name := testKey(), "loop-"+suffix()
	ran := make(chan string, 100)
	lock := postgres.NewLeaderLock(pool, key, "test-loop")
	s, err := NewScheduler(lock, postgres.NewCronRunStore(postgres.NewDB(pool)), []Job{{
		Name: name, Schedule: maintenance.Every(time.Second),
		Run: func(_ context.Context, p maintenance.Period) (string, error) { ran <- p.Key; return "", nil },
	}}, SchedulerConfig{Tick: 20 * time.Millisecond, RunnerID: "loop"}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second Start is a no-op
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	first := <-ran
	second := <-ran // the next one-second period, on a later tick
	if first == second {
		t.Fatalf("period %s ran twice", first)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 {
		if err := s.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
	}
	other := postgres.NewLeaderLock(pool, key, "test-after-stop")
	t.Cleanup(func() { _ = other.Release(context.Background()) })
	if ok, err := other.TryLead(t.Context()); !ok || err != nil {
		t.Fatalf("lock not released by Stop: %v, %v", ok, err)
	}
	if r := storedRuns(t, pool, name); len(r) < 2 || r[0].Outcome != "succeeded" {
		t.Errorf("stored runs %+v", r)
	}
}
