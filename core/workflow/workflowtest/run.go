package workflowtest

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/oslira/oslira/core/workflow"
)

// ErrCrash, returned from a step function or panicked with, simulates the process dying inside
// that step: the body is abandoned, nothing is recorded for the step, and the run stays running
// until Recover.
var ErrCrash = errors.New("workflowtest: simulated crash")

// ErrNondeterministic fails a re-execution whose step at some position has another name than
// the recorded one (the body changed its steps, or chose them from non-recorded data).
var ErrNondeterministic = errors.New("workflowtest: the body's steps differ from the recorded ones")

func init() { gob.Register(&workflow.Error{}) }

// crashSignal unwinds a body from a crashing step to execute.
type crashSignal struct{}

func isCrash(v any) bool {
	if _, ok := v.(crashSignal); ok {
		return true
	}
	err, ok := v.(error)
	return ok && errors.Is(err, ErrCrash)
}

// run is one workflow run. Guarded by Engine.mu.
type run struct {
	id, def     string
	input       []byte
	state       workflow.State
	attempts    int
	checkpoints []checkpoint
	output      []byte
	err         error // the run's error after a gob round trip
	created     time.Time
	updated     time.Time
	executing   bool
	cancel      context.CancelFunc // cancels the current execution's context
	calls       map[string]int
	progress    []workflow.Progress
}

func (r *run) status(queue string) workflow.Status {
	s := workflow.Status{
		ID: r.id, Definition: r.def, Queue: queue, State: r.state, Attempts: r.attempts,
		Executor: "workflowtest", CreatedAt: r.created, UpdatedAt: r.updated,
	}
	if r.err != nil {
		s.Error = r.err.Error()
		var we *workflow.Error
		if errors.As(r.err, &we) {
			s.ErrorCode = we.Code
		}
	}
	return s
}

// checkpoint is a recorded step: its output, or its error gob-encoded.
type checkpoint struct {
	name   string
	output []byte
	err    []byte
}

func (c checkpoint) result() ([]byte, error) {
	if c.err == nil {
		return slices.Clone(c.output), nil
	}
	return slices.Clone(c.output), decodeError(c.err)
}

// roundTrip flattens err and passes it through gob, as a database-backed engine would.
func roundTrip(err error) error {
	if err == nil {
		return nil
	}
	return decodeError(encodeError(err))
}

func encodeError(err error) []byte {
	var buf bytes.Buffer
	flat := workflow.Flatten(err)
	if e := gob.NewEncoder(&buf).Encode(&flat); e != nil {
		panic(fmt.Sprintf("workflowtest: gob-encode %T: %v", flat, e)) // cannot happen for *workflow.Error
	}
	return buf.Bytes()
}

func decodeError(b []byte) error {
	var err error
	if e := gob.NewDecoder(bytes.NewReader(b)).Decode(&err); e != nil {
		panic(fmt.Sprintf("workflowtest: gob-decode error: %v", e))
	}
	return err
}

// execute runs the body of run id if it is enqueued; it reports whether it did.
func (e *Engine) execute(ctx context.Context, id string) bool {
	e.mu.Lock()
	r, ok := e.runs[id]
	if !ok || r.state != workflow.StateEnqueued || r.executing {
		e.mu.Unlock()
		return false
	}
	body := e.defs[r.def].Body
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.state, r.executing, r.cancel = workflow.StateRunning, true, cancel
	r.attempts++
	r.updated = time.Now()
	input := slices.Clone(r.input)
	e.mu.Unlock()

	out, err, crashed := invoke(ectx, body, &fakeRun{e: e, r: r}, input)

	e.mu.Lock()
	defer e.mu.Unlock()
	r.executing, r.cancel, r.updated = false, nil, time.Now()
	switch {
	case crashed, r.state == workflow.StateCancelled:
		// A crash leaves the run running; a cancelled run stays cancelled.
	case err != nil:
		r.state, r.err = workflow.StateFailed, roundTrip(err)
	default:
		enc, oerr := workflow.EncodeOutput(out)
		if oerr != nil {
			r.state, r.err = workflow.StateFailed, roundTrip(oerr)
			break
		}
		r.state, r.output = workflow.StateSucceeded, enc
	}
	return true
}

