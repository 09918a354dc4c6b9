package analyzetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/analyze/analyzetest"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// fixture is a store with one funded account and one business profile, a service over it and
// an engine whose analysis runs are never executed (the tests drive the run store directly).
type fixture struct {
	store   *analyzetest.Store
	engine  *workflowtest.Engine
	svc     *analyze.Service
	caller  tenant.Principal
	profile string
}

func newFixture(t *testing.T, credits int64) fixture {
	t.Helper()
	tick := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { tick = tick.Add(time.Second); return tick }
	var f fixture
	f.engine = workflowtest.New([]workflow.Definition{{Name: analyze.Workflow, Queue: analyze.Queue,
		Body: func(context.Context, workflow.Run, []byte) ([]byte, error) { return nil, nil }}})
	f.store = analyzetest.New(analyzetest.WithClock(clock), analyzetest.WithTx(f.engine))
	f.svc = analyze.NewService(f.store, f.engine, nil)
	f.caller = tenant.Principal{UserID: f.store.NewID(), AccountID: f.store.NewID()}
	f.profile = f.store.NewID()
	f.store.AddProfile(business.Profile{ID: f.profile, AccountID: f.caller.AccountID})
	f.store.Fund(f.caller.AccountID, credits)
	return f
}

func (f fixture) submit(t *testing.T, handle, typ string) analyze.Analysis {
	t.Helper()
	a, err := f.svc.Submit(context.Background(), f.caller, analyze.SubmitInput{Username: handle, BusinessProfileID: f.profile, Type: typ})
	if err != nil {
		t.Fatalf("submit %s: %v", handle, err)
	}
	return a
}

func TestSubmitDebitsStartsAndRefusesWhatPostgresRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, 4)
	a := f.submit(t, "one", "deep")
	if got := f.store.Balance(f.caller.AccountID); got != 2 {
		t.Errorf("balance %d after a deep submit from 4, want 2", got)
	}
	if st, err := f.engine.Status(ctx, a.RunID()); err != nil || st.State != workflow.StateEnqueued {
		t.Errorf("run %s: %+v, %v; want it enqueued", a.RunID(), st, err)
	}
	var dup *analyze.DuplicateError
	if _, err := f.svc.Submit(ctx, f.caller, analyze.SubmitInput{Username: "one", BusinessProfileID: f.profile, Type: "light"}); !errors.As(err, &dup) || dup.Existing["one"] != a.ID {
		t.Errorf("second submit of a handle in flight: %v, want a DuplicateError naming %s", err, a.ID)
	}
	if _, err := f.svc.Submit(ctx, f.caller, analyze.SubmitInput{Username: "two", BusinessProfileID: f.profile, Type: "xray"}); !errors.Is(err, credit.ErrInsufficient) {
		t.Errorf("xray with 2 credits: %v, want credits.insufficient", err)
	}
	other := tenant.Principal{AccountID: f.store.NewID()}
	f.store.Fund(other.AccountID, 10)
	if _, err := f.svc.Submit(ctx, other, analyze.SubmitInput{Username: "two", BusinessProfileID: f.profile, Type: "light"}); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("another account's profile: %v, want business.ErrNotFound", err)
	}
	if _, err := f.svc.Get(ctx, other, a.ID); !errors.Is(err, analyze.ErrNotFound) {
		t.Errorf("another account reads the analysis: %v", err)
	}
	if got := f.store.Balance(f.caller.AccountID); got != 2 || len(f.store.Ledger()) != 3 { // two fundings, one debit
		t.Errorf("refused submits changed the books: balance %d, ledger %+v", got, f.store.Ledger())
	}
}

func TestASubmitWhoseStartFailsLeavesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	boom := errors.New("engine down")
	_, err := f.store.Submit(context.Background(), analyze.Submission{AccountID: f.caller.AccountID, BusinessProfileID: f.profile,
		Username: "x", Type: analysis.Light, Credits: 1}, func(context.Context, analyze.Analysis) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("submit: %v", err)
	}
	page, _ := f.svc.List(context.Background(), f.caller, analyze.AnalysisFilter{})
	if got := f.store.Balance(f.caller.AccountID); got != 5 || len(page.Items) != 0 {
		t.Errorf("after a failed start: balance %d, analyses %d; want 5 and none", got, len(page.Items))
	}
	f.submit(t, "x", "light") // the handle is not left "in flight"
}

