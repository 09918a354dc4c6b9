package bootstrap

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
)

// Workflows provides every workflow definition of the application in the dbos.DefinitionGroup
// value group — stripe.event.v1 (billing.EventDefinition over a *billing.Processor),
// business.context.v1 (onboarding: business.ContextDefinition, see businessContextDefinition) and
// analysis.v1 (analyze.Definition, see analysisDefinition) — and
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
		fx.Annotate(businessContextDefinition, fx.ResultTags(`group:"`+dbos.DefinitionGroup+`"`)),
		fx.Annotate(analysisDefinition, fx.ResultTags(`group:"`+dbos.DefinitionGroup+`"`)),
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

type businessContextParams struct {
	fx.In

	Store business.ContextStore
	// LLM is the gateway of the LLM module (the offline analyzer when no provider key is set
	// locally). Graphs that only hold a workflow client (cron, operator commands) never run a
	// body and leave it out.
	LLM ai.LLM `optional:"true"`
}

// businessContextDefinition is business.context.v1 writing with business.LLMWriter over the
// gateway. Without a gateway in the graph the body refuses to write (the process is a client
// that never executes runs; an executor always has the LLM module).
func businessContextDefinition(p businessContextParams) workflow.Definition {
	var w business.ContextWriter = noLLM{}
	if p.LLM != nil {
		w = business.NewLLMWriter(p.LLM)
	}
	return business.ContextDefinition(w, p.Store)
}

// noLLM is the ContextWriter of a graph without the LLM module.
type noLLM struct{}

var errNoLLM = errors.New("bootstrap: this process has no LLM module; onboarding runs execute on workers")

func (noLLM) OneLiner(context.Context, string, business.Context) (business.Text, error) {
	return business.Text{}, workflow.Permanent(errNoLLM)
}

func (noLLM) Summary(context.Context, string, business.Context) (business.Text, error) {
	return business.Text{}, workflow.Permanent(errNoLLM)
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
