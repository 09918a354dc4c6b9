package workflowtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

// Engine is the in-memory workflow.Engine. Create it with New; it is safe for concurrent use,
// but runs execute only inside Drain, Recover, or (with AutoRun) the call that made them
// startable.
type Engine struct {
	mu      sync.Mutex
	defs    map[string]workflow.Definition
	runs    map[string]*run
	order   []string // run ids in creation order
	retrier workflow.Retrier
	sink    workflow.ProgressSink
	autoRun bool
	sleeps  []time.Duration
}

var _ workflow.Engine = (*Engine)(nil)

// Option configures an Engine.
type Option func(*Engine)

// WithSleeper replaces the default sleeper (which records the wait and returns at once).
func WithSleeper(s workflow.Sleeper) Option { return func(e *Engine) { e.retrier.Sleep = s } }

// WithJitter replaces the default jitter source (constantly 1: nominal waits).
func WithJitter(f func() float64) Option { return func(e *Engine) { e.retrier.Jitter = f } }

// WithProgressSink hands Run.Progress reports to s as well (they are always recorded).
func WithProgressSink(s workflow.ProgressSink) Option { return func(e *Engine) { e.sink = s } }

// AutoRun executes a run synchronously as soon as it becomes startable: in Start outside a
// transaction, in Tx.Commit, and in Resume.
func AutoRun() Option { return func(e *Engine) { e.autoRun = true } }

// New returns an engine running defs. It panics when a definition is invalid: that is a bug in
// the test or the definition.
func New(defs []workflow.Definition, opts ...Option) *Engine {
	if err := workflow.ValidateDefinitions(defs); err != nil {
		panic(fmt.Sprintf("workflowtest: %v", err))
	}
	e := &Engine{defs: make(map[string]workflow.Definition, len(defs)), runs: make(map[string]*run)}
	for _, d := range defs {
		e.defs[d.Name] = d
	}
	e.retrier.Sleep = e.recordSleep
	e.retrier.Jitter = func() float64 { return 1 }
	for _, o := range opts {
		o(e)
	}
	return e
}

func (e *Engine) recordSleep(ctx context.Context, d time.Duration) error {
	e.mu.Lock()
	e.sleeps = append(e.sleeps, d)
	e.mu.Unlock()
	return ctx.Err()
}

// conflictErr: a Start reused the id of a run of another definition.
var conflictErr = apperr.New(apperr.Conflict, apperr.CodeConflict, "the run id belongs to another workflow definition")

// Start implements workflow.Engine.
func (e *Engine) Start(ctx context.Context, def string, input any, id string) (string, error) {
	if _, ok := e.defs[def]; !ok {
		return "", fmt.Errorf("start %q: %w", def, workflow.ErrUnknownDefinition)
	}
	in, err := workflow.EncodeInput(input)
	if err != nil {
		return "", err
	}
	if id == "" {
		id = newID()
	}
	if tx := workflow.TxFrom(ctx); tx != nil {
		t, ok := tx.(*Tx)
		if !ok || t.e != e {
			return "", fmt.Errorf("start %q: %T: %w", def, tx, workflow.ErrTxNotSupported)
		}
		return id, t.buffer(id, def, in)
	}
	e.mu.Lock()
	created, err := e.createLocked(id, def, in)
	e.mu.Unlock()
	if err != nil {
		return "", err
	}
	if created && e.autoRun {
		e.execute(ctx, id)
	}
	return id, nil
}

// createLocked creates run id unless it exists; a run of another definition is a Conflict.
func (e *Engine) createLocked(id, def string, input []byte) (bool, error) {
	if r, ok := e.runs[id]; ok {
		if r.def != def {
			return false, conflictErr
		}
		return false, nil
	}
	now := time.Now()
	e.runs[id] = &run{
		id: id, def: def, input: input, state: workflow.StateEnqueued,
		created: now, updated: now, calls: map[string]int{},
	}
	e.order = append(e.order, id)
	return true, nil
}

// Status implements workflow.Engine.
func (e *Engine) Status(_ context.Context, id string) (workflow.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.runs[id]
	if !ok {
		return workflow.Status{}, workflow.ErrNotFound
	}
	s := r.status(e.defs[r.def].Queue)
	s.Output = slices.Clone(r.output)
	return s, nil
}

