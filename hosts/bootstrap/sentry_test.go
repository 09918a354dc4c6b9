package bootstrap

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/adapters/sentry"
	"github.com/oslira/oslira/adapters/sentry/sentrytest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/secret"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
	"github.com/oslira/oslira/hosts/httpapi"
)

const (
	testBearer = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXZhbHVl"
	testEmail  = "someone.private@example.com"
	testTicket = "TICKET-0123456789"
	testAPIKey = "sk_test_0123456789abcdefghij"
)

// mapSecrets is a secret.Provider over a map.
type mapSecrets map[string]string

func (m mapSecrets) Get(_ context.Context, name string) (string, error) {
	if v, ok := m[name]; ok {
		return v, nil
	}
	return "", secret.ErrNotFound
}

// sentryEngine is the real gin chain (request id, access log, recovery, the Sentry middleware
// of the graph, error rendering) with test routes that act as an authenticated handler would.
func sentryEngine(t *testing.T, fake *sentrytest.Fake) (*gin.Engine, *sentry.Reporter, *bytes.Buffer) {
	t.Helper()
	cfg := Config{Env: EnvTest, Version: "v9.9.9"}
	sc, err := SentryConfig(context.Background(), cfg, mapSecrets{SentryDSNName: fake.DSN(), StripeSecretKeyName: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sentry.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := httpapi.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	hcfg := httpapi.Config{Version: cfg.Version}.WithDefaults()
	h := httpapi.NewHandlerWith(hcfg, NewLogger(&logs, nil), httpapi.NewHealth(nil, cfg.Version),
		httpapi.NewAPI(nil, nil, nil, httpapi.Billing{}), spec, nil, sentryMiddleware(r))
	e := h.(*gin.Engine)
	auth := func(c *gin.Context) { // what authentication does: the account in the context
		c.Request = c.Request.WithContext(logctx.WithUser(c.Request.Context(), "user-1", "acct-42"))
	}
	e.GET("/t/panic", auth, func(*gin.Context) { panic("nil map write near " + testAPIKey) })
	e.GET("/t/critical", auth, func(c *gin.Context) {
		_ = c.Error(apperr.Wrap(errString("store down for "+testEmail), apperr.Internal, "analysis.failed", ""))
	})
	e.GET("/t/notfound", auth, func(c *gin.Context) { _ = c.Error(apperr.New(apperr.NotFound, apperr.CodeNotFound, "no")) })
	e.GET("/t/unavailable", auth, func(c *gin.Context) {
		_ = c.Error(apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "try again"))
	})
	return e, r, &logs
}

type errString string

func (e errString) Error() string { return string(e) }

func sentryGet(e *gin.Engine, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+testBearer)
	req.Header.Set("Cookie", "sb-access-token="+testBearer)
	req.Header.Set("X-Request-ID", "req-"+strings.ReplaceAll(strings.TrimPrefix(target, "/t/"), "?", "-")[:5])
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// TestSentryReceivesPanicsAndCriticalErrorsOnly: through the real middleware chain, a panic
// (still answered 500 by our recovery) and a CRITICAL error arrive at the envelope endpoint as
// events with the request id, route, account id, environment and release; a 404 and a
// transient 503 send nothing; no token, e-mail, ticket or secret is anywhere in the payload.
func TestSentryReceivesPanicsAndCriticalErrorsOnly(t *testing.T) {
	t.Parallel()
	fake := sentrytest.New(t)
	e, r, logs := sentryEngine(t, fake)

	for target, status := range map[string]int{"/t/notfound": 404, "/t/unavailable": 503} {
		if rec := sentryGet(e, target); rec.Code != status {
			t.Fatalf("%s: status %d, want %d", target, rec.Code, status)
		}
	}
	if !r.Flush(5 * time.Second) {
		t.Fatal("flush timed out")
	}
	if n := fake.Requests(); n != 0 {
		t.Fatalf("a 4xx or a transient error reached Sentry (%d envelopes): %s", n, fake.Payload())
	}

	if rec := sentryGet(e, "/t/panic?ticket="+testTicket+"&token="+testBearer); rec.Code != http.StatusInternalServerError ||
		!strings.Contains(rec.Body.String(), `"code":"internal"`) {
		t.Fatalf("panic: status %d body %s, want our recovery's 500 problem", rec.Code, rec.Body.String())
	}
	if rec := sentryGet(e, "/t/critical"); rec.Code != http.StatusInternalServerError {
		t.Fatalf("critical: status %d", rec.Code)
	}
	if !r.Flush(5 * time.Second) {
		t.Fatal("flush timed out")
	}
	evs := fake.Events()
	if len(evs) != 2 {
		t.Fatalf("got %d events (items %v), want the panic and the critical error", len(evs), fake.ItemTypes())
	}
	byRoute := map[string]sentrytest.Event{}
	for _, ev := range evs {
		byRoute[ev.Tags()["route"]] = ev
	}
	for route, reqID := range map[string]string{"/t/panic": "req-panic", "/t/critical": "req-criti"} {
		ev, ok := byRoute[route]
		if !ok {
			t.Errorf("no event for %s: %v", route, evs)
			continue
		}
		tags := ev.Tags()
		if tags["request_id"] != reqID || tags["account_id"] != "acct-42" {
			t.Errorf("%s tags = %v, want request_id %s and account_id acct-42", route, tags, reqID)
		}
		if ev.Data["environment"] != "test" || ev.Data["release"] != "v9.9.9" {
			t.Errorf("%s environment/release = %v/%v", route, ev.Data["environment"], ev.Data["release"])
		}
		_, exc := ev.Data["exception"]
		msg, _ := ev.Data["message"].(string) // a panic with a string value is a message event
		if !exc && !strings.Contains(msg, "nil map write") {
			t.Errorf("%s event has neither the exception nor the panic's message: %s", route, ev.Raw)
		}
	}
	if tags := byRoute["/t/critical"].Tags(); tags["code"] != "analysis.failed" {
		t.Errorf("critical event code tag = %q", tags["code"])
	}
	payload := fake.Payload()
	for _, s := range []string{testBearer, testEmail, testTicket, testAPIKey, "sb-access-token"} {
		if strings.Contains(payload, s) {
			i := strings.Index(payload, s)
			t.Errorf("the Sentry payload contains %q: …%s…", s, payload[max(0, i-300):min(len(payload), i+100)])
		}
	}
	if !strings.Contains(logs.String(), `"msg":"handler panicked"`) {
		t.Error("the panic was not logged by our recovery")
	}
}
