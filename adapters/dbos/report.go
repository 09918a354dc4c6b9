package dbos

import (
	"context"

	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/workflow"
)

// WithReporter makes the executor report the runs that fail with a CRITICAL error (a bug, a
// store down through every retry; apperr.LevelOf) to r, tagged with the workflow definition
// and the run id. Business failures, cancellations and interrupted runs (recovered later) are
// not reported. Nil: none.
func WithReporter(r observe.Reporter) ExecutorOption {
	return func(x *Executor) { x.reporter = r }
}

// reportFailure reports a run's terminal error when it leaves the run failed and is CRITICAL.
func (x *Executor) reportFailure(ctx context.Context, definition, runID string, err error) {
	if x.reporter == nil || runOutcome(err) != string(workflow.StateFailed) {
		return
	}
	observe.ReportIfCritical(context.WithoutCancel(ctx), x.reporter, err,
		map[string]string{"workflow": definition, "run_id": runID})
}
