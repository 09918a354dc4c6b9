package maintenance_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/maintenance"
)

// fakePartitioner records what it was asked and answers with fixed names or errors.
type fakePartitioner struct {
	from      time.Time
	months    int
	before    time.Time
	createErr error
	dropErr   error
}

func (f *fakePartitioner) EnsureAnalyticsPartitions(_ context.Context, from time.Time, months int) ([]string, error) {
	f.from, f.months = from, months
	return []string{"analytics_events_y2026m05"}, f.createErr
}

func (f *fakePartitioner) DropAnalyticsPartitions(_ context.Context, before time.Time) ([]string, error) {
	f.before = before
	return []string{"analytics_events_y2025m01"}, f.dropErr
}

func TestAnalyticsPartitionsCreatesAheadAndDropsPastRetention(t *testing.T) {
	t.Parallel()
	// 23:30 on March 31st in New York is already April 1st in UTC: months are UTC months.
	ny := time.FixedZone("EDT", -4*3600)
	now := time.Date(2026, 3, 31, 23, 30, 0, 0, ny)
	f := &fakePartitioner{}
	rep, err := maintenance.NewAnalyticsPartitions(f, 0).Run(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	if !f.from.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) || f.months != 3 {
		t.Errorf("ensure from %v for %d months, want 2026-04-01 UTC for 3", f.from, f.months)
	}
	// Default retention 13: April 2026 and the 13 months before it stay; March 2025 and older go.
	if !f.before.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("drop before %v, want 2025-03-01 UTC", f.before)
	}
	if got := rep.String(); got != "created 1 [analytics_events_y2026m05]; dropped 1 [analytics_events_y2025m01]" {
		t.Errorf("report %q", got)
	}

	f = &fakePartitioner{}
	if _, err := maintenance.NewAnalyticsPartitions(f, 2).Run(t.Context(), time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if !f.before.Equal(time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("retention 2 in January 2026: drop before %v, want 2025-11-01", f.before)
	}
}

func TestAnalyticsPartitionsRunsBothHalvesDespiteAFailure(t *testing.T) {
	t.Parallel()
	create, drop := errors.New("create failed"), errors.New("drop failed")
	f := &fakePartitioner{createErr: create}
	rep, err := maintenance.NewAnalyticsPartitions(f, 0).Run(t.Context(), time.Now())
	if !errors.Is(err, create) || f.before.IsZero() || len(rep.Dropped) != 1 {
		t.Fatalf("create failure: %v, drop ran: %v", err, !f.before.IsZero())
	}
	f = &fakePartitioner{dropErr: drop}
	rep, err = maintenance.NewAnalyticsPartitions(f, 0).Run(t.Context(), time.Now())
	if !errors.Is(err, drop) || errors.Is(err, create) || len(rep.Created) != 1 {
		t.Fatalf("drop failure: %v, report %+v", err, rep)
	}
}
