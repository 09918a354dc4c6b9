// Package idempotency makes a create-something request safe to retry: an Idempotency-Key
// remembers the request's fingerprint and its response, with Stripe's semantics.
//
//   - A key is scoped to a caller and a route: two callers (or two routes) never share one.
//   - The first request with a key claims it, runs, and its response is stored when it succeeded
//     (2xx). A later request with the same key and the same fingerprint gets that response again
//     (replayed; nothing runs); with another fingerprint it is refused with ErrMismatch (HTTP 422).
//   - While the first request runs, another with the key is refused with ErrInFlight (409).
//   - A request that fails (any non-2xx answer, or a panic) releases its key: an error means
//     nothing was created (handlers using keys refuse atomically), so a corrected or later retry
//     runs again, as Stripe does for validation failures. Unlike Stripe we do not keep 5xx
//     answers: they are retryable by definition.
//   - A request holds its key for Lease. A process that dies mid-request leaves the key claimed
//     until the lease ends; then a retry with the same fingerprint takes it over and runs. A
//     request that outlives its lease and was taken over does not store its response (its
//     completion no longer holds the key); the business operation underneath must be idempotent
//     on its own for that rare case (the credit ledger is, by reference).
//   - Keys are remembered for TTL (24 h, as Stripe); an expired key is a new key. The cron host
//     deletes expired rows (maintenance.IdempotencyPrune).
//
// The fingerprint is computed by the host (the HTTP host hashes method, path and canonical
// body with SHA-256); this package only compares it. The package imports only the standard
// library and core.
package idempotency
