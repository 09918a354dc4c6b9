package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

func TestKindTableCoversEveryKind(t *testing.T) {
	t.Parallel()
	for _, k := range apperr.Kinds() {
		if _, ok := kinds[k]; !ok {
			t.Errorf("kind %s has no row in the kind table", k)
		}
	}
	if len(kinds) != len(apperr.Kinds()) {
		t.Errorf("kind table has %d rows for %d kinds", len(kinds), len(apperr.Kinds()))
	}
}

func TestProblemPerKind(t *testing.T) {
	t.Parallel()
	want := map[apperr.Kind]int{
		apperr.Invalid:         400,
		apperr.Unauthenticated: 401,
		apperr.PaymentRequired: 402,
		apperr.Forbidden:       403,
		apperr.NotFound:        404,
		apperr.Conflict:        409,
		apperr.RateLimited:     429,
		apperr.Internal:        500,
		apperr.Unavailable:     503,
	}
	for _, kind := range apperr.Kinds() {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.engine.GET("/test", func(c *gin.Context) {
				_ = c.Error(apperr.New(kind, "test.code", "A safe message."))
			})
			rec := b.do(t, http.MethodGet, "/test", nil, http.Header{HeaderRequestID: {"rid-" + kind.String()}})
			p := problem(t, rec)

			if rec.Code != want[kind] || p.Status != want[kind] {
				t.Errorf("status = %d (body %d), want %d", rec.Code, p.Status, want[kind])
			}
			if p.Code != "test.code" || p.Type != "https://oslira.com/problems/test.code" {
				t.Errorf("code/type = %q/%q", p.Code, p.Type)
			}
			if p.Title != kinds[kind].title || p.Title == "" {
				t.Errorf("title = %q", p.Title)
			}
			wantDetail := "A safe message."
			if kind == apperr.Internal {
				wantDetail = internalDetail
			}
			if p.Detail != wantDetail {
				t.Errorf("detail = %q, want %q", p.Detail, wantDetail)
			}
			if p.RequestID != "rid-"+kind.String() {
				t.Errorf("request_id = %q", p.RequestID)
			}
			if p.Errors != nil {
				t.Errorf("errors = %v, want none", p.Errors)
			}
			if got := b.logs.find(t, "request failed"); got["request_id"] != p.RequestID || got["code"] != "test.code" {
				t.Errorf("error log line = %v", got)
			}
		})
	}
}

func TestValidationProblemListsFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.engine.POST("/test", func(c *gin.Context) {
		_ = c.Error(apperr.Validation("thing.invalid", "The thing is invalid.",
			apperr.FieldError{Field: "name", Message: "is required"},
			apperr.FieldError{Field: "size", Message: "must be positive"}))
	})
	p := problem(t, b.do(t, http.MethodPost, "/test", nil, nil))
	if p.Status != 400 || p.Code != "thing.invalid" || len(p.Errors) != 2 || p.Errors[1].Field != "size" {
		t.Errorf("problem = %+v", p)
	}
}

func TestInternalTextNeverLeaks(t *testing.T) {
	t.Parallel()
	const secret = "password=hunter2 host=db.internal"
	cases := map[string]error{
		"plain error":        fmt.Errorf("query users: %s", secret),
		"wrapped internal":   apperr.Wrap(errors.New(secret), apperr.Internal, "db.broken", "message with "+secret),
		"not found cause":    apperr.Wrap(errors.New(secret), apperr.NotFound, "thing.not-found", "No such thing."),
		"unavailable cause":  apperr.Wrap(errors.New(secret), apperr.Unavailable, apperr.CodeUnavailable, "Try again later."),
		"joined":             errors.Join(errors.New(secret), errors.New("other")),
		"fmt wrapped apperr": fmt.Errorf("%s: %w", secret, apperr.New(apperr.Conflict, "x.dup", "Duplicate.")),
	}
	for name, handlerErr := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.engine.GET("/test", func(c *gin.Context) { _ = c.Error(handlerErr) })
			rec := b.do(t, http.MethodGet, "/test", nil, nil)
			p := problem(t, rec)
			if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "db.internal") {
				t.Fatalf("response leaks internal text: %s", rec.Body.String())
			}
			if p.RequestID == "" {
				t.Error("problem has no request id")
			}
			line := b.logs.find(t, "request failed")
			if !strings.Contains(line["error"].(string), "hunter2") {
				t.Errorf("the cause is not logged for operators: %v", line)
			}
			if line["request_id"] != p.RequestID {
				t.Errorf("log request_id = %v, want %s", line["request_id"], p.RequestID)
			}
		})
	}
}

