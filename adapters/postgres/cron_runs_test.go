package postgres_test

import (
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/maintenance"
)

func claimReq(job, period string, lease, retry time.Duration) maintenance.ClaimRequest {
	return maintenance.ClaimRequest{Job: job, Period: period, Runner: "test", Lease: lease, RetryAfter: retry}
}

func TestCronRunClaimFinishAndRetry(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	runs := postgres.NewCronRunStore(postgres.NewDB(pool))
	ctx := t.Context()
	job := "test-claim-" + newUUID()[:8]

	c, ok, err := runs.Claim(ctx, claimReq(job, "2026-03", time.Hour, time.Hour))
	if err != nil || !ok || c.Attempt != 1 || c.Outcome != maintenance.OutcomeRunning || c.StartedAt.IsZero() {
		t.Fatalf("first claim = %+v, %v, %v", c, ok, err)
	}
	// In progress: refused, and the refusal says so.
	if c2, ok, err := runs.Claim(ctx, claimReq(job, "2026-03", time.Hour, time.Hour)); err != nil || ok || c2.Outcome != maintenance.OutcomeRunning {
		t.Fatalf("claim while running = %+v, %v, %v", c2, ok, err)
	}
	// Another period of the same job is independent.
	if _, ok, _ := runs.Claim(ctx, claimReq(job, "2026-04", time.Hour, time.Hour)); !ok {
		t.Fatal("another period refused")
	}
	if err := runs.Finish(ctx, c, maintenance.OutcomeFailed, "boom"); err != nil {
		t.Fatal(err)
	}
	// Failed: refused until RetryAfter has passed, then claimed as attempt 2.
	if _, ok, _ := runs.Claim(ctx, claimReq(job, "2026-03", time.Hour, time.Hour)); ok {
		t.Fatal("a failed run was re-claimed before RetryAfter")
	}
	c2, ok, err := runs.Claim(ctx, claimReq(job, "2026-03", time.Hour, 0))
	if err != nil || !ok || c2.Attempt != 2 {
		t.Fatalf("retry claim = %+v, %v, %v", c2, ok, err)
	}
	// A late Finish of attempt 1 does not touch attempt 2.
	if err := runs.Finish(ctx, c, maintenance.OutcomeSucceeded, "late"); err != nil {
		t.Fatal(err)
	}
	var outcome string
	if err := pool.QueryRow(ctx, "select outcome from public.cron_runs where job = $1 and period_key = '2026-03'", job).Scan(&outcome); err != nil || outcome != "running" {
		t.Fatalf("after a stale finish: outcome %q, %v", outcome, err)
	}
	if err := runs.Finish(ctx, c2, maintenance.OutcomeSucceeded, "done"); err != nil {
		t.Fatal(err)
	}
	// Succeeded: never claimed again, whatever the lease or retry delay.
	c3, ok, err := runs.Claim(ctx, claimReq(job, "2026-03", 0, 0))
	if err != nil || ok || c3.Outcome != maintenance.OutcomeSucceeded || c3.Attempt != 2 {
		t.Fatalf("claim after success = %+v, %v, %v", c3, ok, err)
	}
	var detail, runner string
	var finished bool
	if err := pool.QueryRow(ctx, `select detail, runner, finished_at is not null from public.cron_runs
		where job = $1 and period_key = '2026-03'`, job).Scan(&detail, &runner, &finished); err != nil || detail != "done" || runner != "test" || !finished {
		t.Errorf("stored run: %q %q %v %v", detail, runner, finished, err)
	}
	if err := runs.Finish(ctx, c3, maintenance.OutcomeRunning, ""); err == nil {
		t.Error("Finish accepted a non-final outcome")
	}
}

func TestCronRunAbandonedRunIsReclaimedAfterItsLease(t *testing.T) {
	t.Parallel()
	runs := postgres.NewCronRunStore(pgtest.DB(t))
	ctx := t.Context()
	job := "test-lease-" + newUUID()[:8]
	if _, ok, _ := runs.Claim(ctx, claimReq(job, "p", time.Hour, 0)); !ok {
		t.Fatal("first claim refused")
	}
	if _, ok, _ := runs.Claim(ctx, claimReq(job, "p", time.Hour, 0)); ok {
		t.Fatal("a run within its lease was re-claimed")
	}
	// The runner died: with the lease over, the period is claimed again.
	c, ok, err := runs.Claim(ctx, claimReq(job, "p", 0, 0))
	if err != nil || !ok || c.Attempt != 2 {
		t.Fatalf("claim after the lease = %+v, %v, %v", c, ok, err)
	}
}

func TestCronRunConcurrentClaimsGrantOne(t *testing.T) {
	t.Parallel()
	runs := postgres.NewCronRunStore(postgres.NewDB(contendedPool(t, 8)))
	job := "test-race-" + newUUID()[:8]
	const callers = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		granted int
	)
	start := make(chan struct{})
	for range callers {
		wg.Go(func() {
			<-start
			_, ok, err := runs.Claim(t.Context(), claimReq(job, "p", time.Hour, 0))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if granted != 1 {
		t.Fatalf("%d of %d concurrent claims granted, want 1", granted, callers)
	}
}
