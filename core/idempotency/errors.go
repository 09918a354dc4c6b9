package idempotency

import "github.com/oslira/oslira/core/apperr"

// Error codes of this package. The HTTP host answers CodeMismatch with 422 and CodeInFlight with
// 409 (hosts/httpapi/errors.go).
const (
	CodeMismatch = "request.idempotency-mismatch"
	CodeInFlight = "request.idempotency-in-flight"
)

var (
	// ErrMismatch refuses a key reused with a different request (method, path or body).
	ErrMismatch = apperr.New(apperr.Invalid, CodeMismatch,
		"This Idempotency-Key was used with a different request; use a new key for a new request.")
	// ErrInFlight refuses a key whose first request has not finished yet.
	ErrInFlight = apperr.New(apperr.Conflict, CodeInFlight,
		"A request with this Idempotency-Key is still being processed; retry when it has finished.")
)
