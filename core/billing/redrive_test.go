package billing_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/billingmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// blindEngine is the in-memory engine whose Status fails: the engine's database is down.
type blindEngine struct {
	*workflowtest.Engine
	err error
}

func (e blindEngine) Status(context.Context, string) (workflow.Status, error) {
	return workflow.Status{}, e.err
}

// runs counts the engine's runs.
func (in *scriptedIntake) runCount(t *testing.T) int {
	t.Helper()
	runs, err := in.engine.List(context.Background(), workflow.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(runs)
}

// TestRetryRefusesEventsItCannotProcess: an operator's retry of an event whose stored payload
// is missing or is another event is refused as an invalid payload, and counts no attempt and
// starts no run; a blank id is unknown without asking storage.
func TestRetryRefusesEventsItCannotProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("blank id", func(t *testing.T) {
		t.Parallel()
		events := billingmock.NewMockEventInbox(gomock.NewController(t)) // no call expected
		inbox := billing.NewInbox(events, workflowtest.New(nil))
		if _, err := inbox.Retry(ctx, "  ", parseLate); !errors.Is(err, billing.ErrWebhookNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	cases := map[string]struct {
		payload []byte
		parse   billing.PayloadParser
	}{
		// whatever the parser would make of it, an empty payload is not an event
		"stored without its payload (recorded by FinishEvent alone)": {nil, func([]byte) (billing.Event, error) { return lateEvent, nil }},
		"a payload naming another event": {[]byte(lateRaw), func([]byte) (billing.Event, error) {
			ev := lateEvent
			ev.ID = "evt_someone_else"
			return ev, nil
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := newScriptedIntake(t)
			in.receive(t)
			in.engine.Drain(ctx) // attempt 1 fails: a retry would otherwise start attempt 2
			in.events.mu.Lock()
			in.events.rows[lateEvent.ID].ev.Payload = tc.payload
			in.events.mu.Unlock()
			_, err := in.inbox.Retry(ctx, lateEvent.ID, tc.parse)
			if apperr.CodeOf(err) != billing.CodeWebhookPayload || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("err = %v, want %s", err, billing.CodeWebhookPayload)
			}
			if in.events.attempts(lateEvent.ID) != 1 || in.runCount(t) != 1 {
				t.Errorf("attempts %d, runs %d after a refused retry; want 1 and 1", in.events.attempts(lateEvent.ID), in.runCount(t))
			}
		})
	}
}

// TestRedeliveryWhenTheEngineCannotBeAsked: when the latest run's state cannot be read, a
// redelivery or a retry fails (Unavailable: Stripe delivers again, the operator retries) and
// neither counts an attempt nor starts a run.
func TestRedeliveryWhenTheEngineCannotBeAsked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	in.receive(t)
	in.engine.Drain(ctx) // attempt 1 failed: a readable state would start attempt 2
	blind := billing.NewInbox(in.events, blindEngine{Engine: in.engine, err: down})
	if _, err := blind.Receive(ctx, lateEvent, []byte(lateRaw)); !errors.Is(err, down) || apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("Receive: %v, want the outage", err)
	}
	if _, err := blind.Retry(ctx, lateEvent.ID, parseLate); !errors.Is(err, down) {
		t.Fatalf("Retry: %v, want the outage", err)
	}
	if in.events.attempts(lateEvent.ID) != 1 || in.runCount(t) != 1 {
		t.Errorf("attempts %d, runs %d; want 1 and 1", in.events.attempts(lateEvent.ID), in.runCount(t))
	}
}

// TestWebhooksLimit: the page asked of storage is the caller's limit, 50 by default, at most
// workflow.MaxListLimit.
func TestWebhooksLimit(t *testing.T) {
	t.Parallel()
	for asked, want := range map[int]int{0: 50, -3: 50, 7: 7, workflow.MaxListLimit: workflow.MaxListLimit, workflow.MaxListLimit + 1: workflow.MaxListLimit} {
		t.Run(fmt.Sprint(asked), func(t *testing.T) {
			t.Parallel()
			events := billingmock.NewMockEventInbox(gomock.NewController(t))
			events.EXPECT().InboxEvents(gomock.Any(), billing.InboxQuery{Limit: want}).Return(nil, nil)
			got, err := billing.NewInbox(events, workflowtest.New(nil)).Webhooks(context.Background(), billing.WebhookQuery{Limit: asked})
			if err != nil || len(got) != 0 {
				t.Fatalf("Webhooks = %+v, %v", got, err)
			}
		})
	}
}

