package ai

import (
	"errors"
	"time"

	"github.com/oslira/oslira/core/apperr"
)

// Error codes of this package.
const (
	CodeInvalidRequest  = "ai.invalid-request"
	CodeRateLimited     = "ai.rate-limited"
	CodeUnavailable     = "ai.unavailable"
	CodeQuotaExhausted  = "ai.quota-exhausted"
	CodeRejected        = "ai.rejected"
	CodeRefused         = "ai.refused"
	CodeMalformedOutput = "ai.malformed-output"
	CodeSchemaViolation = "ai.schema-violation"
)

var (
	// ErrInvalidRequest means the Request cannot be sent (no purpose, no prompt, unknown tier,
	// no schema, an unknown schema name, an absurd token budget). A programming error of the
	// caller; nothing was called.
	ErrInvalidRequest = apperr.New(apperr.Invalid, CodeInvalidRequest, "invalid model request")
	// ErrRateLimited means a provider (or the AI gateway in front of it) throttled us after its
	// client's own retries. Retryable, possibly after RetryAfter.
	ErrRateLimited = apperr.New(apperr.RateLimited, CodeRateLimited, "the language model provider is throttling requests")
	// ErrUnavailable means a provider could not be reached, timed out, answered 5xx or 529
	// (overloaded), or its circuit breaker is open. Retryable.
	ErrUnavailable = apperr.New(apperr.Unavailable, CodeUnavailable, "the language model provider is unavailable")
	// ErrQuotaExhausted means the provider account has no quota or credit left (OpenAI's
	// insufficient_quota, Anthropic's billing_error or spend limit). Never retried against the
	// same provider — money must be added first — but the Gateway falls back to the next one.
	// Internal so that it is reported as CRITICAL: someone must pay the bill.
	ErrQuotaExhausted = apperr.New(apperr.Internal, CodeQuotaExhausted, "internal error")
	// ErrRejected means the provider refused our request for a reason retrying cannot fix: a bad
	// key, an unknown model, a schema it does not accept (4xx other than 408/409/429). A
	// configuration or programming error.
	ErrRejected = apperr.New(apperr.Internal, CodeRejected, "internal error")
	// ErrRefused means the model declined to answer (a safety refusal). Not retried.
	ErrRefused = apperr.New(apperr.Internal, CodeRefused, "internal error")
	// ErrMalformedOutput means the model's answer was not JSON, or was cut off by the token
	// budget, twice: once with the requested budget and once with a larger one.
	ErrMalformedOutput = apperr.New(apperr.Internal, CodeMalformedOutput, "internal error")
	// ErrSchemaViolation means the model's JSON does not satisfy the request's schema. The
	// cause names the first violations (never the prompt).
	ErrSchemaViolation = apperr.New(apperr.Internal, CodeSchemaViolation, "internal error")
)

// retryAfterError carries a provider's requested delay with a retryable error.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.err.Error() }
func (e *retryAfterError) Unwrap() error             { return e.err }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

// WithRetryAfter returns err carrying the delay a provider asked for (Retry-After, OpenAI's
// x-ratelimit-reset-*). The result still matches err with errors.Is and apperr.KindOf, and
// exposes RetryAfter() time.Duration, the method core/workflow's retrier honours. A non-positive
// delay or a nil err returns err unchanged.
func WithRetryAfter(err error, after time.Duration) error {
	if err == nil || after <= 0 {
		return err
	}
	return &retryAfterError{err: err, after: after}
}

// RetryAfter returns the delay carried by err (see WithRetryAfter), if any.
func RetryAfter(err error) (time.Duration, bool) {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter(), true
	}
	return 0, false
}
