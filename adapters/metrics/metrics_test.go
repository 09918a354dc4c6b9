package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/adapters/metrics"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/ai"
)

func TestRuntimeAndProcessCollectors(t *testing.T) {
	text := scrape(t, metrics.New())
	for _, name := range []string{"go_goroutines ", "go_memstats_heap_alloc_bytes ", "process_cpu_seconds_total "} {
		if !strings.Contains(text, "\n"+name) {
			t.Errorf("%s missing from the scrape", name)
		}
	}
	if strings.Contains(text, "http_request") {
		t.Error("the HTTP instruments are registered before HTTP() was called (a worker would export them)")
	}
}

func TestHTTPLabelsAreBounded(t *testing.T) {
	m := metrics.New()
	h := m.HTTP()
	if m.HTTP() != h {
		t.Fatal("HTTP() registers a second set of instruments")
	}
	end := h.Begin()
	wantValue(t, scrape(t, m), "http_requests_in_flight", 1)
	end()
	h.Observe("/v1/analyses/:id", "GET", 200, 30*time.Millisecond)
	h.Observe("/v1/analyses/:id", "GET", 200, 2*time.Second)
	h.Observe("", "GET", 404, time.Millisecond)
	h.Observe("", "BREW", 405, time.Millisecond)
	h.Observe("/v1/me", "GET", 1000, time.Millisecond)
	text := scrape(t, m)
	wantValue(t, text, "http_requests_in_flight", 0)
	wantValue(t, text, `http_request_duration_seconds_count{method="GET",route="/v1/analyses/:id",status="200"}`, 2)
	wantValue(t, text, `http_request_duration_seconds_bucket{method="GET",route="/v1/analyses/:id",status="200",le="0.05"}`, 1)
	wantValue(t, text, `http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}`, 1)
	wantValue(t, text, `http_request_duration_seconds_count{method="OTHER",route="unmatched",status="405"}`, 1)
	wantValue(t, text, `http_request_duration_seconds_count{method="GET",route="/v1/me",status="0"}`, 1)
	if strings.Contains(text, "BREW") {
		t.Error("a client-chosen method became a label value")
	}
}

