package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/tenant"
)

// HeaderIdempotencyKey makes a write safe to retry: the same key applies it once.
const HeaderIdempotencyKey = "Idempotency-Key"

// HeaderIdempotentReplayed marks a response replayed from an earlier request with the same
// Idempotency-Key (Stripe's header).
const HeaderIdempotentReplayed = "Idempotent-Replayed"

// replayedHeaders are the response headers stored with a response and sent again on replay
// (X-Request-ID is the new request's own; Cache-Control is set by the route again).
var replayedHeaders = []string{"Content-Type", "Location"}

// idempotent is the Idempotency-Key mechanism of every route that creates something (see
// core/idempotency for the rules). Put it on a route after authentication:
//
//	authed.POST("/v1/things", keys, api.createThing)
//
// A request without the header runs normally (a route that requires a key says so itself). With
// one, the key is scoped to the caller (account and user) and the route template, and the
// request's fingerprint is the SHA-256 of its method, path, query and canonical JSON body (key
// order and whitespace do not matter). Outcomes:
//
//   - first request: the handler runs; a 2xx response is stored for 24 hours, anything else
//     releases the key;
//   - same key, same request, finished: the stored status, body and Content-Type/Location are
//     sent again with Idempotent-Replayed: true, and the handler does not run;
//   - same key, another request: 422 request.idempotency-mismatch;
//   - same key while the first is running: 409 request.idempotency-in-flight with Retry-After: 1.
//
// A nil service turns the mechanism off (tests of unrelated behaviour only; fx always gives one).
func idempotent(svc *idempotency.Service, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw := strings.TrimSpace(c.GetHeader(HeaderIdempotencyKey))
		if raw == "" || svc == nil {
			c.Next()
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			_ = c.Error(decodeError(err))
			c.Abort()
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		key := idempotency.Key{Scope: idempotencyScope(principal(c)), Route: c.Request.Method + " " + c.FullPath(), Key: raw}
		ctx := c.Request.Context()
		begun, err := svc.Begin(ctx, key, fingerprint(c.Request, body))
		if err != nil {
			if errors.Is(err, idempotency.ErrInFlight) {
				c.Header("Retry-After", "1")
			}
			_ = c.Error(err)
			c.Abort()
			return
		}
		if begun.Replay != nil {
			replay(c, begun.Replay)
			return
		}
		runHolding(c, svc, log, key, begun.Token)
	}
}

// runHolding runs the rest of the chain while holding key, then stores or releases it. A panic
// releases the key before it continues to the recovery middleware. Storage calls outlive a
// client that went away (context.WithoutCancel): the outcome is recorded either way.
func runHolding(c *gin.Context, svc *idempotency.Service, log *slog.Logger, key idempotency.Key, token string) {
	ctx := context.WithoutCancel(c.Request.Context())
	orig := c.Writer
	capture := &capturingWriter{ResponseWriter: orig}
	c.Writer = capture
	finished := false
	defer func() {
		c.Writer = orig
		if finished {
			return
		}
		if err := svc.Release(ctx, key, token); err != nil {
			log.LogAttrs(ctx, slog.LevelError, "idempotency key not released after a panic", slog.String("error", err.Error()))
		}
	}()
	c.Next()
	finished = true
	resp := idempotency.Response{Status: capture.Status(), Body: capture.body.Bytes(), Header: map[string]string{}}
	if len(c.Errors) > 0 || !capture.Written() {
		resp.Status = 0 // the error renderer answers after us: not a response to keep
	}
	for _, h := range replayedHeaders {
		if v := capture.Header().Get(h); v != "" {
			resp.Header[h] = v
		}
	}
	if err := svc.Complete(ctx, key, token, resp); err != nil {
		// The answer is already sent; the key stays in flight until its lease ends.
		logError(ctx, log, "idempotency key not completed", err, slog.String("route", key.Route))
	}
}

// replay answers with a stored response.
func replay(c *gin.Context, r *idempotency.Response) {
	for h, v := range r.Header {
		c.Header(h, v)
	}
	c.Header(HeaderIdempotentReplayed, "true")
	c.Status(r.Status)
	_, _ = c.Writer.Write(r.Body)
	c.Abort()
}

// idempotencyScope is the caller a key belongs to: the account and the user acting for it.
func idempotencyScope(p tenant.Principal) string {
	return "account:" + p.AccountID + "/user:" + p.UserID
}

// fingerprint is the SHA-256 of the request as far as idempotency is concerned: method, path
// (with its parameters), query and the body in canonical form.
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	for _, part := range []string{r.Method, r.URL.EscapedPath(), r.URL.RawQuery} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(canonicalJSON(body))
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalJSON re-encodes a JSON body with sorted keys, no insignificant whitespace and numbers
// as written; a body that is not one JSON value is used as it is.
func canonicalJSON(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return body
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// capturingWriter keeps a copy of the body written through it.
type capturingWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *capturingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *capturingWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}
