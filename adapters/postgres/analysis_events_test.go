package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
)

func TestPublishNotifiesListenersAfterCommit(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	a := f.running(t, "grace")
	conn, err := f.pool.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The connection leaves the pool: LISTEN state must not reach another test.
	listener := conn.Hijack()
	t.Cleanup(func() { _ = listener.Close(context.Background()) })
	if _, err := listener.Exec(t.Context(), "listen analysis_events"); err != nil {
		t.Fatal(err)
	}
	err = f.store.Publish(t.Context(), analyze.Event{AccountID: f.m.account, AnalysisID: a.ID, Type: analyze.EventProgress,
		Step: "scrape", StepIndex: 1, StepTotal: 5, Percent: 20, Message: "Reading the profile"})
	if err != nil {
		t.Fatal(err)
	}
	// A deadline so that a missing notification fails the test instead of hanging it; not a
	// timing assertion.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		n, err := listener.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("no notification for the event: %v", err)
		}
		var payload struct {
			ID         int64  `json:"id"`
			AccountID  string `json:"account_id"`
			AnalysisID string `json:"analysis_id"`
		}
		if err := json.Unmarshal([]byte(n.Payload), &payload); err != nil {
			t.Fatalf("payload %q: %v", n.Payload, err)
		}
		if n.Channel != "analysis_events" || payload.AnalysisID != a.ID {
			continue // another test's event
		}
		if payload.AccountID != f.m.account || count(t, f.pool, `select count(*) from public.analysis_events
			where id = $1 and analysis_id = $2 and type = 'progress' and step = 'scrape' and step_index = 1
			and step_total = 5 and percent = 20 and message = 'Reading the profile'`, payload.ID, a.ID) != 1 {
			t.Errorf("payload %+v does not name the stored event", payload)
		}
		return
	}
}

func TestPublishSetsProgressAndStep(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	a := f.running(t, "grace")
	publish := func(typ analyze.EventType, step string, percent int) {
		t.Helper()
		if err := f.store.Publish(t.Context(), analyze.Event{AccountID: f.m.account, AnalysisID: a.ID, Type: typ,
			Step: step, StepIndex: 1, StepTotal: 5, Percent: percent}); err != nil {
			t.Fatal(err)
		}
	}
	state := func() (int, string) {
		t.Helper()
		got, err := f.store.Load(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Progress, got.Step
	}
	publish(analyze.EventProgress, "metrics", 40)
	if p, s := state(); p != 40 || s != "metrics" {
		t.Errorf("after metrics at 40: %d %q", p, s)
	}
	// Absolute values: a replayed earlier step sets its own.
	publish(analyze.EventProgress, "scrape", 20)
	if p, s := state(); p != 20 || s != "scrape" {
		t.Errorf("after a replayed scrape at 20: %d %q", p, s)
	}
	publish(analyze.EventFailed, "failed", 60)
	if p, s := state(); p != 100 || s != "failed" {
		t.Errorf("after a failed event: %d %q, want 100", p, s)
	}
	finish(t, f, analyze.Finish{ID: a.ID, Outcome: analysis.ProviderFailed})
	// A late progress event does not pull a finished analysis back.
	publish(analyze.EventProgress, "ai", 70)
	if p, s := state(); p != 100 || s != "failed" {
		t.Errorf("a finished analysis after a late progress event: %d %q", p, s)
	}
	publish(analyze.EventComplete, "complete", 90)
	if p, s := state(); p != 100 || s != "complete" {
		t.Errorf("after a complete event: %d %q", p, s)
	}
	if n := count(t, f.pool, `select count(*) from public.analysis_events where analysis_id = $1`, a.ID); n != 5 {
		t.Errorf("%d event rows, want 5", n)
	}

	other := newAnalysisFixture(t, 0)
	err := f.store.Publish(t.Context(), analyze.Event{AccountID: other.m.account, AnalysisID: a.ID, Type: analyze.EventProgress, Step: "x", Percent: 1})
	if !errors.Is(err, analyze.ErrNotFound) {
		t.Errorf("another account's event: %v, want ErrNotFound", err)
	}
	err = f.store.Publish(t.Context(), analyze.Event{AccountID: f.m.account, AnalysisID: a.ID, Type: analyze.EventProgress, Step: "x", Percent: 101})
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid {
		t.Errorf("percent 101: %v, want Invalid", err)
	}
	if n := count(t, f.pool, `select count(*) from public.analysis_events where analysis_id = $1`, a.ID); n != 5 {
		t.Errorf("%d event rows after refused events, want 5", n)
	}
}
