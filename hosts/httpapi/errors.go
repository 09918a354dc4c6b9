package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// kindInfo is one row of the kind table: the HTTP status and the RFC 9457 title of a kind.
type kindInfo struct {
	status int
	title  string
}

// kinds is THE table from error kind to HTTP status. Every apperr.Kind has a row (a test checks).
var kinds = map[apperr.Kind]kindInfo{
	apperr.Invalid:         {http.StatusBadRequest, "Invalid request"},
	apperr.Unauthenticated: {http.StatusUnauthorized, "Authentication required"},
	apperr.Forbidden:       {http.StatusForbidden, "Forbidden"},
	apperr.NotFound:        {http.StatusNotFound, "Not found"},
	apperr.Conflict:        {http.StatusConflict, "Conflict"},
	apperr.PaymentRequired: {http.StatusPaymentRequired, "Payment required"},
	apperr.RateLimited:     {http.StatusTooManyRequests, "Too many requests"},
	apperr.Unavailable:     {http.StatusServiceUnavailable, "Service unavailable"},
	apperr.Internal:        {http.StatusInternalServerError, "Internal error"},
}

// transportCodes are the few codes that describe HTTP itself rather than the application and so
// need a status the kind table cannot express. Their kind still decides logging.
// The idempotency codes are here because the Idempotency-Key header is HTTP's (the IETF draft
// "The Idempotency-Key HTTP Header Field" gives them 422 and 409), not a kind of its own.
var transportCodes = map[string]kindInfo{
	apperr.CodeMethodNotAllowed:     {http.StatusMethodNotAllowed, "Method not allowed"},
	apperr.CodeBodyTooLarge:         {http.StatusRequestEntityTooLarge, "Request body too large"},
	apperr.CodeUnsupportedMediaType: {http.StatusUnsupportedMediaType, "Unsupported media type"},
	idempotency.CodeMismatch:        {http.StatusUnprocessableEntity, "Idempotency key reused"},
	idempotency.CodeInFlight:        {http.StatusConflict, "Request in progress"},
}

// internalDetail replaces the message of every Internal error: internals never reach a client.
const internalDetail = "An unexpected error occurred. Quote the request id if you report it."

// problemTypeBase prefixes the code to form the problem type URI.
const problemTypeBase = "https://oslira.com/problems/"

// Problem is the RFC 9457 body of every error response.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Code      string              `json:"code"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
	// ExistingID and RunID name the analysis already in flight of a 409 analysis.duplicate for
	// one handle; Existing lists every one (a bulk submit may collide on several handles).
	ExistingID string            `json:"existing_id,omitempty"`
	RunID      string            `json:"run_id,omitempty"`
	Existing   []InFlightProblem `json:"existing,omitempty"`
}

// InFlightProblem is one analysis in flight named by a 409 analysis.duplicate.
type InFlightProblem struct {
	Username   string `json:"username"`
	AnalysisID string `json:"analysis_id"`
	RunID      string `json:"run_id"`
}

// StatusOf returns the HTTP status for err.
func StatusOf(err error) int {
	return describe(err).status
}

func describe(err error) kindInfo {
	if info, ok := transportCodes[apperr.CodeOf(err)]; ok {
		return info
	}
	if info, ok := kinds[apperr.KindOf(err)]; ok {
		return info
	}
	return kinds[apperr.Internal]
}

// NewProblem builds the client-safe body for err. Only the kind, the code, the message of a
// non-internal *apperr.Error and its field errors are used; causes are never read.
func NewProblem(err error, requestID string) Problem {
	info := describe(err)
	p := Problem{
		Title:     info.title,
		Status:    info.status,
		Code:      apperr.CodeInternal,
		Detail:    internalDetail,
		RequestID: requestID,
	}
	if e, ok := apperr.As(err); ok && e.Kind != apperr.Internal {
		p.Code = e.Code
		p.Detail = e.Message
		if p.Detail == "" {
			p.Detail = info.title
		}
		if e.Kind == apperr.Invalid {
			p.Errors = e.Fields
		}
	} else if ok && e.Code != "" {
		p.Code = e.Code // an internal error's code is stable and safe; its message is not shown
	}
	if dup, ok := errors.AsType[*analyze.DuplicateError](err); ok && p.Code == analyze.CodeDuplicate {
		addInFlight(&p, dup)
	}
	p.Type = problemTypeBase + p.Code
	return p
}

