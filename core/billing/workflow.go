package billing

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/oslira/oslira/core/workflow"
)

// The processing workflow of Stripe events.
const (
	// EventWorkflow is the definition name. The body is one step; a change to its steps (order,
	// names, meaning) is a new definition, "stripe.event.v2", registered next to this one until
	// the v1 runs have drained.
	EventWorkflow = "stripe.event.v1"
	// EventQueue is the queue its runs wait on.
	EventQueue = "billing"
	// eventRunPrefix prefixes the event id in the run id.
	eventRunPrefix = "stripe:"
)

// EventWorkflowID is the run id of an event's first processing attempt: "stripe:<event id>"
// (EventAttemptWorkflowID(eventID, 1)).
func EventWorkflowID(eventID string) string { return eventRunPrefix + eventID }

// EventAttemptWorkflowID is the run id of attempt n (1, 2, …) of an event's processing:
// "stripe:<event id>" for the first — the id every run had before attempts were counted, so
// runs started then are still found — and "stripe:<event id>:<n>" after it (Stripe event ids
// hold no colon). It is the idempotency key of the start: every delivery of an event maps to
// the run of its latest attempt, and Inbox starts attempt n+1 only when run n failed or was
// cancelled (see Inbox.Receive). n < 1 is taken as 1.
func EventAttemptWorkflowID(eventID string, n int) string {
	if n <= 1 {
		return EventWorkflowID(eventID)
	}
	return eventRunPrefix + eventID + ":" + strconv.Itoa(n)
}

// EventDefinition is the stripe.event.v1 workflow over p: its input is the Event (JSON), its one
// step "process" runs p.Handle under workflow.Critical (money must move eventually: a database
// outage is retried for minutes), and its output is the Outcome.
//
// Handle is idempotent per event, so the step may safely run again after a crash. Its business
// errors (an unknown plan, an account that does not exist) are permanent: the run fails at once
// with the error recorded on the run and on the event (webhook_events.last_error), for an
// operator to look at (`oslira webhooks list --failed`); once the cause is fixed, Stripe's next
// redelivery or `oslira webhooks retry <event id>` starts a new attempt.
func EventDefinition(p *Processor) workflow.Definition {
	return workflow.Definition{
		Name:  EventWorkflow,
		Queue: EventQueue,
		Body: func(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
			ev, err := workflow.Decode[Event](input)
			if err != nil {
				return nil, err
			}
			out, err := workflow.Do(ctx, run, "process", workflow.Critical, func(ctx context.Context) (Outcome, error) {
				return p.Handle(ctx, ev)
			})
			if err != nil {
				return nil, err
			}
			return json.Marshal(out)
		},
	}
}
