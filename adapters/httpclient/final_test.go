package httpclient_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
)

// TestFinalResponseIsNeitherRetriedNorABreakerFailure: a 429 the provider marks as final
// (OpenAI's insufficient_quota) comes back after one attempt with its whole body, and repeating
// it never opens the breaker; an ordinary 429 is still retried.
func TestFinalResponseIsNeitherRetriedNorABreakerFailure(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	body := `{"error":{"code":"insufficient_quota"}}` + string(bytes.Repeat([]byte(" "), 100<<10))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
		if r.URL.Path == "/quota" {
			_, _ = io.WriteString(w, body)
		} else {
			_, _ = io.WriteString(w, `{"error":{"code":"rate_limit_exceeded"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := httpclient.New(httpclient.Config{
		Name: "final", MaxRetries: 2, BackoffMin: time.Millisecond, BackoffMax: time.Millisecond,
		Breaker: httpclient.BreakerConfig{ConsecutiveFailures: 2},
		Final: func(status int, _ http.Header, b []byte) bool {
			return status == http.StatusTooManyRequests && bytes.Contains(b, []byte("insufficient_quota"))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/quota", bytes.NewReader([]byte("{}")))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("final 429: %v", err)
		}
		got, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(got) != body {
			t.Fatalf("body not restored: %d bytes, want %d", len(got), len(body))
		}
	}
	if n := hits.Load(); n != 3 {
		t.Fatalf("final 429 was sent %d times for 3 calls, want 3 (no retries)", n)
	}
	if st, _ := c.BreakerState(); st != httpclient.BreakerClosed {
		t.Fatalf("breaker %s after final answers, want closed", st)
	}

	hits.Store(0)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/busy", bytes.NewReader([]byte("{}")))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if n := hits.Load(); n != 3 {
		t.Fatalf("ordinary 429 was sent %d times, want 3 (two retries)", n)
	}
}
