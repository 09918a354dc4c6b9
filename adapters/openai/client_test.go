package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/adapters/openai"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/apperr"
)

// fake is an OpenAI Chat Completions server: it records requests and answers from a script.
type fake struct {
	srv *httptest.Server
	mu  sync.Mutex
	// reqs are the decoded bodies and headers received, in order.
	bodies  []map[string]any
	headers []http.Header
	paths   []string
	// script answers request i (the last entry answers every later request).
	script []func(w http.ResponseWriter)
}

func newFake(t *testing.T, script ...func(w http.ResponseWriter)) *fake {
	t.Helper()
	f := &fake{script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.mu.Lock()
		i := len(f.bodies)
		f.bodies = append(f.bodies, body)
		f.headers = append(f.headers, r.Header.Clone())
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		f.script[min(i, len(f.script)-1)](w)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

// ok answers a completion whose content is content, with cached tokens in the usage.
func ok(content, finish string, extra http.Header) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for k, v := range extra {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-request-id", "req_123")
		c, _ := json.Marshal(content)
		_, _ = io.WriteString(w, `{"id":"chatcmpl-AbC123","object":"chat.completion","created":1764500000,"model":"gpt-4o-mini-2024-07-18",
		"choices":[{"index":0,"message":{"role":"assistant","content":`+string(c)+`,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"`+finish+`"}],
		"usage":{"prompt_tokens":1450,"completion_tokens":38,"total_tokens":1488,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
		"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
		"service_tier":"default","system_fingerprint":"fp_0123456789"}`)
	}
}

func fail(status int, typ, code string, headers map[string]string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		c := "null"
		if code != "" {
			c = `"` + code + `"`
		}
		_, _ = io.WriteString(w, `{"error":{"message":"something happened","type":"`+typ+`","param":null,"code":`+c+`}}`)
	}
}

const answer = `{"score":72,"summary":"Good fit."}`

var schema = ai.Schema{Name: "light_analysis", JSON: []byte(`{"type":"object","properties":{"score":{"type":"integer"},"summary":{"type":"string"}},"required":["score","summary"],"additionalProperties":false}`)}

func client(t *testing.T, url string, mutate ...func(*openai.Config)) *openai.Client {
	t.Helper()
	cfg := openai.Config{BaseURL: url + "/v1", APIKey: "sk-test",
		HTTP: httpclient.Config{BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxRetryAfter: time.Second,
			Breaker: httpclient.BreakerConfig{ConsecutiveFailures: 2, OpenTimeout: time.Hour}}}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func call(model string) ai.Call {
	return ai.Call{Purpose: "light_analysis", AccountID: "acc-1", Model: model, System: "You score profiles.",
		User: `{"username":"examplebrand"}`, Schema: schema, MaxTokens: 800}
}

func TestCompleteSendsStrictSchemaAndReadsUsage(t *testing.T) {
	t.Parallel()
	f := newFake(t, ok(answer, "stop", nil))
	c := client(t, f.srv.URL)
	comp, err := c.Complete(t.Context(), call("gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	if string(comp.JSON) != answer || comp.Model != "gpt-4o-mini-2024-07-18" || comp.Truncated || comp.CacheHit || comp.Refusal != "" ||
		comp.Usage != (ai.Usage{Input: 1450, Output: 38, Cached: 1024}) {
		t.Fatalf("completion = %+v", comp)
	}
	if f.paths[0] != "/v1/chat/completions" || f.headers[0].Get("Authorization") != "Bearer sk-test" {
		t.Errorf("path %s, auth %q", f.paths[0], f.headers[0].Get("Authorization"))
	}
	b := f.bodies[0]
	rf := b["response_format"].(map[string]any)
	js := rf["json_schema"].(map[string]any)
	if rf["type"] != "json_schema" || js["strict"] != true || js["name"] != "light_analysis" || js["schema"] == nil {
		t.Errorf("response_format = %v", rf)
	}
	msgs := b["messages"].([]any)
	if len(msgs) != 2 || msgs[0].(map[string]any)["role"] != "system" || b["store"] != false {
		t.Errorf("body = %v", b)
	}
	// An older model: max_tokens and temperature, no reasoning_effort.
	if b["max_tokens"] != 800.0 || b["temperature"] != 0.0 || b["max_completion_tokens"] != nil || b["reasoning_effort"] != nil {
		t.Errorf("older-model parameters = %v", b)
	}
	if c.Name() != "openai" || c.HealthCheck() == nil {
		t.Error("name or health check")
	}
}

func TestReasoningModelsGetMaxCompletionTokensAndEffort(t *testing.T) {
	t.Parallel()
	f := newFake(t, ok(answer, "stop", nil))
	c := client(t, f.srv.URL)
	for _, tc := range []struct {
		model  string
		effort ai.Effort
		want   string
	}{{"gpt-5-mini", "", "low"}, {"gpt-5", ai.EffortMedium, "medium"}, {"o3-mini", ai.EffortHigh, "high"}} {
		cl := call(tc.model)
		cl.Effort = tc.effort
		cl.System = ""
		if _, err := c.Complete(t.Context(), cl); err != nil {
			t.Fatal(err)
		}
		b := f.bodies[len(f.bodies)-1]
		if b["max_completion_tokens"] != 800.0 || b["reasoning_effort"] != tc.want || b["max_tokens"] != nil || b["temperature"] != nil {
			t.Errorf("%s: body = %v", tc.model, b)
		}
		if msgs := b["messages"].([]any); len(msgs) != 1 {
			t.Errorf("%s: an empty system prompt must not be sent: %v", tc.model, msgs)
		}
	}
}

func TestContentProblemsAreFieldsNotErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t,
		ok(`{"score":7`, "length", nil),
		func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, `{"model":"gpt-4o-mini","choices":[{"message":{"content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5}}`)
		})
	c := client(t, f.srv.URL)
	comp, err := c.Complete(t.Context(), call("gpt-4o-mini"))
	if err != nil || !comp.Truncated {
		t.Fatalf("truncated: %+v, %v", comp, err)
	}
	comp, err = c.Complete(t.Context(), call("gpt-4o-mini"))
	if err != nil || comp.Refusal != "I can't help with that." || comp.JSON != nil {
		t.Fatalf("refusal: %+v, %v", comp, err)
	}
}