// Cancel implements workflow.Engine. A run executing right now stops at its next step.
func (e *Engine) Cancel(_ context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.runs[id]
	if !ok {
		return workflow.ErrNotFound
	}
	if r.state.Terminal() {
		return nil
	}
	r.state, r.updated = workflow.StateCancelled, time.Now()
	if r.cancel != nil {
		r.cancel()
	}
	return nil
}

// Resume implements workflow.Engine. A run executing right now is left alone.
func (e *Engine) Resume(ctx context.Context, id string) error {
	e.mu.Lock()
	r, ok := e.runs[id]
	if !ok {
		e.mu.Unlock()
		return workflow.ErrNotFound
	}
	switch {
	case r.state == workflow.StateFailed:
		e.mu.Unlock()
		return workflow.ErrNotResumable
	case r.state == workflow.StateCancelled, r.state == workflow.StateRunning && !r.executing:
		r.state, r.updated = workflow.StateEnqueued, time.Now()
	default:
		e.mu.Unlock()
		return nil
	}
	e.mu.Unlock()
	if e.autoRun {
		e.execute(ctx, id)
	}
	return nil
}

// List implements workflow.Engine.
func (e *Engine) List(_ context.Context, f workflow.Filter) ([]workflow.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []workflow.Status
	for i := len(e.order) - 1; i >= 0 && len(out) < f.EffectiveLimit(); i-- {
		r := e.runs[e.order[i]]
		switch {
		case f.Definition != "" && r.def != f.Definition,
			len(f.States) > 0 && !slices.Contains(f.States, r.state),
			f.IDPrefix != "" && !strings.HasPrefix(r.id, f.IDPrefix),
			!f.CreatedAfter.IsZero() && !r.created.After(f.CreatedAfter),
			!f.CreatedBefore.IsZero() && !r.created.Before(f.CreatedBefore):
			continue
		}
		out = append(out, r.status(e.defs[r.def].Queue))
	}
	return out, nil
}

// Drain executes enqueued runs, oldest first, until none is left (runs started by bodies
// included), and returns how many executions it made.
func (e *Engine) Drain(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil {
		id, ok := e.nextEnqueued()
		if !ok {
			return n
		}
		if e.execute(ctx, id) {
			n++
		}
	}
	return n
}

func (e *Engine) nextEnqueued() (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range e.order {
		if r := e.runs[id]; r.state == workflow.StateEnqueued && !r.executing {
			return id, true
		}
	}
	return "", false
}

// Recover puts every run left running by a simulated crash back on its queue, as a restarted
// executor would, then drains. It returns how many runs it recovered.
func (e *Engine) Recover(ctx context.Context) int {
	e.mu.Lock()
	n := 0
	for _, r := range e.runs {
		if r.state == workflow.StateRunning && !r.executing {
			r.state, r.updated = workflow.StateEnqueued, time.Now()
			n++
		}
	}
	e.mu.Unlock()
	e.Drain(ctx)
	return n
}

// Calls returns how many times the function of step name of run id was invoked (each attempt
// counts; replays from a checkpoint do not).
func (e *Engine) Calls(id, step string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.runs[id]; ok {
		return r.calls[step]
	}
	return 0
}

// Checkpoints returns the names of the recorded steps of run id, in order.
func (e *Engine) Checkpoints(id string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.runs[id]
	if !ok {
		return nil
	}
	names := make([]string, len(r.checkpoints))
	for i, c := range r.checkpoints {
		names[i] = c.name
	}
	return names
}

// ProgressOf returns the progress reports of run id, in order.
func (e *Engine) ProgressOf(id string) []workflow.Progress {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.runs[id]; ok {
		return slices.Clone(r.progress)
	}
	return nil
}

// Sleeps returns the waits the default sleeper was asked for, in order.
func (e *Engine) Sleeps() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.sleeps)
}

// newID makes a run id for Start calls without one. math/rand is enough for a test double (and,
// unlike crypto/rand, keeps core's dependency list free of the FIPS module's dotted packages).
func newID() string {
	return fmt.Sprintf("run-%016x%08x", rand.Uint64(), rand.Uint32())
}
