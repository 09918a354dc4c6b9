package maintenance_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/maintenance"
)

// fakePruner has expired keys to delete, and may fail after some calls.
type fakePruner struct {
	left    int64
	calls   int
	failAt  int
	lastNow time.Time
}

func (f *fakePruner) PruneExpired(_ context.Context, now time.Time, limit int) (int64, error) {
	f.calls++
	f.lastNow = now
	if f.failAt == f.calls {
		return 0, errors.New("database down")
	}
	n := min(f.left, int64(limit))
	f.left -= n
	return n, nil
}

func TestIdempotencyPruneDeletesInBatches(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	p := &fakePruner{left: 25}
	rep, err := maintenance.NewIdempotencyPrune(p, 10).Run(t.Context(), now)
	if err != nil || rep.Deleted != 25 || p.calls != 3 || !p.lastNow.Equal(now) || rep.String() != "deleted 25" {
		t.Fatalf("report %+v, %v after %d calls", rep, err, p.calls)
	}
	again, err := maintenance.NewIdempotencyPrune(p, 10).Run(t.Context(), now)
	if err != nil || again.Deleted != 0 {
		t.Fatalf("second run: %+v, %v", again, err)
	}
	failing := &fakePruner{left: 25, failAt: 2}
	if rep, err := maintenance.NewIdempotencyPrune(failing, 10).Run(t.Context(), now); err == nil || rep.Deleted != 10 {
		t.Fatalf("failing run: %+v, %v", rep, err)
	}
}
