package httpclient

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"
)

// recorder is a Metrics that keeps every event.
type recorder struct {
	mu       sync.Mutex
	calls    []CallEvent
	retries  []RetryEvent
	breakers []BreakerEvent
}

func (r *recorder) Call(e CallEvent)   { r.mu.Lock(); r.calls = append(r.calls, e); r.mu.Unlock() }
func (r *recorder) Retry(e RetryEvent) { r.mu.Lock(); r.retries = append(r.retries, e); r.mu.Unlock() }
func (r *recorder) BreakerChange(e BreakerEvent) {
	r.mu.Lock()
	r.breakers = append(r.breakers, e)
	r.mu.Unlock()
}

func (r *recorder) snapshot() ([]CallEvent, []RetryEvent, []BreakerEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]CallEvent(nil), r.calls...), append([]RetryEvent(nil), r.retries...), append([]BreakerEvent(nil), r.breakers...)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// fastConfig is a config with millisecond backoffs so tests do not sleep.
func fastConfig(name string, m Metrics, logs io.Writer) Config {
	if logs == nil {
		logs = io.Discard
	}
	return Config{
		Name:       name,
		Timeout:    2 * time.Second,
		BackoffMin: time.Millisecond,
		BackoffMax: 5 * time.Millisecond,
		Metrics:    m,
		Logger:     slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Breaker:    BreakerConfig{ConsecutiveFailures: 3, OpenTimeout: 200 * time.Millisecond},
	}
}

func mustNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func get(t *testing.T, c *Client, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if resp != nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func post(t *testing.T, c *Client, url, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if resp != nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}
