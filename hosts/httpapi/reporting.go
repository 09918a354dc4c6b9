package httpapi

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// ReportingOrder is the Order of the error tracker's inner middleware (adapters/sentry's, which
// turns panics into events); ErrorReporting runs right after it. Both come first among the
// inner middleware, so a panic anywhere below them is seen.
const ReportingOrder = -1000

// PanicTagger is implemented by a reporter that reports panics itself (sentrygin): before the
// panic leaves ErrorReporting, the request's tags are handed to it, so the event carries the
// account resolved after the tracker's middleware ran.
type PanicTagger interface {
	TagPanic(ctx context.Context, tags map[string]string)
}

// ErrorReporting is the inner middleware that sends a request's CRITICAL error (the one the
// error renderer will answer with; apperr.LevelOf decides) to r with the request's tags, and tags
// a panic passing through for a PanicTagger. 4xx answers and transient failures (Unavailable,
// RateLimited: WARN) are never reported; a request cut off by shutdown neither.
func ErrorReporting(r observe.Reporter) Middleware {
	return Middleware{Name: "error-reporting", Inner: true, Order: ReportingOrder + 1, Handler: func(c *gin.Context) {
		if t, ok := r.(PanicTagger); ok {
			defer func() {
				if rec := recover(); rec != nil {
					t.TagPanic(c.Request.Context(), RequestTags(c))
					panic(rec)
				}
			}()
		}
		c.Next()
		if len(c.Errors) == 0 || CutOffByShutdown(c.Request.Context()) {
			return
		}
		observe.ReportIfCritical(c.Request.Context(), r, c.Errors.Last().Err, RequestTags(c))
	}}
}

// RequestTags are the tags of a request's report: request id, route template, method and the
// account id when the caller is known (never the user's e-mail).
func RequestTags(c *gin.Context) map[string]string {
	ctx := c.Request.Context()
	tags := map[string]string{"route": routeOf(c), "method": c.Request.Method}
	if id := logctx.RequestID(ctx); id != "" {
		tags["request_id"] = id
	}
	if _, account := logctx.User(ctx); account != "" {
		tags["account_id"] = account
	}
	return tags
}
