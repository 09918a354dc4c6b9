package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMetricsAfterRequests scrapes /metrics (through the contract-validating fixture) after a
// few requests: each is one observation under its route template, method and status; unknown
// paths share one "unmatched" label; the scrape itself is the one request in flight; and no user
// id, account id, request id or raw path is anywhere in the answer.
func TestMetricsAfterRequests(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	u := newUser(t, false)
	me := f.me(t, u)
	serve := func(method, target, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		f.engine.ServeHTTP(rec, r)
		return rec
	}
	const profile = "0b7e8f4e-1d0c-4a51-9a43-5d6f5b1a2c3d"
	if rec := serve(http.MethodGet, "/v1/business-profiles/"+profile, u.token); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown business profile: %d", rec.Code)
	}
	unauth := serve(http.MethodGet, "/v1/me", "")
	if unauth.Code != http.StatusUnauthorized {
		t.Fatalf("/v1/me without a token: %d", unauth.Code)
	}
	serve(http.MethodGet, "/no/such/path-"+u.id, "")
	serve("BREW", "/v1/me", u.token)

	rec := f.do(t, req{method: http.MethodGet, target: "/metrics"})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	text := rec.Body.String()
	for _, line := range []string{
		`http_request_duration_seconds_count{method="GET",route="/v1/me",status="200"} 1`,
		`http_request_duration_seconds_count{method="GET",route="/v1/me",status="401"} 1`,
		`http_request_duration_seconds_count{method="GET",route="/v1/business-profiles/:id",status="404"} 1`,
		`http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`http_request_duration_seconds_count{method="OTHER",route="unmatched",status="405"} 1`,
		`http_requests_in_flight 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, "\n"+line) {
			t.Errorf("missing %q", line)
		}
	}
	for name, v := range map[string]string{
		"user id": u.id, "account id": me.Account.ID, "profile id": profile,
		"request id": unauth.Header().Get("X-Request-ID"), "raw path": "/no/such",
	} {
		if v == "" || strings.Contains(text, v) {
			t.Errorf("the %s %q is in the metrics (or empty)", name, v)
		}
	}
}