func TestRateLimitHonoursResetHeaders(t *testing.T) {
	t.Parallel()
	f := newFake(t,
		fail(429, "tokens", "rate_limit_exceeded", map[string]string{"x-ratelimit-reset-requests": "12ms", "x-ratelimit-reset-tokens": "150ms",
			"x-ratelimit-remaining-tokens": "0"}),
		ok(answer, "stop", nil))
	c := client(t, f.srv.URL)
	start := time.Now()
	comp, err := c.Complete(t.Context(), call("gpt-4o-mini"))
	if err != nil || string(comp.JSON) != answer {
		t.Fatalf("%+v, %v", comp, err)
	}
	if f.count() != 2 || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("%d requests in %v; want a retry after the longer reset (150ms)", f.count(), time.Since(start))
	}
}

func TestRateLimitTooLongIsReturnedWithItsDelay(t *testing.T) {
	t.Parallel()
	f := newFake(t, fail(429, "requests", "rate_limit_exceeded", map[string]string{"x-ratelimit-reset-requests": "6m0s"}))
	c := client(t, f.srv.URL)
	_, err := c.Complete(t.Context(), call("gpt-4o-mini"))
	if !errors.Is(err, ai.ErrRateLimited) || apperr.KindOf(err) != apperr.RateLimited {
		t.Fatalf("err = %v", err)
	}
	if d, ok := ai.RetryAfter(err); !ok || d != 6*time.Minute {
		t.Errorf("retry after = %v, %v", d, ok)
	}
	if f.count() != 1 {
		t.Errorf("%d requests; a wait longer than MaxRetryAfter goes back to the caller", f.count())
	}
	// retry-after-ms wins over the reset headers.
	g := newFake(t, fail(429, "requests", "rate_limit_exceeded", map[string]string{"retry-after-ms": "90000", "x-ratelimit-reset-requests": "1s"}))
	_, err = client(t, g.srv.URL).Complete(t.Context(), call("gpt-4o-mini"))
	if d, _ := ai.RetryAfter(err); d != 90*time.Second {
		t.Errorf("retry-after-ms: %v", d)
	}
}

func TestInsufficientQuotaIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t, fail(429, "insufficient_quota", "insufficient_quota", nil))
	c := client(t, f.srv.URL)
	for range 3 {
		_, err := c.Complete(t.Context(), call("gpt-4o-mini"))
		if !errors.Is(err, ai.ErrQuotaExhausted) || apperr.KindOf(err).Retryable() {
			t.Fatalf("err = %v", err)
		}
	}
	if f.count() != 3 {
		t.Fatalf("%d requests for 3 calls: insufficient_quota must not be retried", f.count())
	}
	if st, _ := httpclientState(c); st != "ok" {
		t.Errorf("quota answers must not open the breaker: %s", st)
	}
}

func httpclientState(c *openai.Client) (string, error) {
	if err := c.HealthCheck().Check(context.Background()); err != nil {
		return "down", err
	}
	return "ok", nil
}

func TestServerErrorsAreUnavailableAndOpenTheBreaker(t *testing.T) {
	t.Parallel()
	f := newFake(t, fail(500, "server_error", "", nil))
	c := client(t, f.srv.URL)
	_, err := c.Complete(t.Context(), call("gpt-4o-mini"))
	if !errors.Is(err, ai.ErrUnavailable) || f.count() != 3 {
		t.Fatalf("err = %v after %d requests (want 3: two retries)", err, f.count())
	}
	_, _ = c.Complete(t.Context(), call("gpt-4o-mini")) // second failure: the breaker opens
	n := f.count()
	_, err = c.Complete(t.Context(), call("gpt-4o-mini"))
	if !errors.Is(err, ai.ErrUnavailable) || !errors.Is(err, httpclient.ErrCircuitOpen) || f.count() != n {
		t.Fatalf("open breaker: err = %v, %d requests (want none sent)", err, f.count()-n)
	}
}

