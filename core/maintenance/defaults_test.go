package maintenance_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/maintenance"
)

// probeLedger is a fakeLedger that measures how many Apply calls run at once. Each call waits
// until `target` calls are in flight together (then every waiting call goes on) or until `wait`
// has passed, so reaching the target does not depend on scheduling luck, and a run limited below
// the target never reaches it.
type probeLedger struct {
	*fakeLedger
	target int
	wait   time.Duration

	mu       sync.Mutex
	inflight int
	peak     int
	reached  bool
}

func (p *probeLedger) Apply(ctx context.Context, r credit.EntryRequest) (credit.Result, error) {
	p.mu.Lock()
	p.inflight++
	p.peak = max(p.peak, p.inflight)
	if p.inflight >= p.target {
		p.reached = true
	}
	p.mu.Unlock()
	for deadline := time.Now().Add(p.wait); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		p.mu.Lock()
		reached := p.reached
		p.mu.Unlock()
		if reached {
			break
		}
	}
	defer func() { p.mu.Lock(); p.inflight--; p.mu.Unlock() }()
	return p.fakeLedger.Apply(ctx, r)
}

// runFreeGrant runs g for March 2026, failing the test if it does not finish within 10 s.
func runFreeGrant(t *testing.T, g *maintenance.FreeGrant) maintenance.FreeGrantReport {
	t.Helper()
	type result struct {
		rep maintenance.FreeGrantReport
		err error
	}
	done := make(chan result, 1)
	go func() { rep, err := g.Run(t.Context(), "2026-03"); done <- result{rep, err} }()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.rep
	case <-time.After(10 * time.Second):
		t.Fatal("the free grant did not finish in 10 s")
		return maintenance.FreeGrantReport{}
	}
}

func accountIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("a%02d", i)
	}
	return ids
}

// TestFreeGrantZeroConfigTakesTheDefaults: a zero FreeGrantConfig asks for pages of
// DefaultFreeGrantPageSize accounts and grants DefaultFreeGrantConcurrency accounts at once.
func TestFreeGrantZeroConfigTakesTheDefaults(t *testing.T) {
	t.Parallel()
	ledger := &probeLedger{fakeLedger: newFakeLedger(), target: maintenance.DefaultFreeGrantConcurrency, wait: 5 * time.Second}
	accounts := &fakeAccounts{ids: accountIDs(2 * maintenance.DefaultFreeGrantConcurrency), ledger: ledger.fakeLedger}
	rep := runFreeGrant(t, maintenance.NewFreeGrant(freePlans(10), accounts, ledger, maintenance.FreeGrantConfig{}))
	if rep.Granted != 2*maintenance.DefaultFreeGrantConcurrency || rep.Pages != 1 {
		t.Errorf("report = %s", rep)
	}
	if len(accounts.pages) != 1 || accounts.pages[0].Limit != maintenance.DefaultFreeGrantPageSize {
		t.Errorf("pages asked = %+v, want one of %d accounts", accounts.pages, maintenance.DefaultFreeGrantPageSize)
	}
	if ledger.peak != maintenance.DefaultFreeGrantConcurrency {
		t.Errorf("%d grants at once, want the default %d", ledger.peak, maintenance.DefaultFreeGrantConcurrency)
	}
}

// TestFreeGrantHonoursAConfiguredConcurrency: Concurrency 1 grants one account at a time (the
// probe would let a second concurrent call through at once).
func TestFreeGrantHonoursAConfiguredConcurrency(t *testing.T) {
	t.Parallel()
	ledger := &probeLedger{fakeLedger: newFakeLedger(), target: 2, wait: 20 * time.Millisecond}
	accounts := &fakeAccounts{ids: accountIDs(4), ledger: ledger.fakeLedger}
	rep := runFreeGrant(t, maintenance.NewFreeGrant(freePlans(10), accounts, ledger, maintenance.FreeGrantConfig{Concurrency: 1}))
	if rep.Granted != 4 || ledger.peak != 1 {
		t.Errorf("report = %s with %d grants at once, want 4 granted one at a time", rep, ledger.peak)
	}
}

// limitRecorder is an IdempotencyPruner and a FinishedRunPurger with nothing to delete that
// records the batch sizes it was asked for.
type limitRecorder struct{ limits []int }

func (l *limitRecorder) PruneExpired(_ context.Context, _ time.Time, limit int) (int64, error) {
	l.limits = append(l.limits, limit)
	return 0, nil
}

func (l *limitRecorder) DeleteFinished(_ context.Context, _ time.Time, limit int) (int, error) {
	l.limits = append(l.limits, limit)
	return 0, nil
}

// TestBatchSizeDefaults: a batch size of 0 takes the job's default; a positive one is kept.
func TestBatchSizeDefaults(t *testing.T) {
	t.Parallel()
	now := at("2026-03-01T00:00:00Z")
	for name, tc := range map[string]struct {
		run  func(*limitRecorder) error
		want int
	}{
		"idempotency prune, 0": {func(l *limitRecorder) error {
			_, err := maintenance.NewIdempotencyPrune(l, 0).Run(t.Context(), now)
			return err
		}, maintenance.DefaultIdempotencyPruneBatch},
		"workflow retention, 0": {func(l *limitRecorder) error {
			_, err := maintenance.NewWorkflowRetention(l, 0, 0).Run(t.Context(), now)
			return err
		}, maintenance.DefaultWorkflowRetentionBatch},
		"workflow retention, 7": {func(l *limitRecorder) error {
			_, err := maintenance.NewWorkflowRetention(l, 0, 7).Run(t.Context(), now)
			return err
		}, 7},
	} {
		l := &limitRecorder{}
		if err := tc.run(l); err != nil || len(l.limits) != 1 || l.limits[0] != tc.want {
			t.Errorf("%s: batches asked %v (%v), want [%d]", name, l.limits, err, tc.want)
		}
	}
}