// TestWebhooksOutages: a listing fails when storage or the engine cannot be read (it never
// shows an event without the state of its run, except when the run does not exist).
func TestWebhooksOutages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("storage", func(t *testing.T) {
		t.Parallel()
		events := billingmock.NewMockEventInbox(gomock.NewController(t))
		events.EXPECT().InboxEvents(gomock.Any(), gomock.Any()).Return(nil, down)
		if _, err := billing.NewInbox(events, workflowtest.New(nil)).Webhooks(ctx, billing.WebhookQuery{}); !errors.Is(err, down) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("engine", func(t *testing.T) {
		t.Parallel()
		in := newScriptedIntake(t)
		in.receive(t)
		blind := billing.NewInbox(in.events, blindEngine{Engine: in.engine, err: down})
		if got, err := blind.Webhooks(ctx, billing.WebhookQuery{}); !errors.Is(err, down) || got != nil {
			t.Fatalf("Webhooks = %+v, %v", got, err)
		}
	})
}

// TestWebhooksShowsLostRunsAsNotFailed: an event whose latest run no longer exists (deleted by
// retention) is listed with an empty run state; it is not "failed" (a redelivery restarts it).
// A listed run never carries its output.
func TestWebhooksShowsLostRunsAsNotFailed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	in.missing.Store(false)
	done := billing.Event{ID: "evt_done", Type: billing.TypeInvoicePaid}
	if _, err := in.inbox.Receive(ctx, done, []byte(`{"id":"evt_done"}`)); err != nil {
		t.Fatal(err)
	}
	in.engine.Drain(ctx) // evt_done's run succeeds, with an output
	in.receive(t)
	in.events.mu.Lock()
	in.events.rows[lateEvent.ID].attempts = 2 // attempt 2's run is gone
	in.events.mu.Unlock()

	all, err := in.inbox.Webhooks(ctx, billing.WebhookQuery{})
	if err != nil || len(all) != 2 {
		t.Fatalf("Webhooks = %+v, %v", all, err)
	}
	if lost := all[0]; lost.ID != lateEvent.ID || lost.Attempts != 2 || lost.Run.State != "" || lost.Failed() {
		t.Errorf("lost run listed as %+v", lost)
	}
	if ok := all[1]; ok.ID != done.ID || ok.Run.State != workflow.StateSucceeded || ok.Run.Output != nil {
		t.Errorf("succeeded run listed as %+v", ok)
	}
	if failed, err := in.inbox.Webhooks(ctx, billing.WebhookQuery{Failed: true}); err != nil || len(failed) != 0 {
		t.Fatalf("failed = %+v, %v", failed, err)
	}
}

// TestWebhooksFailedPagesPastEventsInFlight: with Failed, unprocessed events are read page by
// page from the newest, skipping those whose run is still in flight, until the limit is met.
func TestWebhooksFailedPagesPastEventsInFlight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	receive := func(id string) {
		if _, err := in.inbox.Receive(ctx, billing.Event{ID: id, Type: billing.TypeInvoicePaid}, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"evt_f1", "evt_f2", "evt_f3"} {
		receive(id)
	}
	in.engine.Drain(ctx) // the three fail (the account is missing)
	receive("evt_w1")
	receive("evt_w2") // the two newest wait in the queue

	// Page 1 (newest two) holds only events in flight; page 2 holds two failed ones: the limit.
	got, err := in.inbox.Webhooks(ctx, billing.WebhookQuery{Failed: true, Limit: 2})
	if err != nil || len(got) != 2 || got[0].ID != "evt_f3" || got[1].ID != "evt_f2" || !got[0].Failed() || !got[1].Failed() {
		t.Fatalf("Webhooks = %+v, %v; want evt_f3, evt_f2", got, err)
	}
	all, err := in.inbox.Webhooks(ctx, billing.WebhookQuery{Failed: true, Limit: 10})
	if err != nil || len(all) != 3 {
		t.Fatalf("all failed = %+v, %v", all, err)
	}
}

// TestEventWorkflowRejectsUndecodableInput: a run whose input is not an Event fails at once,
// permanently, without processing anything.
func TestEventWorkflowRejectsUndecodableInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newIntake(t) // the processor's store expects no call
	if _, err := in.engine.Start(ctx, billing.EventWorkflow, []byte(`["not","an","event"]`), "stripe:evt_garbled"); err != nil {
		t.Fatal(err)
	}
	in.engine.Drain(ctx)
	st, err := in.engine.Status(ctx, "stripe:evt_garbled")
	if err != nil || st.State != workflow.StateFailed || st.ErrorCode != apperr.CodeInvalidRequest ||
		in.engine.Calls(st.ID, "process") != 0 {
		t.Fatalf("status %+v, %v; %d process calls", st, err, in.engine.Calls(st.ID, "process"))
	}
}