// TestProviderHookOverARealClient drives adapters/httpclient against a fake provider: a
// success, a call retried on 503 then failing, and refusals by the opened breaker.
func TestProviderHookOverARealClient(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	m := metrics.New()
	c, err := httpclient.New(httpclient.Config{
		Name: "openai", MaxRetries: 2, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond,
		Breaker: httpclient.BreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour},
		Metrics: m.Providers(),
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func() error {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		resp, err := c.Do(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		return err
	}
	if err := call(); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, m)
	wantValue(t, text, `provider_calls_total{provider="openai"}`, 1)
	wantValue(t, text, `provider_call_duration_seconds_count{provider="openai"}`, 1)
	wantValue(t, text, `circuit_breaker_state{name="openai"}`, 0)
	if strings.Contains(text, "provider_call_errors_total{") {
		t.Error("a 200 counted as an error")
	}

	status.Store(http.StatusServiceUnavailable)
	_ = call() // 3 attempts, 2 retries, ends 503; the breaker opens
	if err := call(); !errors.Is(err, httpclient.ErrCircuitOpen) {
		t.Fatalf("third call: %v, want the open breaker", err)
	}
	text = scrape(t, m)
	wantValue(t, text, `provider_calls_total{provider="openai"}`, 3)
	wantValue(t, text, `provider_retries_total{provider="openai"}`, 2)
	wantValue(t, text, `provider_call_errors_total{provider="openai",reason="server_error"}`, 1)
	wantValue(t, text, `provider_call_errors_total{provider="openai",reason="circuit_open"}`, 1)
	wantValue(t, text, `circuit_breaker_state{name="openai"}`, 2)

	if (*metrics.Metrics)(nil).Providers() != nil {
		t.Error("a nil *Metrics must give a nil hook (httpclient discards)")
	}
}

type usageStore struct{ got []ai.UsageRecord }

func (s *usageStore) Record(_ context.Context, r ai.UsageRecord) error {
	s.got = append(s.got, r)
	return errors.New("store down")
}

func TestUsageCountsCostAndCacheHitsWithoutAccounts(t *testing.T) {
	m := metrics.New()
	store := &usageStore{}
	u := m.Usage(store)
	const account = "7f9c2ba4-e88f-4d2a-8a1b-6f4f1f0e2d3c"
	recs := []ai.UsageRecord{
		{AccountID: account, Purpose: "analysis.summary", Provider: "openai", Model: "gpt-5-mini", CostMicros: 1_500, CostKnown: true, Status: ai.StatusOK},
		{AccountID: account, Purpose: "analysis.summary", Provider: "openai", Model: "gpt-5-mini", CostMicros: 2_500, CostKnown: true, Status: ai.StatusError},
		{AccountID: account, Purpose: "analysis.summary", Provider: "openai", Model: "gpt-5-mini", CacheHit: true, CostKnown: true, SavedMicros: 1_500, Status: ai.StatusOK},
		{AccountID: account, Purpose: "analysis.summary", Provider: "openai", Model: "unpriced", CostMicros: 9_999, CostKnown: false},
	}
	for _, r := range recs {
		if err := u.Record(t.Context(), r); err == nil {
			t.Error("the decorator hid the store's error")
		}
	}
	if len(store.got) != len(recs) || store.got[0] != recs[0] {
		t.Errorf("store received %d records, want them all unchanged", len(store.got))
	}
	text := scrape(t, m)
	wantValue(t, text, `ai_cost_dollars_total{model="gpt-5-mini",provider="openai",purpose="analysis.summary"}`, 0.004)
	wantValue(t, text, `ai_cache_hits_total{model="gpt-5-mini",provider="openai",purpose="analysis.summary"}`, 1)
	wantValue(t, text, `ai_cache_saved_dollars_total{model="gpt-5-mini",provider="openai",purpose="analysis.summary"}`, 0.0015)
	if _, ok := value(t, text, `ai_cost_dollars_total{model="unpriced",provider="openai",purpose="analysis.summary"}`); ok {
		t.Error("an unknown cost was counted")
	}
	if strings.Contains(text, account) {
		t.Error("an account id is in the metrics")
	}
	var none *metrics.Metrics
	if none.Usage(store) != ai.UsageRecorder(store) {
		t.Error("a nil *Metrics must leave the recorder as it is")
	}
}

func TestWorkflowObserver(t *testing.T) {
	m := metrics.New()
	m.RunStarted("analysis.v1")
	m.RunStarted("analysis.v1")
	m.RunFinished("analysis.v1", "succeeded")
	m.RunFinished("analysis.v1", "failed")
	m.StepRetried("analysis.v1", "scrape")
	text := scrape(t, m)
	wantValue(t, text, `workflow_runs_started_total{definition="analysis.v1"}`, 2)
	wantValue(t, text, `workflow_runs_finished_total{definition="analysis.v1",state="succeeded"}`, 1)
	wantValue(t, text, `workflow_runs_finished_total{definition="analysis.v1",state="failed"}`, 1)
	wantValue(t, text, `workflow_step_retries_total{definition="analysis.v1",step="scrape"}`, 1)
}

func TestPoolAndAnalyticsDrops(t *testing.T) {
	m := metrics.New()
	pool := pgtest.Pool(t)
	if err := m.Pool(pool); err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var dropped atomic.Uint64
	dropped.Store(7)
	if err := m.AnalyticsDropped(dropped.Load); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, m)
	wantValue(t, text, "db_pool_acquired_conns", float64(pool.Stat().AcquiredConns()))
	wantValue(t, text, "db_pool_max_conns", float64(pool.Config().MaxConns))
	if v, _ := value(t, text, "db_pool_acquired_conns"); v < 1 {
		t.Errorf("db_pool_acquired_conns = %v with a connection held", v)
	}
	wantValue(t, text, "analytics_events_dropped_total", 7)
	conn.Release()
	dropped.Store(9)
	wantValue(t, scrape(t, m), "analytics_events_dropped_total", 9)
}
