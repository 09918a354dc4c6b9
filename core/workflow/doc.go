// Package workflow is the engine-neutral port for durable execution: background work that
// survives a killed process, retries each step on its own, and never runs a finished step again.
//
// A Definition names a Body and the queue its runs wait on. An Engine starts runs of a definition
// (idempotently, by run id, joining the caller's open database transaction when the context
// carries one — see WithTx), reports their Status, and cancels or resumes them. The Body receives
// a Run whose Step checkpoints what a function returned (output or error): when a run is
// recovered after a crash, the body is executed again from the top, completed steps return their
// recorded result without running, and the step that was interrupted runs again. Steps are
// therefore at-least-once; make them idempotent (the ledger's reference keys, upserts, provider
// idempotency keys).
//
// Rules for a Body (the engines replay it, so it must be deterministic between steps):
//   - everything that touches the world or reads the clock or randomness happens inside a Step;
//   - step names are literal, stable, and unique within a run; the order of steps never changes
//     for a given definition name — a change of order or meaning is a new definition ("x.v2");
//   - pass on the context it was given (or one derived from it) to Step;
//   - return a step's error (wrapped or not) without running further steps after it, except a
//     compensating step (a refund) when the error is a business outcome.
//
// Retries: each Step runs under a Policy. Critical, Standard and FastFail are the three classes
// (numbers on the variables). An error is permanent — never retried — when it is wrapped with
// Permanent, or when its apperr kind is not retryable (apperr.Kind.Retryable: only Unavailable and
// RateLimited are). An error that is not an *apperr.Error is Internal, a bug, and so permanent
// too: adapters classify infrastructure failures as Unavailable. An attempt that runs past the
// policy's Timeout failed transiently. A Retry-After carried by the error (WithRetryAfter, or any
// error with a RetryAfter() time.Duration method) stretches the next wait.
//
// Errors outlive the process: an engine stores a step's or a run's error and hands it back after
// recovery, possibly in another process. Flatten turns any error into an *Error (kind, code,
// message, permanence — exported fields, so an engine can encode it with encoding/gob), and
// *Error unwraps to an *apperr.Error of the same kind and code, so apperr.KindOf and errors.Is
// against apperr sentinels keep working after the round trip. The original cause chain is kept
// in-process only.
//
// The in-memory engine in workflowtest implements this port for core unit tests; the DBOS
// adapter (adapters/dbos) implements it on PostgreSQL.
package workflow
