package lead

import "github.com/oslira/oslira/core/apperr"

// Error codes of this package.
const (
	CodeInvalidUsername    = "lead.username-invalid"
	CodeScraperUnavailable = "lead.scraper-unavailable"
	CodeScraperRateLimited = "lead.scraper-rate-limited"
	CodeScraperRejected    = "lead.scraper-rejected"
)

// ErrInvalidUsername is returned for a handle that cannot be an Instagram username.
var ErrInvalidUsername = apperr.New(apperr.Invalid, CodeInvalidUsername, "invalid Instagram username")

// ErrScraperUnavailable is returned when a profile provider cannot answer (down, timing out,
// misconfigured, or its circuit breaker is open). Retryable.
var ErrScraperUnavailable = apperr.New(apperr.Unavailable, CodeScraperUnavailable, "profile provider unavailable")

// ErrScraperRateLimited is returned when a profile provider throttles us. Retryable after a delay.
var ErrScraperRateLimited = apperr.New(apperr.RateLimited, CodeScraperRateLimited, "profile provider rate limit reached")

// ErrScraperRejected is returned when a profile provider refuses our request for a reason of
// configuration or account (bad token, exhausted plan, unknown actor). It is Unavailable rather
// than Internal on purpose: another scraper in the Chain can still serve, and the provider may be
// fixed without a deploy; it is logged at ERROR so someone looks.
var ErrScraperRejected = apperr.New(apperr.Unavailable, CodeScraperRejected, "profile provider rejected the request")
