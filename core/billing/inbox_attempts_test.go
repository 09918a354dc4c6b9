package billing_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// scriptedIntake is an Inbox whose stripe.event.v1 body is a script instead of the processor:
// it fails with resource.not-found while the account is missing, as Processor.Handle does for
// a grant to an account that does not exist, and succeeds once the account appears.
type scriptedIntake struct {
	engine  *workflowtest.Engine
	events  *memInbox
	inbox   *billing.Inbox
	missing atomic.Bool
	runs    atomic.Int32 // bodies executed
}

func newScriptedIntake(t *testing.T) *scriptedIntake {
	t.Helper()
	in := &scriptedIntake{}
	in.missing.Store(true)
	def := workflow.Definition{Name: billing.EventWorkflow, Queue: billing.EventQueue,
		Body: func(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
			in.runs.Add(1)
			if in.missing.Load() {
				return nil, apperr.New(apperr.NotFound, apperr.CodeNotFound, "no such account")
			}
			return []byte(`{"result":"granted"}`), nil
		}}
	in.engine = workflowtest.New([]workflow.Definition{def})
	in.events = newMemInbox(in.engine)
	in.inbox = billing.NewInbox(in.events, in.engine)
	return in
}

var lateEvent = billing.Event{ID: "evt_late", Type: billing.TypeCheckoutCompleted, AccountID: accountID,
	Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 100}

const lateRaw = `{"id":"evt_late","object":"event","type":"checkout.session.completed"}`

// parseLate is the PayloadParser of these tests: it knows one payload.
func parseLate(raw []byte) (billing.Event, error) {
	if string(raw) != lateRaw {
		return billing.Event{}, billing.ErrWebhookPayload
	}
	return lateEvent, nil
}

func (in *scriptedIntake) receive(t *testing.T) billing.Receipt {
	t.Helper()
	r, err := in.inbox.Receive(context.Background(), lateEvent, []byte(lateRaw))
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return r
}

func (in *scriptedIntake) state(t *testing.T, id string) workflow.State {
	t.Helper()
	st, err := in.engine.Status(context.Background(), id)
	if err != nil {
		t.Fatalf("status of %s: %v", id, err)
	}
	return st.State
}

// TestRedeliveryAfterAFailedRunStartsANewAttempt: the example. The event names an
// account that does not exist yet, so attempt 1 fails; once the account exists, Stripe's
// redelivery starts attempt 2 (a new run id), which succeeds; later redeliveries do nothing.
func TestRedeliveryAfterAFailedRunStartsANewAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	first := in.receive(t)
	if first.Duplicate || first.NewAttempt || first.Attempt != 1 || first.WorkflowID != "stripe:evt_late" {
		t.Fatalf("first delivery: %+v", first)
	}
	in.engine.Drain(ctx)
	if st, _ := in.engine.Status(ctx, "stripe:evt_late"); st.State != workflow.StateFailed || st.ErrorCode != apperr.CodeNotFound {
		t.Fatalf("attempt 1: %+v", st)
	}

	in.missing.Store(false) // the account appears
	r := in.receive(t)
	if !r.Duplicate || !r.NewAttempt || r.Attempt != 2 || r.WorkflowID != "stripe:evt_late:2" {
		t.Fatalf("redelivery after the failure: %+v", r)
	}
	if in.events.attempts(lateEvent.ID) != 2 || in.state(t, "stripe:evt_late:2") != workflow.StateEnqueued {
		t.Fatalf("attempts %d", in.events.attempts(lateEvent.ID))
	}
	// While attempt 2 waits, a redelivery is a duplicate no-op.
	if r := in.receive(t); !r.Duplicate || r.NewAttempt || r.Attempt != 2 {
		t.Fatalf("redelivery while enqueued: %+v", r)
	}
	if n := in.engine.Drain(ctx); n != 1 || in.state(t, "stripe:evt_late:2") != workflow.StateSucceeded {
		t.Fatalf("drain ran %d runs", n)
	}
	// After success (run succeeded, then the event recorded as processed) nothing starts again.
	if r := in.receive(t); r.NewAttempt || r.Attempt != 2 {
		t.Fatalf("redelivery after success: %+v", r)
	}
	in.events.markProcessed(lateEvent.ID)
	if r := in.receive(t); r.NewAttempt || r.Attempt != 2 {
		t.Fatalf("redelivery of a processed event: %+v", r)
	}
	if n := in.engine.Drain(ctx); n != 0 || in.runs.Load() != 2 {
		t.Fatalf("%d runs after success; %d bodies executed, want 2", n, in.runs.Load())
	}
	if runs, _ := in.engine.List(ctx, workflow.Filter{}); len(runs) != 2 {
		t.Fatalf("runs = %+v", runs)
	}
}

func TestRedeliveryAfterACancelledRunStartsANewAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	in.receive(t)
	if err := in.engine.Cancel(ctx, "stripe:evt_late"); err != nil { // a janitor gave up on it
		t.Fatal(err)
	}
	if r := in.receive(t); !r.NewAttempt || r.WorkflowID != "stripe:evt_late:2" {
		t.Fatalf("redelivery after a cancel: %+v", r)
	}
}

// TestRedeliveryRestartsALostRun: when the latest attempt's run does not exist (deleted by
// workflow retention while the event stayed unprocessed), it is started again under its id.
func TestRedeliveryRestartsALostRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	in.receive(t)
	in.events.mu.Lock()
	in.events.rows[lateEvent.ID].attempts = 3 // attempts 1–2 ran earlier; attempt 3's run is lost
	in.events.mu.Unlock()
	r, err := in.inbox.Receive(ctx, lateEvent, []byte(lateRaw))
	if err != nil || r.NewAttempt || r.Attempt != 3 || r.WorkflowID != "stripe:evt_late:3" {
		t.Fatalf("redelivery with a lost run: %+v, %v", r, err)
	}
	if in.state(t, "stripe:evt_late:3") != workflow.StateEnqueued {
		t.Fatal("attempt 3 was not started again")
	}
}

