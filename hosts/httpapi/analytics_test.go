package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/adapters/postgres"
	reqanalytics "github.com/oslira/oslira/core/analytics"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/tenant"
)

// eventLog is an AnalyticsRecorder that keeps every event.
type eventLog struct {
	mu     sync.Mutex
	events []reqanalytics.Event
}

func (l *eventLog) Record(e reqanalytics.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// last returns the latest event, failing when there is none.
func (l *eventLog) last(t *testing.T) reqanalytics.Event {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) == 0 {
		t.Fatal("no analytics event recorded")
	}
	return l.events[len(l.events)-1]
}

func (l *eventLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

const (
	testUserID    = "11111111-1111-4111-8111-111111111111"
	testAccountID = "22222222-2222-4222-8222-222222222222"
)

// analyticsEngine is the real middleware chain with the analytics middleware over rec, and test
// routes: an authenticated-looking one annotating its event, and one that panics.
func analyticsEngine(t testing.TB, rec AnalyticsRecorder, log *slog.Logger) *gin.Engine {
	t.Helper()
	var extra []Middleware
	if rec != nil {
		extra = append(extra, NewAnalyticsMiddleware(rec))
	}
	h := NewHandlerWith(Config{Version: "t"}, log, NewHealth(nil, "t"), NewAPI(nil, nil, nil, Billing{}), mustContract(t), nil, extra).(*gin.Engine)
	h.GET("/test/things/:id", func(c *gin.Context) {
		c.Set(principalKey, tenant.Principal{UserID: testUserID, AccountID: testAccountID})
		c.Set(analyticsTypeKey, "deep")
		c.Set(analyticsCreditsKey, int64(2))
		c.Set(analyticsAICostKey, int64(1500))
		c.Status(http.StatusNoContent)
	})
	h.GET("/test/boom", func(*gin.Context) { panic("boom") })
	return h
}

func serve(h http.Handler, method, target, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// TestAnalyticsMiddlewareRecordsEveryRequest: an event per request with the route template (not
// the path), the final status (a recovered panic's 500, an unmatched path's 404, a refused
// token's 401), the request id answered, the caller and the handler's annotations; the client
// IP only as a salted 16-digit hash.
func TestAnalyticsMiddlewareRecordsEveryRequest(t *testing.T) {
	t.Parallel()
	log := &eventLog{}
	h := analyticsEngine(t, log, discardLogger())

	before := time.Now()
	rec := serve(h, http.MethodGet, "/test/things/42?x=1", "203.0.113.7:4242")
	e := log.last(t)
	if e.Route != "/test/things/:id" || e.Method != http.MethodGet || e.Status != http.StatusNoContent ||
		e.RequestID == "" || e.RequestID != rec.Header().Get(HeaderRequestID) ||
		e.UserID != testUserID || e.AccountID != testAccountID || e.AnalysisType != "deep" ||
		e.CreditsUsed != 2 || e.AICostMicros != 1500 || e.OccurredAt.Before(before) || e.Latency < 0 {
		t.Errorf("event %+v (response request id %q)", e, rec.Header().Get(HeaderRequestID))
	}
	hash := e.ClientIPHash
	if len(hash) != 16 || strings.Trim(hash, "0123456789abcdef") != "" || strings.Contains(hash, "203") {
		t.Errorf("client IP hash %q: want 16 hex digits, not the address", hash)
	}

	serve(h, http.MethodGet, "/test/things/43", "203.0.113.7:5555")
	if got := log.last(t).ClientIPHash; got != hash {
		t.Errorf("same client, another port: hash %q, want %q", got, hash)
	}
	serve(h, http.MethodGet, "/test/things/43", "203.0.113.8:4242")
	if got := log.last(t).ClientIPHash; got == hash {
		t.Error("two clients share a hash")
	}
	other := &eventLog{}
	serve(analyticsEngine(t, other, discardLogger()), http.MethodGet, "/test/things/42", "203.0.113.7:4242")
	if other.last(t).ClientIPHash == hash {
		t.Error("two middleware instances (processes) use the same salt")
	}

	serve(h, http.MethodGet, "/no/such/path/123", "203.0.113.7:1")
	if e := log.last(t); e.Route != "unmatched" || e.Status != http.StatusNotFound || e.UserID != "" {
		t.Errorf("unmatched: %+v", e)
	}
	serve(h, http.MethodGet, "/test/boom", "203.0.113.7:1")
	if e := log.last(t); e.Route != "/test/boom" || e.Status != http.StatusInternalServerError {
		t.Errorf("panic: %+v", e)
	}
	serve(h, http.MethodGet, "/v1/me", "203.0.113.7:1")
	if e := log.last(t); e.Route != "/v1/me" || e.Status != http.StatusUnauthorized || e.UserID != "" ||
		e.AccountID != "" || e.AnalysisType != "" || e.CreditsUsed != 0 {
		t.Errorf("refused token: %+v", e)
	}
	if log.count() != 6 {
		t.Errorf("%d events for 6 requests", log.count())
	}
	if hashClientIP(&[32]byte{}, "") != "" {
		t.Error("no client IP must hash to nothing")
	}
}

// TestAnalyticsOfAnalysisSubmissions: the analysis handlers annotate their events — a submit
// with its type and credits, a bulk with the batch's total, the anonymous analysis as light
// with no account — and a refused submit spends nothing.
func TestAnalyticsOfAnalysisSubmissions(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	log := &eventLog{}
	keys := idempotency.NewService(postgres.NewIdempotencyStore(f.db), nil)
	f.engine = NewHandlerWith(Config{Version: "contract-test"}.WithDefaults(), discardLogger(), NewHealth(nil, "t"),
		f.api, mustContract(t), keys, []Middleware{NewAnalyticsMiddleware(log)}).(*gin.Engine)
	c := newAnalysisCaller(t, f)

	f.submit(t, c, "analytics_one", "deep")
	if e := log.last(t); e.Route != analysesPath || e.Status != http.StatusAccepted || e.AnalysisType != "deep" ||
		e.CreditsUsed != 2 || e.AccountID != c.account || e.UserID == "" {
		t.Errorf("submit: %+v", e)
	}
	rec := f.post(t, c.token, analysesPath+"/bulk", bulkBody(c.profile, "light", "analytics_a", "analytics_b", "analytics_c"), "")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("bulk: %d %s", rec.Code, rec.Body)
	}
	if e := log.last(t); e.Route != analysesPath+"/bulk" || e.AnalysisType != "light" || e.CreditsUsed != 3 {
		t.Errorf("bulk: %+v", e)
	}
	rec = f.post(t, c.token, analysesPath, submitBody("analytics_two", c.profile, "ultra"), "")
	if e := log.last(t); rec.Code != http.StatusBadRequest || e.Status != http.StatusBadRequest || e.AnalysisType != "" || e.CreditsUsed != 0 {
		t.Errorf("refused submit (%d): %+v", rec.Code, e)
	}
	rec = f.do(t, req{method: http.MethodPost, target: analysesPath + "/anonymous", body: `{"username": "fitwithmaya"}`})
	if e := log.last(t); rec.Code != http.StatusOK || e.AnalysisType != "light" || e.CreditsUsed != 0 || e.AccountID != "" {
		t.Errorf("anonymous (%d): %+v", rec.Code, e)
	}
}

// discardWriter stores nothing, at once.
type discardWriter struct{}

func (discardWriter) Write(context.Context, []reqanalytics.Event) error { return nil }

// BenchmarkAnalyticsMiddleware measures what the middleware adds to a request in-process: the
// same engine (the full middleware chain, the access log discarded) with and without it, the
// event going into a running Buffer. Compare the two ns/op (target: < 5 µs added).
func BenchmarkAnalyticsMiddleware(b *testing.B) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	buf := reqanalytics.New(discardWriter{}, reqanalytics.Config{})
	buf.Start()
	b.Cleanup(func() { _ = buf.Close(context.Background()) })
	for _, bc := range []struct {
		name string
		rec  AnalyticsRecorder
	}{{"baseline", nil}, {"analytics", buf}} {
		h := analyticsEngine(b, bc.rec, quiet)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, "/test/things/42", nil)
				r.RemoteAddr = "203.0.113.7:4242"
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
	if d := buf.Dropped(); d > 0 {
		b.Logf("%d events dropped", d)
	}
}
