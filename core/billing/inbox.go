package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/oslira/oslira/core/workflow"
)

// Inbox is webhook intake: it turns a verified Stripe delivery into a stored event and a
// started processing run, atomically, and nothing more — processing happens in the
// stripe.event.v1 workflow (EventDefinition), on a worker, with retries. The HTTP handler can
// therefore answer Stripe as soon as Receive returns: the event can no longer be lost.
type Inbox struct {
	events EventInbox
	engine workflow.Engine
}

// NewInbox builds the intake over the inbox store and the workflow engine. The engine must be
// able to join the store's transactions (the DBOS adapter joins the postgres adapter's).
func NewInbox(events EventInbox, engine workflow.Engine) *Inbox {
	return &Inbox{events: events, engine: engine}
}

// Receipt says what Receive did.
type Receipt struct {
	EventID    string
	WorkflowID string // EventWorkflowID(EventID)
	// Duplicate is true when the event was already stored by an earlier delivery; its start was
	// repeated (a no-op unless the earlier one was lost).
	Duplicate bool
}

// Receive stores ev with raw, the body exactly as Stripe signed it, and starts run
// EventWorkflowID(ev.ID) of EventWorkflow, in one transaction: either both exist afterwards or
// neither does. Deliveries of the same event, sequential or concurrent, store one row and start
// one run (starts are idempotent by id), so the event is processed once.
//
// Errors: ErrInvalidEvent for an event without id or type; ErrWebhookPayload for an empty
// body; Unavailable when the database or the engine cannot be reached (the caller answers 5xx,
// so Stripe delivers again); nothing is stored on any error.
func (i *Inbox) Receive(ctx context.Context, ev Event, raw []byte) (Receipt, error) {
	if strings.TrimSpace(ev.ID) == "" || strings.TrimSpace(ev.Type) == "" {
		return Receipt{}, ErrInvalidEvent
	}
	if len(raw) == 0 {
		return Receipt{}, ErrWebhookPayload
	}
	rcpt := Receipt{EventID: ev.ID, WorkflowID: EventWorkflowID(ev.ID)}
	inserted, err := i.events.Accept(ctx, ReceivedEvent{ID: ev.ID, Type: ev.Type, AccountID: ev.AccountID, Payload: raw},
		func(ctx context.Context) error {
			if _, err := i.engine.Start(ctx, EventWorkflow, ev, rcpt.WorkflowID); err != nil {
				return fmt.Errorf("start %s: %w", rcpt.WorkflowID, err)
			}
			return nil
		})
	if err != nil {
		return Receipt{}, fmt.Errorf("receive event %s: %w", ev.ID, err)
	}
	rcpt.Duplicate = !inserted
	return rcpt, nil
}
