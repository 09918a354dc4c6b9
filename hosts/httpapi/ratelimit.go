package httpapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/ratelimit"
)

// Rate-limit response headers (RFC 9110 Retry-After; RateLimit-* as the IETF httpapi draft and
// the original API name them).
const (
	HeaderRateLimitLimit     = "RateLimit-Limit"
	HeaderRateLimitRemaining = "RateLimit-Remaining"
	HeaderRateLimitReset     = "RateLimit-Reset"
	HeaderRetryAfter         = "Retry-After"
)

// decisionKey holds, in the gin context, the tightest decision shown so far: a route under the
// group's General policy and a policy of its own shows the tighter of the two.
const decisionKey = "httpapi.ratelimit"

// rateLimits is the API's limiter (WithLimiter). The zero value limits nothing (unit tests of
// unrelated behaviour; fx always sets one unless RATE_LIMITS_DISABLED in development/test).
type rateLimits struct {
	limiter ratelimit.Limiter
	log     *slog.Logger
	now     func() time.Time
}

// WithLimiter sets the shared limiter that the route policies (routes.go) are enforced with and
// the logger of its warnings, and returns a. A nil limiter turns limiting off.
func (a *API) WithLimiter(l ratelimit.Limiter, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a.limits = rateLimits{limiter: l, log: log, now: time.Now}
	return a
}

// limit returns the middleware enforcing policies, in order, on a route or group. Put it after
// authentication (the key is the user, "user:<id>") or on a public route (the key is the client
// IP, "ip:<address>", as the trusted-proxy configuration determines it: see Config).
// The routes of routes_analysis.go take:
//
//	api.limit(ratelimit.AnalysisCreate)                     // POST /v1/analyses
//	api.limit(ratelimit.AnalysisBulk)                       // POST /v1/analyses/bulk
//	api.limit(ratelimit.Anonymous, ratelimit.AnonymousDaily) // POST /v1/analyses/anonymous
//
// (the authenticated ones also pass the group's General policy). Every answer of a limited
// route carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds) of the
// tightest policy; a refusal is 429 problem+json (rate.limited, or rate.daily-quota for a
// calendar quota) with Retry-After in seconds, and the handler does not run. Policies are
// checked in order and a refusal stops the chain, so a later policy spends nothing when an
// earlier one refuses (Anonymous before AnonymousDaily: a burst spends no quota).
//
// When the limiter fails (database down), a FailOpen policy lets the request through and logs
// a WARN line; the others (the anonymous ones) answer 503 service.unavailable. A policy with
// RefundOnFailure gets its unit back when the handler fails for a reason that is not the
// caller's (ratelimit.Refundable: unavailable, internal, upstream rate limited, or a panic).
//
// An invalid policy panics here, when the routes are built.
func (a *API) limit(policies ...ratelimit.Policy) gin.HandlerFunc {
	for _, p := range policies {
		if err := p.Validate(); err != nil {
			panic(err)
		}
	}
	return func(c *gin.Context) {
		l := a.limits.limiter
		if l == nil {
			c.Next()
			return
		}
		ctx := c.Request.Context()
		key := limitKey(c)
		now := a.limits.now()
		var refundable []ratelimit.Policy
		for _, p := range policies {
			d, err := l.Allow(ctx, p, key, now)
			if err != nil {
				if p.FailOpen {
					a.limits.log.LogAttrs(ctx, slog.LevelWarn, "rate limiter failed; request let through",
						slog.String("policy", p.Name), slog.String("error", err.Error()),
						slog.String("code", apperr.CodeOf(err)))
					continue
				}
				a.refund(ctx, refundable, key, now)
				_ = c.Error(apperr.Wrap(err, apperr.Unavailable, apperr.CodeUnavailable, ratelimit.ErrUnavailable.Message))
				c.Abort()
				return
			}
			shown := showDecision(c, d)
			if !d.Allowed {
				a.refund(ctx, refundable, key, now)
				c.Header(HeaderRetryAfter, shown.RetryAfterValue())
				_ = c.Error(ratelimit.Refusal(p))
				c.Abort()
				return
			}
			if p.RefundOnFailure {
				refundable = append(refundable, p)
			}
		}
		if len(refundable) == 0 {
			c.Next()
			return
		}
		finished := false
		defer func() {
			if !finished || failedNotByCaller(c) {
				a.refund(ctx, refundable, key, now)
			}
		}()
		c.Next()
		finished = true
	}
}

// limitKey is who a request is limited as: its authenticated user, else its client IP.
func limitKey(c *gin.Context) string {
	if p := principal(c); p.UserID != "" {
		return ratelimit.UserKey(p.UserID)
	}
	return ratelimit.IPKey(c.ClientIP())
}

// showDecision merges d into the request's tightest decision and writes its headers.
func showDecision(c *gin.Context, d ratelimit.Decision) ratelimit.Decision {
	if prev, ok := c.Get(decisionKey); ok {
		d = ratelimit.Tighter(prev.(ratelimit.Decision), d)
	}
	c.Set(decisionKey, d)
	c.Header(HeaderRateLimitLimit, d.LimitValue())
	c.Header(HeaderRateLimitRemaining, d.RemainingValue())
	c.Header(HeaderRateLimitReset, d.ResetValue())
	return d
}

// failedNotByCaller reports whether the handler's answer is a failure the caller did not cause:
// its last error is ratelimit.Refundable, or the status is 5xx.
func failedNotByCaller(c *gin.Context) bool {
	if last := c.Errors.Last(); last != nil && ratelimit.Refundable(last.Err) {
		return true
	}
	return c.Writer.Status() >= 500
}

// refund gives back one unit of each policy, past the request's cancellation (a client that
// hung up still gets its unit back). A failure is logged: the unit stays spent.
func (a *API) refund(ctx context.Context, policies []ratelimit.Policy, key string, now time.Time) {
	for _, p := range policies {
		if err := a.limits.limiter.Release(context.WithoutCancel(ctx), p, key, now); err != nil {
			a.limits.log.LogAttrs(ctx, slog.LevelWarn, "rate limit unit not given back",
				slog.String("policy", p.Name), slog.String("error", err.Error()))
		}
	}
}