func TestErrorLogLevelFollowsKind(t *testing.T) {
	t.Parallel()
	cases := map[apperr.Kind]string{
		apperr.NotFound:    "INFO",
		apperr.RateLimited: "WARN",
		apperr.Unavailable: "WARN",
		apperr.Internal:    "CRITICAL",
	}
	for kind, level := range cases {
		b := setup(t)
		b.engine.GET("/test", func(c *gin.Context) { _ = c.Error(apperr.New(kind, "c", "m")) })
		b.do(t, http.MethodGet, "/test", nil, nil)
		if got := b.logs.find(t, "request failed")["level"]; got != level {
			t.Errorf("%s logged at %v, want %s", kind, got, level)
		}
	}
}

// TestErrorLogLevelFollowsCodeOverride: a code with its own level (apperr.LevelOf) is logged at
// it, not at its kind's.
func TestErrorLogLevelFollowsCodeOverride(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.engine.GET("/test", func(c *gin.Context) {
		_ = c.Error(apperr.New(apperr.Unavailable, "billing.not-configured", "no keys"))
	})
	b.do(t, http.MethodGet, "/test", nil, nil)
	if got := b.logs.find(t, "request failed")["level"]; got != "ERROR" {
		t.Errorf("billing.not-configured logged at %v, want ERROR", got)
	}
}

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := b.do(t, http.MethodGet, "/nope", nil, nil)
	p := problem(t, rec)
	if rec.Code != http.StatusNotFound || p.Code != apperr.CodeRouteNotFound {
		t.Errorf("status %d code %q", rec.Code, p.Code)
	}
	// A trailing slash is a different path, not a redirect.
	if rec := b.do(t, http.MethodGet, "/health/live/", nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("trailing slash: status %d, want 404", rec.Code)
	}
}

func TestWrongMethod(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := b.do(t, http.MethodPost, "/health/live", nil, nil)
	p := problem(t, rec)
	if rec.Code != http.StatusMethodNotAllowed || p.Status != 405 || p.Code != apperr.CodeMethodNotAllowed {
		t.Errorf("status %d problem %+v", rec.Code, p)
	}
	if allow := rec.Header().Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("Allow = %q, want GET, HEAD", allow)
	}
}

// TestNotFoundBoundsTheEchoedPath: a 404 quotes at most 200 bytes of the path, escaped, so a
// megabyte-long or control-character path is not reflected.
func TestNotFoundBoundsTheEchoedPath(t *testing.T) {
	t.Parallel()
	b := setup(t)
	long := "/" + strings.Repeat("a", 60_000)
	rec := b.do(t, http.MethodGet, long, nil, nil)
	p := problem(t, rec)
	if rec.Code != http.StatusNotFound || len(p.Detail) > maxEchoedPath+40 || !strings.Contains(p.Detail, `…`) && !strings.Contains(p.Detail, `\u2026`) {
		t.Errorf("detail of %d bytes: %.300q", len(p.Detail), p.Detail)
	}
	if rec.Body.Len() > 1000 {
		t.Errorf("404 body is %d bytes for a %d-byte path", rec.Body.Len(), len(long))
	}
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.URL.Path = "/evil\n\x1b[31m<script>\u202e" // a path made of what a terminal or a page would render
	rec = httptest.NewRecorder()
	b.engine.ServeHTTP(rec, req)
	p = problem(t, rec)
	if strings.ContainsAny(p.Detail, "\n\x1b<>\u202e") {
		t.Errorf("detail carries raw control or markup characters: %q", p.Detail)
	}
	short := problem(t, b.do(t, http.MethodGet, "/nope", nil, nil))
	if short.Detail != `No route matches GET "/nope".` {
		t.Errorf("detail = %q", short.Detail)
	}
}

func TestPanicBecomes500(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.engine.GET("/test", func(c *gin.Context) { panic("kaboom: secret-detail") })
	rec := b.do(t, http.MethodGet, "/test", nil, nil)
	p := problem(t, rec)
	if rec.Code != 500 || p.Code != apperr.CodeInternal || p.Detail != internalDetail {
		t.Errorf("status %d problem %+v", rec.Code, p)
	}
	if strings.Contains(rec.Body.String(), "secret-detail") {
		t.Errorf("panic value leaked: %s", rec.Body.String())
	}
	line := b.logs.find(t, "handler panicked")
	if line["level"] != "CRITICAL" || !strings.Contains(line["stack"].(string), "errors_test.go") ||
		line["request_id"] != p.RequestID || !strings.Contains(line["error"].(string), "kaboom") {
		t.Errorf("panic log line = %v", line)
	}
	if access := b.logs.find(t, "http request"); access["status"] != float64(500) {
		t.Errorf("access log status = %v, want 500", access["status"])
	}
}
