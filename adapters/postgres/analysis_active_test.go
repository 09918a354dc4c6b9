package postgres_test

import (
	"slices"
	"testing"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/tenant"
)

// TestActiveListsOnlyAnalysesInFlight: pending and running analyses, newest first, with their
// progress; finished ones are left out, the limit holds, another account (or a member claiming
// this account) sees none of them.
func TestActiveListsOnlyAnalysesInFlight(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 20)
	pending := f.submit(t, "still.pending")
	running := f.running(t, "now.running")
	done := f.running(t, "already.done")
	finish(t, f, analyze.Finish{ID: done.ID, Outcome: analysis.NotFound})
	if err := f.store.Publish(t.Context(), analyze.Event{AccountID: f.m.account, AnalysisID: running.ID,
		Type: analyze.EventProgress, Step: "scrape", StepIndex: 1, StepTotal: 4, Percent: 35}); err != nil {
		t.Fatal(err)
	}

	got, err := f.store.Active(t.Context(), f.m.principal(), 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(got))
	for i, a := range got {
		ids[i] = a.ID
	}
	if !slices.Equal(ids, []string{running.ID, pending.ID}) || got[0].Progress != 35 || got[0].Step != "scrape" {
		t.Errorf("active = %v (%+v), want the running then the pending analysis", ids, got)
	}
	if one, err := f.store.Active(t.Context(), f.m.principal(), 1); err != nil || len(one) != 1 || one[0].ID != running.ID {
		t.Errorf("limit 1 = %v, %v", one, err)
	}
	other := newAnalysisFixture(t, 0)
	for name, p := range map[string]tenant.Principal{"other account": other.m.principal(), "claimed account": intruder(t, f)} {
		if got, err := f.store.Active(t.Context(), p, 10); err != nil || len(got) != 0 {
			t.Errorf("%s: active = %v, %v; want none", name, got, err)
		}
	}
	if got, err := f.store.Active(t.Context(), tenant.Principal{AccountID: "nope"}, 10); err != nil || got == nil || len(got) != 0 {
		t.Errorf("malformed account: %v, %v", got, err)
	}
}