// TestConcurrentRedeliveriesStartOneAttempt: ten redeliveries of a failed event at once start
// exactly one new attempt.
func TestConcurrentRedeliveriesStartOneAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	in.receive(t)
	in.engine.Drain(ctx)
	var (
		wg    sync.WaitGroup
		fresh atomic.Int32
	)
	for range 10 {
		wg.Go(func() {
			r, err := in.inbox.Receive(ctx, lateEvent, []byte(lateRaw))
			if err != nil {
				t.Error(err)
			}
			if r.NewAttempt {
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	if fresh.Load() != 1 || in.events.attempts(lateEvent.ID) != 2 {
		t.Fatalf("%d new attempts, attempts %d; want 1 and 2", fresh.Load(), in.events.attempts(lateEvent.ID))
	}
	if runs, _ := in.engine.List(ctx, workflow.Filter{}); len(runs) != 2 {
		t.Fatalf("runs = %+v", runs)
	}
}

// TestRetryRules: `oslira webhooks retry` starts a new attempt only after a failed or cancelled
// one, and refuses an unknown event, one in flight and one already processed.
func TestRetryRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	if _, err := in.inbox.Retry(ctx, "evt_nobody", parseLate); !errors.Is(err, billing.ErrWebhookNotFound) || apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("unknown event: %v", err)
	}
	in.receive(t)
	if _, err := in.inbox.Retry(ctx, lateEvent.ID, parseLate); !errors.Is(err, billing.ErrWebhookInFlight) || apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("enqueued: %v", err)
	}
	in.engine.Drain(ctx) // attempt 1 fails
	if _, err := in.inbox.Retry(ctx, lateEvent.ID, func([]byte) (billing.Event, error) { return billing.Event{}, billing.ErrWebhookPayload }); !errors.Is(err, billing.ErrWebhookPayload) {
		t.Fatalf("unparsable payload: %v", err)
	}
	if in.events.attempts(lateEvent.ID) != 1 {
		t.Fatal("a refused retry counted an attempt")
	}

	// While the account is still missing, a retry fails again: each retry is one new attempt.
	r, err := in.inbox.Retry(ctx, lateEvent.ID, parseLate)
	if err != nil || !r.NewAttempt || r.Attempt != 2 || !r.Duplicate {
		t.Fatalf("retry 1: %+v, %v", r, err)
	}
	in.engine.Drain(ctx)
	in.missing.Store(false)
	r, err = in.inbox.Retry(ctx, lateEvent.ID, parseLate)
	if err != nil || !r.NewAttempt || r.Attempt != 3 || r.WorkflowID != "stripe:evt_late:3" {
		t.Fatalf("retry 2: %+v, %v", r, err)
	}
	in.engine.Drain(ctx)
	if in.state(t, "stripe:evt_late:3") != workflow.StateSucceeded {
		t.Fatal("attempt 3 did not succeed")
	}
	if _, err := in.inbox.Retry(ctx, lateEvent.ID, parseLate); !errors.Is(err, billing.ErrWebhookProcessed) {
		t.Fatalf("after success: %v", err)
	}
	in.events.markProcessed(lateEvent.ID)
	if _, err := in.inbox.Retry(ctx, lateEvent.ID, parseLate); !errors.Is(err, billing.ErrWebhookProcessed) {
		t.Fatalf("processed: %v", err)
	}
	if in.events.attempts(lateEvent.ID) != 3 || in.runs.Load() != 3 {
		t.Fatalf("attempts %d, bodies %d", in.events.attempts(lateEvent.ID), in.runs.Load())
	}
}

// TestWebhooksListsFailedEvents: the operators' list shows each event with its latest run; the
// failed filter keeps the unprocessed events whose latest run failed or was cancelled.
func TestWebhooksListsFailedEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := newScriptedIntake(t)
	in.receive(t)
	in.engine.Drain(ctx) // evt_late fails
	other := billing.Event{ID: "evt_waiting", Type: billing.TypeInvoicePaid}
	if _, err := in.inbox.Receive(ctx, other, []byte(`{"id":"evt_waiting"}`)); err != nil {
		t.Fatal(err)
	}
	all, err := in.inbox.Webhooks(ctx, billing.WebhookQuery{})
	if err != nil || len(all) != 2 || all[0].ID != other.ID || all[0].Run.State != workflow.StateEnqueued || all[0].Failed() {
		t.Fatalf("all = %+v, %v", all, err)
	}
	failed, err := in.inbox.Webhooks(ctx, billing.WebhookQuery{Failed: true})
	if err != nil || len(failed) != 1 || failed[0].ID != lateEvent.ID || failed[0].Attempts != 1 ||
		failed[0].Run.ID != "stripe:evt_late" || failed[0].Run.ErrorCode != apperr.CodeNotFound || !failed[0].Failed() {
		t.Fatalf("failed = %+v, %v", failed, err)
	}
	in.missing.Store(false)
	in.receive(t)
	in.engine.Drain(ctx)
	if failed, err := in.inbox.Webhooks(ctx, billing.WebhookQuery{Failed: true}); err != nil || len(failed) != 0 {
		t.Fatalf("after the new attempt succeeded: %+v, %v", failed, err)
	}
}