func TestRejectionsAndTransportFailures(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 422} {
		f := newFake(t, fail(status, "invalid_request_error", "invalid_api_key", nil))
		_, err := client(t, f.srv.URL).Complete(t.Context(), call("gpt-4o-mini"))
		if !errors.Is(err, ai.ErrRejected) || f.count() != 1 {
			t.Errorf("%d: err = %v after %d requests", status, err, f.count())
		}
		if strings.Contains(err.Error(), "sk-test") {
			t.Errorf("the key leaked: %v", err)
		}
	}
	garbage := newFake(t, func(w http.ResponseWriter) { _, _ = io.WriteString(w, "<html>") })
	if _, err := client(t, garbage.srv.URL).Complete(t.Context(), call("gpt-4o-mini")); !errors.Is(err, ai.ErrUnavailable) {
		t.Errorf("garbage: %v", err)
	}
	dead := newFake(t, ok(answer, "stop", nil))
	dead.srv.Close()
	if _, err := client(t, dead.srv.URL).Complete(t.Context(), call("gpt-4o-mini")); !errors.Is(err, ai.ErrUnavailable) {
		t.Errorf("closed server: %v", err)
	}
	ctx, cancel := contextCancelled(t)
	defer cancel()
	if _, err := client(t, dead.srv.URL).Complete(ctx, call("gpt-4o-mini")); errors.Is(err, ai.ErrUnavailable) || err == nil {
		t.Errorf("cancelled: %v", err)
	}
}

func TestGatewayRouting(t *testing.T) {
	t.Parallel()
	f := newFake(t, ok(answer, "stop", http.Header{"Cf-Aig-Cache-Status": {"HIT"}}))
	c := client(t, f.srv.URL+"/v1/acct/gw/openai", func(cfg *openai.Config) {
		cfg.BaseURL = f.srv.URL + "/v1/acct/gw/openai"
		cfg.Gateway = openai.Gateway{Token: "cf-token", CacheTTL: time.Hour, Metadata: true}
	})
	comp, err := c.Complete(t.Context(), call("gpt-4o-mini"))
	if err != nil || !comp.CacheHit {
		t.Fatalf("%+v, %v", comp, err)
	}
	h := f.headers[0]
	if f.paths[0] != "/v1/acct/gw/openai/chat/completions" || h.Get("cf-aig-authorization") != "Bearer cf-token" ||
		h.Get("cf-aig-cache-ttl") != "3600" || h.Get("Authorization") != "Bearer sk-test" {
		t.Errorf("path %s headers %v", f.paths[0], h)
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(h.Get("cf-aig-metadata")), &meta); err != nil || meta["purpose"] != "light_analysis" || meta["account"] != "acc-1" {
		t.Errorf("metadata %q", h.Get("cf-aig-metadata"))
	}
	skip := newFake(t, ok(answer, "stop", nil))
	_, _ = client(t, skip.srv.URL, func(cfg *openai.Config) { cfg.Gateway = openai.Gateway{SkipCache: true, CacheTTL: time.Hour} }).
		Complete(t.Context(), call("gpt-4o-mini"))
	if skip.headers[0].Get("cf-aig-skip-cache") != "true" || skip.headers[0].Get("cf-aig-cache-ttl") != "" || skip.headers[0].Get("cf-aig-authorization") != "" {
		t.Errorf("skip headers %v", skip.headers[0])
	}
	if got := openai.GatewayBaseURL("acct", "oslira-gateway", "openai"); got != "https://gateway.ai.cloudflare.com/v1/acct/oslira-gateway/openai" {
		t.Errorf("GatewayBaseURL = %s", got)
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	bad := []openai.Config{
		{},
		{APIKey: "k", BaseURL: "ftp://x"},
		{APIKey: "k", BaseURL: "https://user:pw@x"},
		{APIKey: "k", ReasoningEffort: "max"},
		{APIKey: "k", Temperature: 3},
		{APIKey: "k", Gateway: openai.Gateway{CacheTTL: time.Second}},
	}
	for i, cfg := range bad {
		if _, err := openai.New(cfg); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
	c, err := openai.New(openai.Config{APIKey: "sk-secret"})
	if err != nil || c.Name() != openai.Name {
		t.Fatal(err)
	}
	logged := openai.Config{APIKey: "sk-secret", Gateway: openai.Gateway{Token: "cf-secret"}}
	if s := logged.LogValue().String(); strings.Contains(s, "secret") {
		t.Errorf("LogValue leaks: %s", s)
	}
}
