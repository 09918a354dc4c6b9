package dbos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/oslira/oslira/core/workflow"
)

// definitionRunner registers one workflow.Definition with DBOS. DBOS keys its registry by the
// function's code pointer, so method values of one method (or closures of one literal) collide;
// registering runner.run together with WithInstance(runner) qualifies the key with ConfigName,
// the definition name. Runs record name = config name = definition name.
type definitionRunner struct {
	def workflow.Definition
	x   *Executor
}

// ConfigName implements dbos.ConfiguredInstance.
func (d *definitionRunner) ConfigName() string { return d.def.Name }

// run is the DBOS workflow function of the definition.
func (d *definitionRunner) run(ctx sdk.Context, input json.RawMessage) (json.RawMessage, error) {
	id, err := ctx.GetWorkflowID()
	if err != nil {
		return nil, err
	}
	d.x.observer.RunStarted(d.def.Name)
	out, err := d.def.Body(ctx, &dbosRun{id: id, wf: ctx, x: d.x, def: d.def.Name}, input)
	d.x.observer.RunFinished(d.def.Name, runOutcome(err))
	if err != nil {
		d.x.reportFailure(ctx, d.def.Name, id, err)
		return nil, outcomeError(err)
	}
	enc, err := workflow.EncodeOutput(out)
	if err != nil {
		return nil, outcomeError(err)
	}
	return enc, nil
}

// dbosRun is the workflow.Run handed to a body.
type dbosRun struct {
	id     string
	wf     sdk.Context // the run's workflow context
	x      *Executor
	def    string // the definition's name (Observer events)
	inStep atomic.Bool
}

func (r *dbosRun) ID() string { return r.id }

// Step implements workflow.Run with one DBOS step (dbos.RunAsStep, named name) whose function
// runs all attempts through workflow.Retrier: DBOS's own step retries stay at 0. The retry
// loop is ours because it honours Retry-After, times out each attempt, recovers panics as
// permanent errors, and behaves exactly like workflowtest's. What DBOS records is the last
// attempt's output, or its error flattened into a *workflow.Error.
//
// Errors that DBOS itself returns (cancellation, lost ownership, a replay that diverged, a
// dead system database) come back unchanged — joined with workflow.ErrCancelled for a
// cancellation — and the body must return them.
func (r *dbosRun) Step(ctx context.Context, name string, p workflow.Policy, fn workflow.StepFunc) ([]byte, error) {
	if !r.inStep.CompareAndSwap(false, true) {
		return nil, workflow.Permanent(fmt.Errorf("step %q started while another step of run %s is in flight: steps must be sequential", name, r.id))
	}
	defer r.inStep.Store(false)
	if err := p.Validate(); err != nil {
		return nil, workflow.Permanent(fmt.Errorf("step %q: %w", name, err))
	}
	retrier := r.x.retrier
	retrier.OnRetry = func(ev workflow.RetryEvent) {
		if r.x.retrier.OnRetry != nil {
			r.x.retrier.OnRetry(ev)
		}
		r.x.observer.StepRetried(r.def, name)
	}
	out, err := sdk.RunAsStep(sdk.From(r.wf, ctx), func(sctx context.Context) ([]byte, error) {
		b, err := retrier.Run(sctx, p, guard(fn))
		return b, workflow.Flatten(err)
	}, sdk.WithStepName(name))
	var outcome *workflow.Error
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, sdk.ErrWorkflowCancelled): // checked first: it may wrap the step's error
		return nil, errors.Join(workflow.ErrCancelled, err)
	case errors.As(err, &outcome): // the step's recorded outcome
		return out, err
	default: // another DBOS error
		return nil, err
	}
}

// guard turns a panic in a step function into a permanent error, so the step records it (DBOS
// would otherwise fail the whole run without a checkpoint, and re-run the step on recovery).
func guard(fn workflow.StepFunc) workflow.StepFunc {
	return func(ctx context.Context) (out []byte, err error) {
		defer func() {
			if v := recover(); v != nil {
				out, err = nil, workflow.Panicked(v)
			}
		}()
		return fn(ctx)
	}
}

// Progress implements workflow.Run: it hands p to the executor's ProgressSink, if any.
func (r *dbosRun) Progress(ctx context.Context, p workflow.Progress) error {
	if r.x.sink == nil {
		return nil
	}
	return r.x.sink.Publish(ctx, r.id, p)
}
