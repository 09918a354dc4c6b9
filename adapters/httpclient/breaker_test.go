package httpclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBreakerOpensFailsFastHalfOpensAndCloses(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if failing.Load() {
			w.WriteHeader(500)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	m := &recorder{}
	cfg := fastConfig("apify", m, nil)
	cfg.MaxRetries = 1
	c := mustNew(t, cfg)
	health := c.HealthCheck()
	if health.Name() != "breaker:apify" || health.Critical() {
		t.Fatalf("health checker %q critical=%v", health.Name(), health.Critical())
	}
	if err := health.Check(context.Background()); err != nil {
		t.Fatalf("closed breaker reported %v", err)
	}

	for i := range 3 { // three failed calls (two attempts each) open it
		resp, err := get(t, c, srv.URL)
		if err != nil || resp.StatusCode != 500 {
			t.Fatalf("call %d: %v %v", i, resp, err)
		}
	}
	if s, _ := c.BreakerState(); s != BreakerOpen {
		t.Fatalf("state %s after 3 failures", s)
	}
	sent := n.Load()
	_, err := get(t, c, srv.URL)
	if !errors.Is(err, ErrCircuitOpen) || n.Load() != sent {
		t.Fatalf("open breaker: %v, %d requests sent", err, n.Load()-sent)
	}
	if err := health.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "circuit open since") {
		t.Fatalf("health of an open breaker: %v", err)
	}

	time.Sleep(250 * time.Millisecond) // OpenTimeout is 200 ms
	if s, _ := c.BreakerState(); s != BreakerHalfOpen {
		t.Fatalf("state %s after the open timeout", s)
	}
	if err := health.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "half-open") {
		t.Fatalf("health of a half-open breaker: %v", err)
	}
	failing.Store(false)
	if resp, err := get(t, c, srv.URL); err != nil || resp.StatusCode != 200 {
		t.Fatalf("probe: %v %v", resp, err)
	}
	if s, _ := c.BreakerState(); s != BreakerClosed {
		t.Fatalf("state %s after a good probe", s)
	}
	_, _, changes := m.snapshot()
	var path []string
	for _, ch := range changes {
		path = append(path, string(ch.From)+"→"+string(ch.To))
	}
	if got := strings.Join(path, " "); got != "closed→open open→half_open half_open→closed" {
		t.Fatalf("breaker events %s", got)
	}
}

func TestBreakerIgnoresBusinessAnswersAndCallerCancellation(t *testing.T) {
	srv, _ := scripted(t, 404)
	c := mustNew(t, fastConfig("p", nil, nil))
	for range 5 {
		if resp, err := get(t, c, srv.URL); err != nil || resp.StatusCode != 404 {
			t.Fatal(resp, err)
		}
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, slow.URL, nil)
		_, err := c.Do(req)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
	}
	if s, _ := c.BreakerState(); s != BreakerClosed {
		t.Fatalf("state %s: 404s and the caller's deadlines are not the provider's failures", s)
	}
}

func TestDisabledBreaker(t *testing.T) {
	srv, n := scripted(t, 500)
	cfg := fastConfig("p", nil, nil)
	cfg.NoRetries = true
	cfg.Breaker.Disabled = true
	c := mustNew(t, cfg)
	for range 6 {
		if resp, err := get(t, c, srv.URL); err != nil || resp.StatusCode != 500 {
			t.Fatal(resp, err)
		}
	}
	if s, _ := c.BreakerState(); s != BreakerDisabled || n.Load() != 6 {
		t.Fatalf("state %s after %d requests", s, n.Load())
	}
	if err := c.HealthCheck().Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}