// addInFlight names the analyses in flight of a duplicate submit, by handle; the one of a
// single-handle collision is also existing_id and run_id.
func addInFlight(p *Problem, dup *analyze.DuplicateError) {
	names := slices.Sorted(maps.Keys(dup.Existing))
	for _, u := range names {
		id := dup.Existing[u]
		p.Existing = append(p.Existing, InFlightProblem{Username: u, AnalysisID: id, RunID: analyze.RunID(id)})
	}
	if len(names) == 1 {
		p.ExistingID, p.RunID = p.Existing[0].AnalysisID, p.Existing[0].RunID
	}
}

// writeProblem renders err as application/problem+json and aborts the chain.
func writeProblem(c *gin.Context, err error) {
	p := NewProblem(err, logctx.RequestID(c.Request.Context()))
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(p.Status, p)
}

// logError logs err (with its cause) at its level (apperr.LevelOf: its code's, else its
// kind's), on the request's context so the line carries the request id.
func logError(ctx context.Context, log *slog.Logger, msg string, err error, attrs ...slog.Attr) {
	kind := apperr.KindOf(err)
	attrs = append(attrs,
		slog.String("error", err.Error()),
		slog.String("kind", kind.String()),
		slog.String("code", apperr.CodeOf(err)),
	)
	log.LogAttrs(ctx, logctx.Level(apperr.LevelOf(err)), msg, attrs...)
}

// errorMiddleware renders the last error a handler attached with c.Error as problem+json, after
// the handler returns, and logs it. Handlers never write error bodies themselves.
func errorMiddleware(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || CutOffByShutdown(c.Request.Context()) {
			return // a cut-off request's error is the shutdown's, and accessLog reports it
		}
		err := c.Errors.Last().Err
		logError(c.Request.Context(), log, "request failed", err,
			slog.Int("status", StatusOf(err)),
			slog.String("route", routeOf(c)),
		)
		if c.Writer.Written() {
			return // the handler already started a response; nothing more can be sent
		}
		writeProblem(c, err)
	}
}

// maxEchoedPath and maxEchoedMethod bound how much of a request's path and method (a token,
// so nothing to escape) an error repeats.
const (
	maxEchoedPath   = 200
	maxEchoedMethod = 20
)

// noRoute answers requests for paths no route matches. The detail quotes the path (method
// included) bounded to maxEchoedPath bytes with an ellipsis and Go-quoted, so a megabyte-long
// or control-character path is neither reflected in full nor able to forge text.
func noRoute(c *gin.Context) {
	_ = c.Error(apperr.New(apperr.NotFound, apperr.CodeRouteNotFound,
		"No route matches "+capText(c.Request.Method, maxEchoedMethod)+" "+echoPath(c.Request.URL.EscapedPath())+"."))
}

// echoPath is the client's path made safe to repeat: cut to maxEchoedPath bytes, then quoted
// (printable ASCII only; anything else escaped).
func echoPath(p string) string {
	return strconv.QuoteToASCII(capText(p, maxEchoedPath))
}

// noMethod answers requests whose path exists for other methods; gin has already set Allow.
func noMethod(c *gin.Context) {
	_ = c.Error(apperr.New(apperr.Invalid, apperr.CodeMethodNotAllowed,
		"Method "+capText(c.Request.Method, maxEchoedMethod)+" is not allowed here; see the Allow header."))
}

// errBodyTooLarge is returned by BindJSON when the body exceeds the limit.
var errBodyTooLarge = apperr.New(apperr.Invalid, apperr.CodeBodyTooLarge, "The request body is larger than 1 MiB.")

// isBodyTooLarge reports whether err comes from reading past the body limit.
func isBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
