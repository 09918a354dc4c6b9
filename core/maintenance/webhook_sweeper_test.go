package maintenance_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

const defStripe = "stripe.event.v1"

// stripeDefinition processes nothing; it fails for input "evt_bad".
func stripeDefinition() workflow.Definition {
	return workflow.Definition{Name: defStripe, Queue: "billing", Body: func(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
		var id string
		_ = json.Unmarshal(input, &id)
		if id == "evt_bad" {
			return nil, workflow.Permanent(apperr.New(apperr.Invalid, "billing.bad-event", "bad event"))
		}
		return nil, nil
	}}
}

// fakeEvents pages stored events like the store.
type fakeEvents struct{ events []maintenance.StaleWebhook }

func (f *fakeEvents) StaleWebhooks(_ context.Context, q maintenance.StaleWebhookQuery) ([]maintenance.StaleWebhook, error) {
	var out []maintenance.StaleWebhook
	for _, e := range f.events {
		after := q.AfterReceived.IsZero() || e.ReceivedAt.After(q.AfterReceived) ||
			e.ReceivedAt.Equal(q.AfterReceived) && e.ID > q.AfterID
		if e.ReceivedAt.Before(q.ReceivedBefore) && after && len(out) < q.Limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func TestWebhookSweeperRestartsOnlyLostRuns(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := at("2026-03-01T12:00:00Z")
	old := now.Add(-2 * time.Hour)
	src := &fakeEvents{events: []maintenance.StaleWebhook{
		{ID: "evt_lost", ReceivedAt: old},
		{ID: "evt_queued", ReceivedAt: old.Add(time.Second)},
		{ID: "evt_bad", ReceivedAt: old.Add(2 * time.Second)},
		{ID: "evt_garbled", ReceivedAt: old.Add(3 * time.Second)},
		{ID: "evt_fresh", ReceivedAt: now.Add(-time.Minute)},
	}}
	engine := workflowtest.New([]workflow.Definition{stripeDefinition()})
	if _, err := engine.Start(ctx, defStripe, "evt_bad", "stripe:evt_bad"); err != nil {
		t.Fatal(err)
	}
	engine.Drain(ctx) // evt_bad's run fails
	if _, err := engine.Start(ctx, defStripe, "evt_queued", "stripe:evt_queued"); err != nil {
		t.Fatal(err)
	}
	redrive := maintenance.WebhookRedrive{Definition: defStripe, Input: func(e maintenance.StaleWebhook) (any, error) {
		if e.ID == "evt_garbled" {
			return nil, errors.New("payload does not parse")
		}
		return e.ID, nil
	}}
	s, err := maintenance.NewWebhookSweeper(src, engine, redrive, maintenance.WebhookSweeperConfig{PageSize: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reaper := maintenance.NewReaper(s)

	rep, err := reaper.Run(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Reports[0]
	if got.Found != 4 || got.Restarted != 1 || got.InFlight != 1 || got.Stuck != 2 {
		t.Errorf("first sweep = %s", got)
	}
	if rep.Stuck() != 2 || rep.Names[0] != "webhooks" {
		t.Errorf("report = %s", rep)
	}
	st, err := engine.Status(ctx, "stripe:evt_lost")
	if err != nil || st.Definition != defStripe || st.State != workflow.StateEnqueued {
		t.Fatalf("re-started run = %+v, %v", st, err)
	}
	if _, err := engine.Status(ctx, "stripe:evt_fresh"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("a fresh event was re-started: %v", err)
	}

	// Again: the re-started run is in flight now; nothing new starts.
	runs, _ := engine.List(ctx, workflow.Filter{})
	rep, err = reaper.Run(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Reports[0]; got.Restarted != 0 || got.InFlight != 2 || got.Stuck != 2 {
		t.Errorf("second sweep = %s", got)
	}
	if again, _ := engine.List(ctx, workflow.Filter{}); len(again) != len(runs) {
		t.Errorf("runs %d → %d after the second sweep", len(runs), len(again))
	}
}

func TestWebhookSweeperCapsEachRun(t *testing.T) {
	t.Parallel()
	now := at("2026-03-01T12:00:00Z")
	src := &fakeEvents{}
	for i := range 7 {
		src.events = append(src.events, maintenance.StaleWebhook{ID: "evt_" + string(rune('a'+i)), ReceivedAt: now.Add(-2 * time.Hour)})
	}
	engine := workflowtest.New([]workflow.Definition{stripeDefinition()})
	s, _ := maintenance.NewWebhookSweeper(src, engine, maintenance.WebhookRedrive{Definition: defStripe},
		maintenance.WebhookSweeperConfig{PageSize: 2, MaxPerRun: 5}, nil)
	rep, err := s.Sweep(t.Context(), now)
	if err != nil || rep.Found != 5 || rep.Restarted != 5 {
		t.Fatalf("capped sweep = %s, %v", rep, err)
	}
	rep, _ = s.Sweep(t.Context(), now)
	if rep.Found != 2 || rep.Restarted != 2 {
		t.Errorf("next sweep = %s, want the 2 left restarted", rep)
	}
	rep, _ = s.Sweep(t.Context(), now) // from the oldest again
	if rep.Found != 5 || rep.InFlight != 5 {
		t.Errorf("third sweep = %s, want the first 5 in flight", rep)
	}
	if _, err := maintenance.NewWebhookSweeper(src, engine, maintenance.WebhookRedrive{}, maintenance.WebhookSweeperConfig{}, nil); err == nil {
		t.Error("a redrive without a definition was accepted")
	}
}

// TestWebhookSweeperFollowsTheLatestAttempt: an event re-driven after a failed attempt is
// judged by its latest attempt's run (stripe:<id>:<n>), not by the failed first one.
func TestWebhookSweeperFollowsTheLatestAttempt(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := at("2026-03-01T12:00:00Z")
	old := now.Add(-2 * time.Hour)
	engine := workflowtest.New([]workflow.Definition{stripeDefinition()})
	// evt_retried: attempt 1 ended cancelled, attempt 2 is in flight.
	for _, id := range []string{"stripe:evt_retried", "stripe:evt_retried:2"} {
		if _, err := engine.Start(ctx, defStripe, "evt_retried", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := engine.Cancel(ctx, "stripe:evt_retried"); err != nil {
		t.Fatal(err)
	}
	src := &fakeEvents{events: []maintenance.StaleWebhook{
		{ID: "evt_retried", ReceivedAt: old, Attempt: 2},
		{ID: "evt_lost3", ReceivedAt: old.Add(time.Second), Attempt: 3}, // attempt 3's run was lost
	}}
	s, err := maintenance.NewWebhookSweeper(src, engine, maintenance.WebhookRedrive{Definition: defStripe}, maintenance.WebhookSweeperConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Sweep(ctx, now)
	if err != nil || rep.Found != 2 || rep.InFlight != 1 || rep.Restarted != 1 || rep.Stuck != 0 {
		t.Fatalf("sweep = %s, %v", rep, err)
	}
	if st, err := engine.Status(ctx, "stripe:evt_lost3:3"); err != nil || st.State != workflow.StateEnqueued {
		t.Errorf("attempt 3 of evt_lost3 = %+v, %v", st, err)
	}
	for _, id := range []string{"stripe:evt_lost3", "stripe:evt_lost3:2"} {
		if _, err := engine.Status(ctx, id); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("%s was started: %v", id, err)
		}
	}
	if got := maintenance.StripeAttemptWorkflowID("evt_1", 1); got != "stripe:evt_1" {
		t.Errorf("attempt 1 = %q", got)
	}
	if got := maintenance.StripeAttemptWorkflowID("evt_1", 4); got != "stripe:evt_1:4" {
		t.Errorf("attempt 4 = %q", got)
	}
}
