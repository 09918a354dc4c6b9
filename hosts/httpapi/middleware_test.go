package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

func TestRequestID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		incoming string
		keep     bool
	}{
		{"accepted", "abc-123_X.y", true},
		{"uuid", "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"64 chars", strings.Repeat("a", 64), true},
		{"missing", "", false},
		{"too long", strings.Repeat("a", 65), false},
		{"bad characters", "abc def", false},
		{"log injection", "abc\"}{\"level\":\"ERROR", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			var seen string
			b.engine.GET("/test", func(c *gin.Context) {
				seen = logctx.RequestID(c.Request.Context())
				c.Status(http.StatusNoContent)
			})
			h := http.Header{}
			if tc.incoming != "" {
				h.Set(HeaderRequestID, tc.incoming)
			}
			rec := b.do(t, http.MethodGet, "/test", nil, h)
			got := rec.Header().Get(HeaderRequestID)
			if tc.keep && got != tc.incoming {
				t.Errorf("response id = %q, want the incoming %q", got, tc.incoming)
			}
			if !tc.keep && (got == tc.incoming || !saneRequestID(got) || len(got) < 16) {
				t.Errorf("response id = %q, want a generated id", got)
			}
			if seen != got {
				t.Errorf("handler context id = %q, response id = %q", seen, got)
			}
			if line := b.logs.find(t, "http request"); line["request_id"] != got || line["route"] != "/test" ||
				line["method"] != "GET" || line["status"] != float64(204) || line["latency_ms"] == nil {
				t.Errorf("access log line = %v", line)
			}
		})
	}
}

func TestGeneratedRequestIDsDiffer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.do(t, http.MethodGet, "/health/live", nil, nil).Header().Get(HeaderRequestID)
	c := b.do(t, http.MethodGet, "/health/live", nil, nil).Header().Get(HeaderRequestID)
	if a == "" || a == c {
		t.Errorf("generated ids %q and %q", a, c)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	preflight := func(origin string) http.Header {
		return http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"},
			"Access-Control-Request-Headers": {"authorization,content-type"}}
	}
	cases := []struct {
		name       string
		method     string
		header     http.Header
		wantStatus int
		wantAllow  bool
	}{
		{"allowed origin", http.MethodGet, http.Header{"Origin": {allowedOrigin}}, 200, true},
		{"allowed origin, other case", http.MethodGet, http.Header{"Origin": {"https://APP.oslira.com"}}, 200, true},
		{"denied origin", http.MethodGet, http.Header{"Origin": {"https://evil.example"}}, 200, false},
		{"no origin", http.MethodGet, nil, 200, false},
		{"preflight allowed", http.MethodOptions, preflight(allowedOrigin), 204, true},
		{"preflight denied", http.MethodOptions, preflight("https://evil.example"), 204, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			rec := b.do(t, tc.method, "/health/live", nil, tc.header)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			acao := rec.Header().Get("Access-Control-Allow-Origin")
			if !tc.wantAllow {
				for k := range rec.Header() {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Errorf("denied request got CORS header %s", k)
					}
				}
				return
			}
			if acao != tc.header.Get("Origin") || acao == "*" {
				t.Errorf("Access-Control-Allow-Origin = %q", acao)
			}
			if rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
				t.Error("credentials not allowed for an allowed origin")
			}
			if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Origin") {
				t.Error("missing Vary: Origin")
			}
			if tc.method == http.MethodOptions {
				if !strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "POST") ||
					!strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
					t.Errorf("preflight headers = %v", rec.Header())
				}
			}
		})
	}
}
