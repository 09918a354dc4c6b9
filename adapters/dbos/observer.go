package dbos

import (
	"errors"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/oslira/oslira/core/workflow"
)

// Observer receives what an Executor's runs do, for metrics. It lives here, not in a metrics
// package, so the adapter depends on no metrics library: adapters/metrics implements it.
// Implementations must be cheap and safe for concurrent use (they are called on the run's
// goroutine) and must not block.
//
// Labels handed over are bounded: definition names and step names are constants of the code.
type Observer interface {
	// RunStarted is called each time a run's body begins in this process: a first execution,
	// or a re-execution after a recovery (DBOS replays recorded steps; the body runs again).
	RunStarted(definition string)
	// RunFinished is called when the body returns, with the state it leaves the run in:
	// workflow.StateSucceeded, StateFailed or StateCancelled, or OutcomeInterrupted when DBOS
	// stopped the body (lost ownership, a diverged replay, shutdown) and the run is not over.
	RunFinished(definition, state string)
	// StepRetried is called before each wait between two attempts of a step.
	StepRetried(definition, step string)
}

// OutcomeInterrupted is RunFinished's state for a body DBOS stopped without an outcome: the run
// will be recovered, by this process or another.
const OutcomeInterrupted = "interrupted"

// ExecutorOption adjusts an Executor built by NewExecutor.
type ExecutorOption func(*Executor)

// WithObserver makes o receive the executor's run and step events (nil: none).
func WithObserver(o Observer) ExecutorOption {
	return func(x *Executor) {
		if o != nil {
			x.observer = o
		}
	}
}

// nopObserver is the observer of an executor without one.
type nopObserver struct{}

func (nopObserver) RunStarted(string)          {}
func (nopObserver) RunFinished(string, string) {}
func (nopObserver) StepRetried(string, string) {}

// runOutcome is the state a body's result err leaves the run in (see Observer.RunFinished).
func runOutcome(err error) string {
	var de *sdk.Error
	switch {
	case err == nil:
		return string(workflow.StateSucceeded)
	case errors.Is(err, workflow.ErrCancelled), errors.Is(err, sdk.ErrWorkflowCancelled):
		return string(workflow.StateCancelled)
	case errors.As(err, &de):
		return OutcomeInterrupted
	default:
		return string(workflow.StateFailed)
	}
}
