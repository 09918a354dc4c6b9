package ratelimit

import (
	"context"
	"time"

	"github.com/oslira/oslira/core/apperr"
)

// Limiter decides requests against policies, sharing its counters with every process that uses
// the same store (adapters/postgres.RateLimitStore).
type Limiter interface {
	// Allow spends one unit of key's budget under p at now, if the budget has one, and reports
	// the decision. Deciding is atomic: concurrent calls for one key, from any process, never
	// allow more than the policy does. An error (Unavailable) means no decision: the host fails
	// open or closed as p says.
	Allow(ctx context.Context, p Policy, key string, now time.Time) (Decision, error)
	// Release gives back one unit spent under p by key in the window holding now (a CalendarUTC
	// quota; for a Rolling policy it moves the TAT back one interval). It never makes the budget
	// more than whole, and a unit spent in an earlier window is not given back to the current
	// one. Call it once per refunded request.
	Release(ctx context.Context, p Policy, key string, now time.Time) error
}

// Codes of the limiter's refusals.
const (
	// CodeDailyQuota: a calendar quota (the anonymous analysis: one per client IP per UTC day)
	// is spent until the window ends.
	CodeDailyQuota = "rate.daily-quota"
)

// ErrExceeded refuses a request over a Rolling policy (429 with Retry-After).
var ErrExceeded = apperr.New(apperr.RateLimited, apperr.CodeRateLimited,
	"Too many requests; retry after the number of seconds in Retry-After.")

// ErrQuotaSpent refuses a request over a CalendarUTC quota (429 with Retry-After: the seconds
// to the window's end).
var ErrQuotaSpent = apperr.New(apperr.RateLimited, CodeDailyQuota,
	"The daily limit is reached; retry after the number of seconds in Retry-After (midnight UTC).")

// ErrUnavailable refuses a request over a policy that fails closed when its limiter could not
// decide (503).
var ErrUnavailable = apperr.New(apperr.Unavailable, apperr.CodeUnavailable,
	"The request limiter is unavailable; retry later.")

// Refusal is the error a refused request is answered with under p.
func Refusal(p Policy) error {
	if p.Window == CalendarUTC {
		return ErrQuotaSpent
	}
	return ErrExceeded
}

// Refundable reports whether a request that failed with err should get its quota unit back:
// the failure is ours or an upstream's (Unavailable, Internal, or a provider's RateLimited),
// never the caller's (an invalid handle, a profile that does not exist). The host passes the
// handler's error, never the limiter's own refusal.
func Refundable(err error) bool {
	if err == nil {
		return false
	}
	switch apperr.KindOf(err) {
	case apperr.Unavailable, apperr.Internal, apperr.RateLimited:
		return true
	default:
		return false
	}
}

// UserKey is the key of an authenticated user.
func UserKey(userID string) string { return "user:" + userID }

// IPKey is the key of a caller known only by its client IP.
func IPKey(ip string) string { return "ip:" + ip }
