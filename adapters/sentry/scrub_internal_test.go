package sentry

import (
	"net/url"
	"strings"
	"testing"

	sdk "github.com/getsentry/sentry-go"
)

func TestScrubEvent(t *testing.T) {
	t.Parallel()
	s := newScrubber([]string{"whsec_0123456789abcdef", "short"})
	ev := &sdk.Event{
		Message: "failed for bob@example.org using whsec_0123456789abcdef",
		User:    sdk.User{ID: "acct-1", Email: "bob@example.org", IPAddress: "10.0.0.1", Name: "Bob"},
		Request: &sdk.Request{
			URL:         "https://api.oslira.com/v1/live?ticket=T1CKET&x=1",
			QueryString: "ticket=T1CKET&token=TOK3N&api_key=K3Y&page=2&q=bob@example.org",
			Data:        `{"email":"bob@example.org"}`,
			Cookies:     "session=abc",
			Headers: map[string]string{"Authorization": "Bearer abc.def.ghi", "Cookie": "session=abc",
				"Stripe-Signature": "t=1,v1=deadbeef", "User-Agent": "curl/8", "X-Request-Id": "req-1"},
			Env: map[string]string{"REMOTE_ADDR": "10.0.0.1"},
		},
		Exception:   []sdk.Exception{{Value: "GET /x?access_token=abcdef failed: Bearer zzz.yyy.xxx"}},
		Tags:        map[string]string{"route": "/v1/x", "who": "bob@example.org"},
		Breadcrumbs: []*sdk.Breadcrumb{{Message: "bob@example.org"}},
		ServerName:  "host-1",
	}
	s.event(ev)
	r := ev.Request
	if r.Data != "" || r.Cookies != "" || r.Env != nil {
		t.Errorf("body, cookies or env kept: %+v", r)
	}
	if len(r.Headers) != 2 || r.Headers["User-Agent"] != "curl/8" || r.Headers["X-Request-Id"] != "req-1" {
		t.Errorf("headers = %v, want User-Agent and X-Request-Id only", r.Headers)
	}
	q, _ := url.ParseQuery(r.QueryString)
	for _, k := range []string{"ticket", "token", "api_key"} {
		if q.Get(k) != redacted {
			t.Errorf("query %s = %q", k, q.Get(k))
		}
	}
	if q.Get("page") != "2" || q.Get("q") != redacted {
		t.Errorf("query = %v", q)
	}
	if strings.Contains(r.URL, "T1CKET") || !strings.Contains(r.URL, "x=1") {
		t.Errorf("URL = %s", r.URL)
	}
	if u := ev.User; u.ID != "acct-1" || u.Email != "" || u.IPAddress != "" || u.Name != "" {
		t.Errorf("user = %+v", ev.User)
	}
	if ev.Message != "failed for [redacted] using [redacted]" {
		t.Errorf("message = %q", ev.Message)
	}
	if v := ev.Exception[0].Value; strings.Contains(v, "abcdef") || strings.Contains(v, "zzz") {
		t.Errorf("exception = %q", v)
	}
	if ev.Tags["who"] != redacted || ev.Tags["route"] != "/v1/x" {
		t.Errorf("tags = %v", ev.Tags)
	}
	if ev.Breadcrumbs != nil || ev.ServerName != "" {
		t.Error("breadcrumbs or server name kept")
	}
	// A configured value shorter than minSecretLen is not redacted from ordinary text.
	if got := s.text("a short word"); got != "a short word" {
		t.Errorf("short secret redacted: %q", got)
	}
}
