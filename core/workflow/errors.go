package workflow

import (
	"errors"
	"fmt"
	"time"

	"github.com/oslira/oslira/core/apperr"
)

// Errors of the Engine port. The codes are the shared ones listed in contracts/errors.md.
var (
	// ErrNotFound: no run has this id (or it was deleted by retention).
	ErrNotFound = apperr.New(apperr.NotFound, apperr.CodeNotFound, "the workflow run was not found")
	// ErrNotResumable: Resume of a failed run. Its error is recorded (a step that exhausted its
	// attempts replays that error), so resuming would fail again; start a new run instead.
	ErrNotResumable = apperr.New(apperr.Conflict, apperr.CodeConflict, "a failed workflow run cannot be resumed")
)

// Engine signals. They are not *apperr.Error values, so they classify as Internal.
var (
	// ErrUnknownDefinition: Start named a definition the engine was not given.
	ErrUnknownDefinition = errors.New("workflow: unknown definition")
	// ErrTxNotSupported: the context carries a transaction (WithTx) the engine cannot join.
	// Engines never fall back to starting outside the transaction.
	ErrTxNotSupported = errors.New("workflow: the engine cannot join this transaction")
	// ErrCancelled is returned by Run.Step once the run has been cancelled, or its process is
	// shutting down (the run stays pending for recovery then); the body must return it at once.
	// Engines may return their own error alongside it (errors.Is matches both).
	ErrCancelled = errors.New("workflow: run cancelled")
)

// Error is a failure in the form engines persist. Its exported fields survive encoding/gob (the
// DBOS adapter registers the type), so a step's or a run's error read back after a crash, or in
// another process, is still an *Error with the same kind, code and permanence.
//
// Message is the apperr message (client-safe) for classified errors, and the error's text for
// unclassified ones — operators see it in Status; never render it to a client.
type Error struct {
	Kind      apperr.Kind
	Code      string
	Message   string
	Permanent bool

	cause error // in-process only: unexported, so gob drops it
}

// Error renders code and message, like *apperr.Error.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Unwrap yields an *apperr.Error of the same kind, code and message first (so apperr.KindOf and
// errors.Is against apperr sentinels behave the same before and after a round trip), then the
// original cause while it is still in memory.
func (e *Error) Unwrap() []error {
	own := apperr.New(e.Kind, e.Code, e.Message)
	if e.cause == nil {
		return []error{own}
	}
	return []error{own, e.cause}
}

// Flatten returns err as the *Error an engine stores (nil for nil):
//   - an *Error in err's chain keeps its kind, code, message and permanence;
//   - an *apperr.Error keeps kind, code and client message, and is permanent unless its kind is
//     retryable;
//   - anything else is Internal, permanent, with err's text as message.
//
// The result wraps err, so errors.Is/As still see the original chain in this process.
func Flatten(err error) error {
	if err == nil {
		return nil
	}
	return flatten(err)
}

func flatten(err error) *Error {
	var we *Error
	if errors.As(err, &we) {
		c := *we
		c.cause = err
		return &c
	}
	if ae, ok := apperr.As(err); ok {
		return &Error{Kind: ae.Kind, Code: ae.Code, Message: ae.Message, Permanent: !ae.Kind.Retryable(), cause: err}
	}
	return &Error{Kind: apperr.Internal, Code: apperr.CodeInternal, Message: err.Error(), Permanent: true, cause: err}
}

// Permanent marks err as never worth retrying, whatever its kind (nil stays nil). Use it for a
// business outcome that an adapter classified as retryable, or to stop retries early.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	e := flatten(err)
	e.Permanent = true
	return e
}

// IsPermanent reports whether a step that failed with err must not be attempted again: an *Error
// says so itself; any other error is permanent unless its apperr kind is retryable.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var we *Error
	if errors.As(err, &we) {
		return we.Permanent
	}
	return !apperr.KindOf(err).Retryable()
}

// explicitlyPermanent reports an *Error marked permanent (by Permanent or a flattened business
// error) in err's chain.
func explicitlyPermanent(err error) bool {
	var we *Error
	return errors.As(err, &we) && we.Permanent
}

// Panicked turns a value recovered from a panicking step into a permanent Internal error: a
// panic is a bug, and retrying a bug multiplies its damage.
func Panicked(v any) error {
	return &Error{Kind: apperr.Internal, Code: apperr.CodeInternal, Message: fmt.Sprintf("step panicked: %v", v), Permanent: true}
}

// timeoutError is what an attempt that ran past Policy.Timeout failed with.
func timeoutError(cause error, limit time.Duration) error {
	return &Error{
		Kind:    apperr.Unavailable,
		Code:    apperr.CodeTimeout,
		Message: fmt.Sprintf("the step did not finish within %v", limit),
		cause:   cause,
	}
}

// WithRetryAfter wraps err with the wait its source asked for (an HTTP 429/503 Retry-After);
// Policy.Delay honours it up to MaxBackoff. Adapters may instead return errors with their own
// RetryAfter() time.Duration method.
func WithRetryAfter(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &retryAfterError{err: err, after: after}
}

type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.err.Error() }
func (e *retryAfterError) Unwrap() error             { return e.err }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

// RetryAfterOf returns the wait requested by the first error in err's chain that has a
// RetryAfter() time.Duration method, if any and positive.
func RetryAfterOf(err error) (time.Duration, bool) {
	var ra interface{ RetryAfter() time.Duration }
	if err == nil || !errors.As(err, &ra) {
		return 0, false
	}
	d := ra.RetryAfter()
	return d, d > 0
}
