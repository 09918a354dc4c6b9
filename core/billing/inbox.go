package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oslira/oslira/core/workflow"
)

// Inbox is webhook intake: it turns a verified Stripe delivery into a stored event and a
// started processing run, atomically, and nothing more — processing happens in the
// stripe.event.v1 workflow (EventDefinition), on a worker, with retries. The HTTP handler can
// therefore answer Stripe as soon as Receive returns: the event can no longer be lost.
//
// Each processing run is one attempt of the event, numbered from 1 on the stored row; the run
// of attempt n is EventAttemptWorkflowID(id, n). A run that failed permanently (an account that
// does not exist yet, a plan not configured yet) is never resumed — its error would replay —
// so once the cause is fixed the event is processed by a new attempt: Stripe's next redelivery
// starts one (Receive), or an operator does (Retry). Processing is idempotent per event (ledger
// references are the event id or the invoice id), so attempts never grant twice.
type Inbox struct {
	events EventInbox
	engine workflow.Engine
}

// NewInbox builds the intake over the inbox store and the workflow engine. The engine must be
// able to join the store's transactions (the DBOS adapter joins the postgres adapter's).
func NewInbox(events EventInbox, engine workflow.Engine) *Inbox {
	return &Inbox{events: events, engine: engine}
}

// InboxEntry is a stored event as intake sees it, its row locked (EventInbox.Accept, Redrive).
type InboxEntry struct {
	EventID   string
	Type      string
	Inserted  bool   // this call stored the event: its first delivery
	Attempt   int    // the event's latest processing attempt (1 for a new event)
	Processed bool   // processing has finished: an outcome is recorded
	Payload   []byte // the stored payload (Redrive only; nil when it was stored without one)
}

// AttemptStart is what EventInbox calls, inside its transaction, to start (or not) a run for
// the locked entry. It returns the attempt it chose: entry.Attempt (the latest run was started
// again, or left alone) or entry.Attempt+1 (a new attempt's run was started).
type AttemptStart func(ctx context.Context, entry InboxEntry) (attempt int, err error)

// InboxQuery selects stored events for operators (EventInbox.InboxEvents), newest first.
type InboxQuery struct {
	Unprocessed bool // only events without an outcome
	// BeforeReceived and BeforeID are the last event of the previous page (zero for the first).
	BeforeReceived time.Time
	BeforeID       string
	Limit          int // at most this many (1–1000)
}

// InboxEvent is a stored event with its attempt count.
type InboxEvent struct {
	EventRecord
	Attempts int // processing attempts started; the latest run is EventAttemptWorkflowID(ID, Attempts)
}

// Receipt says what Receive or Retry did.
type Receipt struct {
	EventID string
	// Attempt is the event's latest processing attempt after the call, and WorkflowID its run
	// (EventAttemptWorkflowID(EventID, Attempt)).
	Attempt    int
	WorkflowID string
	// Duplicate is true when the event was already stored by an earlier delivery.
	Duplicate bool
	// NewAttempt is true when the call started attempt Attempt because the run of the previous
	// one failed or was cancelled.
	NewAttempt bool
}

// Receive stores ev with raw, the body exactly as Stripe signed it, and starts its processing,
// in one transaction: either both exist afterwards or neither does.
//
// The first delivery stores the event and starts attempt 1. A redelivery looks at the run of
// the event's latest attempt (Engine.Status):
//   - failed or cancelled: it starts the next attempt — a new run id — and counts it on the row;
//   - no such run (lost, or deleted by workflow retention): it starts that run again (same id);
//   - enqueued, running or succeeded, or the event already processed: it does nothing.
//
// The row stays locked from that look to the commit, so deliveries of one event, sequential or
// concurrent, store one row and start one run per failed attempt: concurrent redeliveries of a
// failed event start exactly one new attempt.
//
// Errors: ErrInvalidEvent for an event without id or type; ErrWebhookPayload for an empty
// body; Unavailable when the database or the engine cannot be reached (the caller answers 5xx,
// so Stripe delivers again); nothing is stored or started on any error.
func (i *Inbox) Receive(ctx context.Context, ev Event, raw []byte) (Receipt, error) {
	if strings.TrimSpace(ev.ID) == "" || strings.TrimSpace(ev.Type) == "" {
		return Receipt{}, ErrInvalidEvent
	}
	if len(raw) == 0 {
		return Receipt{}, ErrWebhookPayload
	}
	var newAttempt bool
	entry, err := i.events.Accept(ctx, ReceivedEvent{ID: ev.ID, Type: ev.Type, AccountID: ev.AccountID, Payload: raw},
		func(ctx context.Context, e InboxEntry) (int, error) {
			if e.Inserted {
				return e.Attempt, i.start(ctx, ev, e.Attempt)
			}
			n, started, err := i.redrive(ctx, ev, e, false)
			newAttempt = started
			return n, err
		})
	if err != nil {
		return Receipt{}, fmt.Errorf("receive event %s: %w", ev.ID, err)
	}
	return receipt(entry, newAttempt), nil
}

// redrive applies the attempt rules to an event already stored; operator is true for Retry,
// which refuses (ErrWebhookProcessed, ErrWebhookInFlight) where a redelivery does nothing.
// started reports a new attempt.
func (i *Inbox) redrive(ctx context.Context, ev Event, e InboxEntry, operator bool) (attempt int, started bool, err error) {
	if e.Processed {
		if operator {
			return 0, false, ErrWebhookProcessed
		}
		return e.Attempt, false, nil
	}
	id := EventAttemptWorkflowID(ev.ID, e.Attempt)
	st, err := i.engine.Status(ctx, id)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		// The run was lost or deleted while the event stayed unprocessed: start it again.
		return e.Attempt, false, i.start(ctx, ev, e.Attempt)
	case err != nil:
		return 0, false, fmt.Errorf("status of %s: %w", id, err)
	case st.State == workflow.StateFailed || st.State == workflow.StateCancelled:
		return e.Attempt + 1, true, i.start(ctx, ev, e.Attempt+1)
	case !operator:
		return e.Attempt, false, nil
	case st.State == workflow.StateSucceeded:
		return 0, false, ErrWebhookProcessed
	default:
		return 0, false, ErrWebhookInFlight
	}
}

// start starts the run of attempt n of ev with the caller's (transactional) context.
func (i *Inbox) start(ctx context.Context, ev Event, n int) error {
	id := EventAttemptWorkflowID(ev.ID, n)
	if _, err := i.engine.Start(ctx, EventWorkflow, ev, id); err != nil {
		return fmt.Errorf("start %s: %w", id, err)
	}
	return nil
}

func receipt(e InboxEntry, newAttempt bool) Receipt {
	return Receipt{EventID: e.EventID, Attempt: e.Attempt, WorkflowID: EventAttemptWorkflowID(e.EventID, e.Attempt),
		Duplicate: !e.Inserted, NewAttempt: newAttempt}
}
