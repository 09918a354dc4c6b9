package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	reqanalytics "github.com/oslira/oslira/core/analytics"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// Gin context keys through which handlers annotate their request's analytics event: what the
// request itself submitted and spent. Set them only once the work is accepted (a refused submit
// debited nothing).
const (
	// analyticsTypeKey: the analysis type submitted (string).
	analyticsTypeKey = "oslira.analytics.type"
	// analyticsCreditsKey: the credits the request debited (int64).
	analyticsCreditsKey = "oslira.analytics.credits"
	// analyticsAICostKey: the AI cost the request incurred itself, in micro-dollars (int64).
	analyticsAICostKey = "oslira.analytics.ai_cost"
)

// AnalyticsOrder is the analytics middleware's Order among the outer middleware.
const AnalyticsOrder = 20

// AnalyticsRecorder takes one event per request (*analytics.Buffer). Record must not block.
type AnalyticsRecorder interface {
	Record(e reqanalytics.Event)
}

// NewAnalyticsMiddleware returns the outer middleware that records every request, whatever its
// outcome: a recovered panic's 500, a refused token's 401 and an unknown path's 404 included.
// The event carries the route template (c.FullPath(); "unmatched" when no route matched), the
// final status and latency, the request id, the caller's user and account when authenticated, the
// annotations of the analytics*Key context keys, and a hash of the client IP: SHA-256 of a salt
// drawn at random for this process and the IP, 16 hex digits — requests of one client group
// together within a process's life, and the address cannot be recovered (nor matched across
// processes or restarts). A request cut off by shutdown is recorded as 503: no answer reached
// its client.
func NewAnalyticsMiddleware(rec AnalyticsRecorder) Middleware {
	var salt [32]byte
	_, _ = rand.Read(salt[:]) // never fails (crypto/rand)
	return Middleware{Name: "analytics", Order: AnalyticsOrder, Handler: analyticsHandler(rec, salt)}
}

func analyticsHandler(rec AnalyticsRecorder, salt [32]byte) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		ctx := c.Request.Context()
		status := c.Writer.Status()
		if CutOffByShutdown(ctx) {
			status = http.StatusServiceUnavailable
		}
		p := principal(c)
		rec.Record(reqanalytics.Event{
			OccurredAt:   start,
			RequestID:    logctx.RequestID(ctx),
			Method:       c.Request.Method,
			Route:        routeOf(c),
			Status:       status,
			Latency:      time.Since(start),
			UserID:       p.UserID,
			AccountID:    p.AccountID,
			AnalysisType: c.GetString(analyticsTypeKey),
			AICostMicros: c.GetInt64(analyticsAICostKey),
			CreditsUsed:  c.GetInt64(analyticsCreditsKey),
			ClientIPHash: hashClientIP(&salt, c.ClientIP()),
		})
	}
}

// hashClientIP is the first 8 bytes, in hex, of SHA-256(salt ‖ ip); "" for no IP.
func hashClientIP(salt *[32]byte, ip string) string {
	if ip == "" {
		return ""
	}
	var buf [32 + 64]byte
	n := copy(buf[:], salt[:])
	n += copy(buf[n:], ip)
	sum := sha256.Sum256(buf[:n])
	var out [16]byte
	hex.Encode(out[:], sum[:8])
	return string(out[:])
}
