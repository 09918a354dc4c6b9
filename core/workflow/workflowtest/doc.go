// Package workflowtest is an in-memory workflow.Engine for core unit tests: no database, no
// goroutines, no real waits, and the same step semantics as the DBOS adapter.
//
//   - Runs execute when the test says so: Drain runs every enqueued run (and the runs they
//     start) in the caller's goroutine; AutoRun executes a run as soon as it becomes startable.
//   - Step checkpoints each step's output or error, in order, and replays them on re-execution;
//     a step whose name differs from the record fails the run with ErrNondeterministic.
//     Errors are stored gob-encoded after workflow.Flatten, exactly what survives the DBOS
//     round trip, and the body gets the decoded error even on first execution, so a body that
//     passes here does not depend on an in-memory cause chain.
//   - Retries go through workflow.Retrier with the step's policy; the default sleeper returns at
//     once and records the waits (Sleeps), the default jitter is 1 (nominal waits).
//   - Crash simulation: a step function that returns ErrCrash (or panics with it) aborts the
//     body as if the process died there: completed steps keep their checkpoints, the crashed
//     step records nothing, and the run stays running. Recover re-executes such runs.
//   - Transactions: Begin (or InTx) returns a context carrying a *Tx (workflow.WithTx); Starts
//     made with it are buffered and happen on Commit, never on Rollback.
//   - Calls counts step-function invocations (every attempt), for "ran once / ran twice"
//     assertions.
//
// Step calls within one run must be sequential (the DBOS adapter has the same rule); a
// concurrent Step fails with a permanent error here, so a test catches it.
package workflowtest
