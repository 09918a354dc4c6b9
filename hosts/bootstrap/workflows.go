package bootstrap

import (
	"fmt"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
)

// Workflows provides every workflow definition of the application in the dbos.DefinitionGroup
// value group — today stripe.event.v1 (billing.EventDefinition over a *billing.Processor) — and
// the engine's dbos.Config for this process's Role. Every graph that includes a dbos module
// includes it: executors need the bodies of every definition (a launched DBOS process consumes
// every queue), clients need their names and queues. It needs billing.Store (postgres.Module).
//
// It also provides the maintenance.WebhookRedrive the cron host's stale-work reaper uses to
// restart the processing of a stored Stripe event: the same definition, run id and input
// (billing.Event, parsed from the stored payload by the stripe adapter) as the webhook endpoint.
var Workflows = fx.Module("workflows",
	fx.Provide(
		billing.NewProcessor,
		fx.Annotate(billing.EventDefinition, fx.ResultTags(`group:"`+dbos.DefinitionGroup+`"`)),
		provideDBOSConfig,
		StripeRedrive,
	),
)

// StripeRedrive says how a stored Stripe event is processed again: run
// EventAttemptWorkflowID(id, n) of its latest attempt n, of billing.EventWorkflow with the event parsed from the stored payload (the body exactly as
// Stripe signed it). An event stored without a payload, or one that no longer parses, is an
// error: the reaper reports it stuck instead of starting a run that would fail.
func StripeRedrive() maintenance.WebhookRedrive {
	return maintenance.WebhookRedrive{
		Definition: billing.EventWorkflow,
		WorkflowID: billing.EventAttemptWorkflowID,
		Input: func(e maintenance.StaleWebhook) (any, error) {
			if len(e.Payload) == 0 {
				return nil, fmt.Errorf("stripe event %s was stored without its payload", e.ID)
			}
			return stripe.ParseEvent(e.Payload)
		},
	}
}

type dbosConfigParams struct {
	fx.In

	Config      Config
	Role        Role
	Definitions []workflow.Definition `group:"workflow.definitions"`
}

func provideDBOSConfig(p dbosConfigParams) dbos.Config {
	return p.Config.DBOS(string(p.Role), p.Definitions)
}
