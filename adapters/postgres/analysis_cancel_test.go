package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
)

func TestCancelPendingLeavesStartedItems(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	b, items, err := f.store.SubmitBatch(t.Context(), analyze.BatchSubmission{AccountID: f.m.account, BusinessProfileID: f.profile,
		Usernames: []string{"p.one", "r.two", "c.three", "p.four"}, Type: analysis.Light, Credits: 1}, noStart)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range items[1:3] {
		if _, ok, err := f.store.MarkRunning(t.Context(), a.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	finish(t, f, analyze.Finish{ID: items[2].ID, Outcome: analysis.Scored, Score: intp(60)})

	other := newAnalysisFixture(t, 10)
	if got, err := other.store.CancelPending(t.Context(), other.m.account, b.ID); err != nil || len(got) != 0 {
		t.Errorf("another account's cancel = %v, %v", got, err)
	}
	got, err := f.store.CancelPending(t.Context(), f.m.account, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != items[0].ID || got[1].ID != items[3].ID {
		t.Fatalf("cancelled %+v, want items 0 and 3 in order", got)
	}
	for _, a := range got {
		if a.Status != analysis.Cancelled || a.Outcome != analysis.CancelledOutcome || a.ErrorCode != analyze.CodeCancelled || !a.Refunded || a.CompletedAt.IsZero() {
			t.Errorf("cancelled item = %+v", a)
		}
		if n := f.entries(t, credit.AnalysisRefund, analyze.RunID(a.ID)); n != 1 {
			t.Errorf("%d refunds of %s", n, a.Username)
		}
	}
	for i, want := range map[int]analysis.Status{1: analysis.Running, 2: analysis.Completed} {
		if a, _ := f.store.Load(t.Context(), items[i].ID); a.Status != want || a.Refunded {
			t.Errorf("item %d = %s refunded %v, want %s untouched", i, a.Status, a.Refunded, want)
		}
	}
	if again, err := f.store.CancelPending(t.Context(), f.m.account, b.ID); err != nil || len(again) != 0 {
		t.Errorf("second cancel = %v, %v", again, err)
	}
	if bal, n := f.balance(t), f.entries(t, credit.AnalysisRefund, ""); bal != 8 || n != 2 {
		t.Errorf("balance %d with %d refunds, want 10-4+2 and 2", bal, n)
	}
	view, err := f.store.Batch(t.Context(), f.m.principal(), b.ID)
	if err != nil || view.CancelledAt.IsZero() {
		t.Errorf("batch cancelled_at %v, %v", view.CancelledAt, err)
	}
}

func TestStaleOldestFirst(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	base := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i, name := range []string{"old.three", "old.one", "old.two", "recent"} {
		a := f.submit(t, name)
		at := map[int]time.Time{0: base.Add(3 * time.Hour), 1: base.Add(time.Hour), 2: base.Add(2 * time.Hour), 3: base.Add(10 * time.Hour)}[i]
		if _, err := f.pool.Exec(t.Context(), `update public.analyses set created_at = $2 where id = $1`, a.ID, at); err != nil {
			t.Fatal(err)
		}
		want = append(want, a.ID)
	}
	run := f.running(t, "running.one")
	if _, err := f.pool.Exec(t.Context(), `update public.analyses set created_at = $2 where id = $1`, run.ID, base); err != nil {
		t.Fatal(err)
	}
	ids := func(status analysis.Status, before time.Time, limit int) []string {
		got, err := f.store.Stale(t.Context(), status, before, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range got {
			out = append(out, a.ID)
		}
		return out
	}
	cutoff := base.Add(5 * time.Hour)
	if got := ids(analysis.Pending, cutoff, 10); len(got) != 3 || got[0] != want[1] || got[1] != want[2] || got[2] != want[0] {
		t.Errorf("Stale(pending) = %v, want %v oldest first", got, []string{want[1], want[2], want[0]})
	}
	if got := ids(analysis.Pending, cutoff, 1); len(got) != 1 || got[0] != want[1] {
		t.Errorf("Stale(pending, limit 1) = %v", got)
	}
	if got := ids(analysis.Running, cutoff, 10); len(got) != 1 || got[0] != run.ID {
		t.Errorf("Stale(running) = %v", got)
	}
}

func TestBusinessProfileForTheRun(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 0)
	other := newAnalysisFixture(t, 0)
	p, err := f.store.BusinessProfile(t.Context(), f.m.account, f.profile)
	if err != nil || p.ID != f.profile || p.AccountID != f.m.account || p.BusinessName != "Acme" {
		t.Fatalf("BusinessProfile = %+v, %v", p, err)
	}
	if _, err := f.store.BusinessProfile(t.Context(), f.m.account, other.profile); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("foreign profile: %v", err)
	}
	if _, err := f.pool.Exec(t.Context(), `update public.business_profiles set deleted_at = now() where id = $1`, f.profile); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.BusinessProfile(t.Context(), f.m.account, f.profile); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("deleted profile: %v", err)
	}
}