// invoke calls body, turning a simulated crash into crashed and any other panic into a
// permanent Internal error (the DBOS adapter fails a panicking run too).
func invoke(ctx context.Context, body workflow.Body, r workflow.Run, input []byte) (out []byte, err error, crashed bool) {
	defer func() {
		if v := recover(); v != nil {
			if isCrash(v) {
				out, err, crashed = nil, nil, true
				return
			}
			out, err = nil, workflow.Permanent(fmt.Errorf("workflow body panicked: %v", v))
		}
	}()
	out, err = body(ctx, r, input)
	return out, err, false
}

// fakeRun is the workflow.Run handed to a body for one execution.
type fakeRun struct {
	e      *Engine
	r      *run
	next   int         // position of the next step
	inStep atomic.Bool // a Step call is in flight
}

func (f *fakeRun) ID() string { return f.r.id }

// Step implements workflow.Run.
func (f *fakeRun) Step(ctx context.Context, name string, p workflow.Policy, fn workflow.StepFunc) ([]byte, error) {
	if !f.inStep.CompareAndSwap(false, true) {
		return nil, workflow.Permanent(fmt.Errorf("workflowtest: step %q started while another step of run %s is in flight: steps must be sequential", name, f.r.id))
	}
	defer f.inStep.Store(false)
	idx := f.next
	f.next++
	e, r := f.e, f.r

	e.mu.Lock()
	if r.state == workflow.StateCancelled {
		e.mu.Unlock()
		return nil, workflow.ErrCancelled
	}
	if idx < len(r.checkpoints) {
		c := r.checkpoints[idx]
		e.mu.Unlock()
		if c.name != name {
			return nil, fmt.Errorf("%w: step %d is recorded as %q, the body now calls it %q", ErrNondeterministic, idx, c.name, name)
		}
		return c.result()
	}
	e.mu.Unlock()

	if err := p.Validate(); err != nil {
		return nil, workflow.Permanent(err)
	}
	out, err := e.retrier.Run(ctx, p, func(ctx context.Context) ([]byte, error) { return e.call(ctx, r, name, fn) })

	e.mu.Lock()
	defer e.mu.Unlock()
	if r.state == workflow.StateCancelled {
		return nil, workflow.ErrCancelled // cancelled mid-step: nothing is recorded
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // interrupted, not an outcome
	}
	c := checkpoint{name: name, output: slices.Clone(out)}
	if err != nil {
		c.err = encodeError(err)
	}
	r.checkpoints = append(r.checkpoints, c)
	return c.result()
}

// call invokes one attempt of a step function, counting it. ErrCrash becomes a crash; any other
// panic a permanent error.
func (e *Engine) call(ctx context.Context, r *run, name string, fn workflow.StepFunc) (out []byte, err error) {
	e.mu.Lock()
	r.calls[name]++
	e.mu.Unlock()
	defer func() {
		if v := recover(); v != nil {
			if isCrash(v) {
				panic(crashSignal{})
			}
			out, err = nil, workflow.Panicked(v)
		}
	}()
	out, err = fn(ctx)
	if err != nil && errors.Is(err, ErrCrash) {
		panic(crashSignal{})
	}
	return out, err
}

// Progress implements workflow.Run: it records p and hands it to the sink, if any.
func (f *fakeRun) Progress(ctx context.Context, p workflow.Progress) error {
	f.e.mu.Lock()
	f.r.progress = append(f.r.progress, p)
	f.e.mu.Unlock()
	if f.e.sink != nil {
		return f.e.sink.Publish(ctx, f.r.id, p)
	}
	return nil
}
