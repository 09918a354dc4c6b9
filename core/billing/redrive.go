package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

// Error codes of the operators' webhook commands (`oslira webhooks`).
const (
	CodeWebhookNotFound  = "billing.webhook-not-found"
	CodeWebhookInFlight  = "billing.webhook-in-flight"
	CodeWebhookProcessed = "billing.webhook-processed"
)

var (
	// ErrWebhookNotFound means no webhook event with this id is stored.
	ErrWebhookNotFound = apperr.New(apperr.NotFound, CodeWebhookNotFound, "no webhook event with this id is stored")
	// ErrWebhookInFlight refuses a retry while the event's latest attempt is enqueued or running.
	ErrWebhookInFlight = apperr.New(apperr.Conflict, CodeWebhookInFlight,
		"the event's latest processing attempt is still enqueued or running; wait for it to end")
	// ErrWebhookProcessed refuses a retry of an event whose processing finished (or whose latest
	// run succeeded): a new attempt would change nothing.
	ErrWebhookProcessed = apperr.New(apperr.Conflict, CodeWebhookProcessed,
		"the event was already processed successfully; there is nothing to retry")
)

// PayloadParser turns a stored webhook payload (the body as Stripe signed it) into an Event;
// the Stripe adapter's ParseEvent is one.
type PayloadParser func(payload []byte) (Event, error)

// Retry starts a new processing attempt of stored event eventID, on an operator's request,
// under the same rules and the same row lock as a redelivery (see Receive): when the run of
// its latest attempt failed or was cancelled it starts the next attempt; when that run does
// not exist any more it starts it again. The run's input is the stored payload, parsed by
// parse.
//
// Errors: ErrWebhookNotFound; ErrWebhookInFlight while the latest run is enqueued or running;
// ErrWebhookProcessed when the event has an outcome or its latest run succeeded;
// ErrWebhookPayload when the event was stored without a payload or it does not parse;
// Unavailable when the database or the engine cannot be reached. Nothing is started on error.
func (i *Inbox) Retry(ctx context.Context, eventID string, parse PayloadParser) (Receipt, error) {
	if strings.TrimSpace(eventID) == "" {
		return Receipt{}, ErrWebhookNotFound
	}
	var newAttempt bool
	entry, err := i.events.Redrive(ctx, eventID, func(ctx context.Context, e InboxEntry) (int, error) {
		if len(e.Payload) == 0 {
			return 0, apperr.Wrap(fmt.Errorf("event %s was stored without its payload", eventID),
				apperr.Invalid, CodeWebhookPayload, "the event was stored without its payload, so it cannot be processed again")
		}
		ev, err := parse(e.Payload)
		if err != nil {
			return 0, fmt.Errorf("parse the stored payload: %w", err)
		}
		if ev.ID != eventID {
			return 0, apperr.Wrap(fmt.Errorf("stored payload of %s names event %q", eventID, ev.ID),
				apperr.Invalid, CodeWebhookPayload, "the stored payload is another event")
		}
		n, started, err := i.redrive(ctx, ev, e, true)
		newAttempt = started
		return n, err
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("retry event %s: %w", eventID, err)
	}
	return receipt(entry, newAttempt), nil
}

// WebhookQuery selects events for Webhooks.
type WebhookQuery struct {
	// Failed keeps only unprocessed events whose latest attempt's run failed or was cancelled:
	// the events an operator must look at (and may Retry once the cause is fixed).
	Failed bool
	Limit  int // at most this many events (default 50, at most 1000)
}

// WebhookStatus is a stored event with the run of its latest attempt.
type WebhookStatus struct {
	InboxEvent
	// Run is the latest attempt's run (EventAttemptWorkflowID(ID, Attempts)), without output;
	// Run.State is "" when no such run exists (lost, or deleted by workflow retention).
	Run workflow.Status
}

// Failed reports whether the latest attempt's run failed or was cancelled.
func (w WebhookStatus) Failed() bool {
	return w.Run.State == workflow.StateFailed || w.Run.State == workflow.StateCancelled
}

// webhookScanPages bounds how many pages of unprocessed events Webhooks reads to find failed
// ones: unprocessed events are normally few (processing takes seconds), so this is a safety net.
const webhookScanPages = 20

// Webhooks lists stored events, newest first, each with the run of its latest attempt. With
// q.Failed it lists only the failed ones (see WebhookQuery), reading unprocessed events page by
// page until it has q.Limit of them. Errors: Unavailable when the database or the engine cannot
// be reached.
func (i *Inbox) Webhooks(ctx context.Context, q WebhookQuery) ([]WebhookStatus, error) {
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > workflow.MaxListLimit:
		limit = workflow.MaxListLimit
	}
	page := InboxQuery{Unprocessed: q.Failed, Limit: limit}
	var out []WebhookStatus
	for range webhookScanPages {
		events, err := i.events.InboxEvents(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("list webhook events: %w", err)
		}
		for _, e := range events {
			w := WebhookStatus{InboxEvent: e}
			st, err := i.engine.Status(ctx, EventAttemptWorkflowID(e.ID, e.Attempts))
			switch {
			case errors.Is(err, workflow.ErrNotFound):
			case err != nil:
				return nil, fmt.Errorf("status of event %s: %w", e.ID, err)
			default:
				st.Output = nil
				w.Run = st
			}
			if q.Failed && !w.Failed() {
				continue
			}
			if out = append(out, w); len(out) == limit {
				return out, nil
			}
		}
		if !q.Failed || len(events) < page.Limit {
			break
		}
		last := events[len(events)-1]
		page.BeforeReceived, page.BeforeID = last.ReceivedAt, last.ID
	}
	return out, nil
}
