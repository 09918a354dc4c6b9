package billing

import (
	"context"
	"encoding/json"

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

// EventWorkflowID is the run id of an event's processing: "stripe:<event id>". It is the
// idempotency key of the start, so every delivery of an event maps to the same run.
func EventWorkflowID(eventID string) string { return eventRunPrefix + eventID }

// EventDefinition is the stripe.event.v1 workflow over p: its input is the Event (JSON), its one
// step "process" runs p.Handle under workflow.Critical (money must move eventually: a database
// outage is retried for minutes), and its output is the Outcome.
//
// Handle is idempotent per event, so the step may safely run again after a crash. Its business
// errors (an unknown plan, an account that does not exist) are permanent: the run fails at once
// with the error recorded on the run and on the event (webhook_events.last_error), for an
// operator to look at (`oslira workflows show stripe:<event id>`).
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
