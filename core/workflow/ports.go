package workflow

import "context"

// StepFunc is the work of one step. Its output is checkpointed as opaque bytes (Do encodes JSON).
type StepFunc func(ctx context.Context) ([]byte, error)

// Run is what a Body gets for the run it executes. Implementations are engine-specific; a Run
// is valid only during the Body call it was handed to.
type Run interface {
	// ID is the run id: the idempotency key Start was called with.
	ID() string

	// Step runs fn under p unless a step at this position of the run already completed: then it
	// returns the recorded output or error without calling fn. name must be stable (it is checked
	// on replay). The returned error is the step's outcome — an *Error after flattening, the same
	// before and after a recovery — or an engine signal (ErrCancelled, lost ownership, a replay
	// that diverged), which the body must return at once.
	//
	// Calls must be sequential: the position of a step is its identity on replay, so steps
	// started from concurrent goroutines would be numbered differently each time (engines fail
	// such a call). Run independent calls concurrently inside one step instead.
	Step(ctx context.Context, name string, p Policy, fn StepFunc) ([]byte, error)

	// Progress reports how far the run is, at least once (a re-run step reports again), so
	// payloads carry absolute values. Engines hand it to the ProgressSink they were given, if
	// any, and otherwise drop it; its error is only informational — a body normally ignores it.
	Progress(ctx context.Context, p Progress) error
}

// Body is a workflow's code. input is the JSON Start was given; the returned bytes, when not
// empty, must be JSON too (they are the run's output). See the package documentation for the
// rules a Body follows.
type Body func(ctx context.Context, run Run, input []byte) ([]byte, error)

// Engine starts and manages runs. It is the driving port used by http handlers, webhooks, cron
// jobs and other workflows; implementations are safe for concurrent use.
type Engine interface {
	// Start creates run id of definition def with input (JSON-encoded; []byte and
	// json.RawMessage must already be JSON) on the definition's queue and returns its id. It is
	// idempotent by id: when a run with this id exists, it returns id and starts nothing (the
	// new input is ignored). An empty id gets a fresh random one.
	//
	// When ctx carries a transaction (WithTx), the run is created inside it: it exists only if
	// the transaction commits, and runs only after the commit. A transaction the engine cannot
	// join fails with ErrTxNotSupported; a failed Start inside a transaction may leave that
	// transaction unusable (roll it back).
	//
	// Errors: ErrUnknownDefinition; Invalid (request.invalid) for input that is not JSON;
	// Conflict when id belongs to a run of another definition; Unavailable when the engine's
	// database cannot be reached.
	Start(ctx context.Context, def string, input any, id string) (string, error)

	// Status returns the run's state, with its output when it succeeded. ErrNotFound when no
	// run has this id.
	Status(ctx context.Context, id string) (Status, error)

	// Cancel stops a run that has not finished: it will not start, or, when running, it stops at
	// its next step (the step in flight completes but is not recorded). Cancelling a finished run
	// changes nothing. ErrNotFound when no run has this id.
	Cancel(ctx context.Context, id string) error

	// Resume puts a cancelled run, or one left running by a dead process, back on its queue; it
	// continues after its last recorded step. A succeeded or enqueued run is left alone (nil); a
	// failed one returns ErrNotResumable. ErrNotFound when no run has this id. Resuming a run
	// that a live process is executing makes that process drop it at its next step, and the
	// step in flight may then overlap with the resumed execution: resume running runs only when
	// their process is dead (the DBOS janitor checks heartbeats before it does).
	Resume(ctx context.Context, id string) error

	// List returns runs matching f, newest first, without their outputs.
	List(ctx context.Context, f Filter) ([]Status, error)
}

// ProgressSink receives Run.Progress reports. The analysis feature implements it (rows plus
// NOTIFY); until then engines run without one.
type ProgressSink interface {
	Publish(ctx context.Context, runID string, p Progress) error
}
