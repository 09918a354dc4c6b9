package httpapi

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// HeaderRequestID carries the request id in both directions.
const HeaderRequestID = "X-Request-ID"

// maxRequestIDLen bounds an accepted incoming request id.
const maxRequestIDLen = 64

// requestID accepts a sane incoming X-Request-ID (so a proxy's id follows the request through our
// logs) or generates one, echoes it in the response and puts it into the request context, where
// the logger and the problem renderer find it.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(HeaderRequestID)
		if !saneRequestID(id) {
			id = rand.Text()
		}
		c.Header(HeaderRequestID, id)
		c.Request = c.Request.WithContext(logctx.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

// saneRequestID accepts 1–64 characters from [A-Za-z0-9-_.]: enough for UUIDs and trace ids,
// nothing that could forge log structure or headers.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-', b == '_', b == '.':
		default:
			return false
		}
	}
	return true
}

// accessLog writes one line per request after it completes (health probes at debug level). The route is the template
// ("/v1/analyses/:id"), not the raw path, so lines group by endpoint and carry no identifiers.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		if CutOffByShutdown(c.Request.Context()) { // no answer reached the client; its status is moot
			log.LogAttrs(c.Request.Context(), slog.LevelWarn, "http request cut off by shutdown",
				slog.String("method", c.Request.Method),
				slog.String("route", routeOf(c)),
				slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
			)
			return
		}
		level := slog.LevelInfo
		if strings.HasPrefix(c.FullPath(), "/health") {
			level = slog.LevelDebug // load-balancer probes every few seconds would drown the log
		}
		log.LogAttrs(c.Request.Context(), level, "http request",
			slog.String("method", c.Request.Method),
			slog.String("route", routeOf(c)),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
		)
	}
}

// routeOf is the route template of the request, or "unmatched" when no route matched.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// recovery turns a panic in any later handler into a logged CRITICAL error with its stack and a
// 500 problem+json response. http.ErrAbortHandler is re-panicked: it asks net/http to drop the
// connection silently.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if err, ok := rec.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(rec)
			}
			err := apperr.Wrap(fmt.Errorf("panic: %v", rec), apperr.Internal, apperr.CodeInternal, "")
			logError(c.Request.Context(), log, "handler panicked", err,
				slog.String("route", routeOf(c)),
				slog.String("stack", string(debug.Stack())),
			)
			if c.Writer.Written() {
				c.Abort()
				return
			}
			writeProblem(c, err)
		}()
		c.Next()
	}
}

// bodyLimit caps every request body at MaxBodyBytes. Reading past it fails with
// *http.MaxBytesError, which BindJSON maps to 413 request.too-large.
func bodyLimit(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
	}
	c.Next()
}