func TestFinishFollowsTheStateMachineAndRefundsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, 10)
	scored, missing := f.submit(t, "scored", "light"), f.submit(t, "missing", "deep")
	if ok, _ := f.store.Finish(ctx, analyze.Finish{ID: scored.ID, Outcome: analysis.NotFound}); ok {
		t.Error("a pending analysis finished not_found (only running ones may)")
	}
	for _, a := range []analyze.Analysis{scored, missing} {
		if _, running, err := f.store.MarkRunning(ctx, a.ID); !running || err != nil {
			t.Fatalf("MarkRunning: %v, %v", running, err)
		}
	}
	score := 85
	if ok, err := f.store.Finish(ctx, analyze.Finish{ID: scored.ID, Outcome: analysis.Scored, Score: &score}); !ok || err != nil {
		t.Fatalf("scored: %v, %v", ok, err)
	}
	for range 2 {
		_, _ = f.store.Finish(ctx, analyze.Finish{ID: missing.ID, Outcome: analysis.NotFound})
	}
	if ok, _ := f.store.Finish(ctx, analyze.Finish{ID: missing.ID, Outcome: analysis.Errored}); ok {
		t.Error("a finished analysis finished again")
	}
	got, _ := f.svc.Get(ctx, f.caller, scored.ID)
	if got.Status != analysis.Completed || got.Tier != analysis.Hot || got.Refunded || *got.Score != 85 {
		t.Errorf("scored analysis: %+v", got)
	}
	if bal := f.store.Balance(f.caller.AccountID); bal != 9 { // 10 - 1 - 2 + 2
		t.Errorf("balance %d, want 9: the not-found deep analysis is refunded exactly once", bal)
	}
	if _, running, _ := f.store.MarkRunning(ctx, scored.ID); running {
		t.Error("MarkRunning reported a completed analysis running")
	}
}

func TestEventsSetProgressAndListingsPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, 10)
	var ids []string
	for _, h := range []string{"a1", "a2", "a3"} {
		ids = append(ids, f.submit(t, h, "light").ID)
	}
	if err := f.store.Publish(ctx, analyze.Event{AccountID: f.caller.AccountID, AnalysisID: ids[0], Type: analyze.EventProgress, Step: "scrape", Percent: 5}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Publish(ctx, analyze.Event{AccountID: "someone-else", AnalysisID: ids[0], Type: analyze.EventProgress}); !errors.Is(err, analyze.ErrNotFound) {
		t.Errorf("event for another account's analysis: %v", err)
	}
	if a, _ := f.svc.Get(ctx, f.caller, ids[0]); a.Progress != 5 || a.Step != "scrape" || len(f.store.Events(ids[0])) != 1 {
		t.Errorf("after a progress event: %d%% at %q, events %v", a.Progress, a.Step, f.store.Events(ids[0]))
	}
	p1, err := f.svc.List(ctx, f.caller, analyze.AnalysisFilter{Limit: 2})
	if err != nil || len(p1.Items) != 2 || p1.Items[0].ID != ids[2] || p1.Items[1].ID != ids[1] || p1.NextCursor == "" {
		t.Fatalf("first page: %+v, %v; want a3, a2 and a cursor", p1, err)
	}
	p2, err := f.svc.List(ctx, f.caller, analyze.AnalysisFilter{Limit: 2, Cursor: p1.NextCursor})
	if err != nil || len(p2.Items) != 1 || p2.Items[0].ID != ids[0] || p2.NextCursor != "" {
		t.Errorf("second page: %+v, %v; want a1 and no cursor", p2, err)
	}
	if _, err := f.svc.List(ctx, f.caller, analyze.AnalysisFilter{Cursor: "forged"}); err == nil {
		t.Error("a forged cursor was accepted")
	}
	active, _ := f.svc.Active(ctx, f.caller)
	if len(active) != 3 || active[0].ID != ids[2] {
		t.Errorf("active: %v", active)
	}
}
