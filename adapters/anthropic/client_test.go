package anthropic_test

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

	"github.com/oslira/oslira/adapters/anthropic"
	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/core/ai"
)

type fake struct {
	srv     *httptest.Server
	mu      sync.Mutex
	bodies  []map[string]any
	headers []http.Header
	paths   []string
	script  []func(w http.ResponseWriter)
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
		f.bodies, f.headers, f.paths = append(f.bodies, body), append(f.headers, r.Header.Clone()), append(f.paths, r.URL.Path)
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

// message answers with the given content blocks and stop reason.
func message(content, stop string, header http.Header) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("request-id", "req_011C")
		_, _ = io.WriteString(w, `{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
		"content":`+content+`,"stop_reason":"`+stop+`","stop_sequence":null,
		"usage":{"input_tokens":412,"output_tokens":61,"cache_creation_input_tokens":100,"cache_read_input_tokens":1024,
		"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":0},"service_tier":"standard","server_tool_use":null}}`)
	}
}

const toolUse = `[{"type":"tool_use","id":"toolu_01","name":"light_analysis","input":{"score":72,"summary":"Good fit."}}]`

func fail(status int, typ string, headers map[string]string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"type":"error","error":{"type":"`+typ+`","message":"Overloaded"},"request_id":"req_011CAbc"}`)
	}
}

var schema = ai.Schema{Name: "light_analysis", JSON: []byte(`{"type":"object","properties":{"score":{"type":"integer"},"summary":{"type":"string"}},"required":["score","summary"],"additionalProperties":false}`)}

func client(t *testing.T, url string, mutate ...func(*anthropic.Config)) *anthropic.Client {
	t.Helper()
	cfg := anthropic.Config{BaseURL: url, APIKey: "sk-ant-test",
		HTTP: httpclient.Config{BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxRetryAfter: time.Second,
			Breaker: httpclient.BreakerConfig{ConsecutiveFailures: 10}}}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := anthropic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func call() ai.Call {
	return ai.Call{Purpose: "light_analysis", AccountID: "acc-1", Model: "claude-haiku-4-5", System: "You score profiles.",
		User: `{"username":"examplebrand"}`, Schema: schema, MaxTokens: 800}
}

func TestCompleteForcesTheToolAndReadsUsage(t *testing.T) {
	t.Parallel()
	f := newFake(t, message(toolUse, "tool_use", nil))
	c := client(t, f.srv.URL)
	comp, err := c.Complete(t.Context(), call())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(comp.JSON, &got); err != nil || got["score"] != 72.0 {
		t.Fatalf("json = %s", comp.JSON)
	}
	if comp.Model != "claude-haiku-4-5-20251001" || comp.Truncated || comp.CacheHit ||
		comp.Usage != (ai.Usage{Input: 412 + 100 + 1024, Output: 61, Cached: 1024, CacheWrite: 100}) {
		t.Fatalf("completion = %+v", comp)
	}
	h, b := f.headers[0], f.bodies[0]
	if f.paths[0] != "/v1/messages" || h.Get("x-api-key") != "sk-ant-test" || h.Get("anthropic-version") != "2023-06-01" {
		t.Errorf("path %s headers %v", f.paths[0], h)
	}
	tc := b["tool_choice"].(map[string]any)
	tools := b["tools"].([]any)
	if tc["type"] != "tool" || tc["name"] != "light_analysis" || len(tools) != 1 ||
		tools[0].(map[string]any)["input_schema"] == nil || b["max_tokens"] != 800.0 || b["system"] != "You score profiles." {
		t.Errorf("body = %v", b)
	}
	if c.Name() != "anthropic" || c.HealthCheck() == nil {
		t.Error("name or health check")
	}
}

func TestContentProblems(t *testing.T) {
	t.Parallel()
	f := newFake(t,
		message(`[{"type":"text","text":"Sure! The score is 72."}]`, "end_turn", nil),
		message(toolUse, "max_tokens", nil),
		message(`[{"type":"text","text":"I can't help with that."}]`, "refusal", nil),
		message(`[]`, "refusal", nil))
	c := client(t, f.srv.URL)
	comp, _ := c.Complete(t.Context(), call())
	if string(comp.JSON) != "Sure! The score is 72." || comp.Refusal != "" {
		t.Errorf("text only: %+v", comp)
	}
	if comp, _ = c.Complete(t.Context(), call()); !comp.Truncated {
		t.Errorf("max_tokens: %+v", comp)
	}
	if comp, _ = c.Complete(t.Context(), call()); comp.Refusal != "I can't help with that." {
		t.Errorf("refusal: %+v", comp)
	}
	if comp, _ = c.Complete(t.Context(), call()); comp.Refusal == "" {
		t.Errorf("empty refusal: %+v", comp)
	}
}

func TestOverloadedIsRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t, fail(529, "overloaded_error", nil), message(toolUse, "tool_use", nil))
	if _, err := client(t, f.srv.URL).Complete(t.Context(), call()); err != nil || f.count() != 2 {
		t.Fatalf("err = %v after %d requests; 529 must be retried", err, f.count())
	}
	storm := newFake(t, fail(529, "overloaded_error", nil))
	_, err := client(t, storm.srv.URL).Complete(t.Context(), call())
	if !errors.Is(err, ai.ErrUnavailable) || storm.count() != 3 {
		t.Fatalf("err = %v after %d requests", err, storm.count())
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status   int
		typ      string
		headers  map[string]string
		want     error
		requests int
	}{
		{429, "rate_limit_error", map[string]string{"retry-after": "120"}, ai.ErrRateLimited, 1},
		{402, "billing_error", nil, ai.ErrQuotaExhausted, 1},
		{400, "invalid_request_error", nil, ai.ErrRejected, 1},
		{401, "authentication_error", nil, ai.ErrRejected, 1},
		{500, "api_error", nil, ai.ErrUnavailable, 3},
	}
	for _, tc := range cases {
		f := newFake(t, fail(tc.status, tc.typ, tc.headers))
		_, err := client(t, f.srv.URL).Complete(t.Context(), call())
		if !errors.Is(err, tc.want) || f.count() != tc.requests {
			t.Errorf("%d: err = %v after %d requests", tc.status, err, f.count())
		}
		if strings.Contains(err.Error(), "sk-ant-test") {
			t.Errorf("the key leaked: %v", err)
		}
	}
	f := newFake(t, fail(429, "rate_limit_error", map[string]string{"retry-after": "120"}))
	_, err := client(t, f.srv.URL).Complete(t.Context(), call())
	if d, ok := ai.RetryAfter(err); !ok || d != 2*time.Minute {
		t.Errorf("retry after = %v, %v", d, ok)
	}
	garbage := newFake(t, func(w http.ResponseWriter) { _, _ = io.WriteString(w, "<html>") })
	if _, err := client(t, garbage.srv.URL).Complete(t.Context(), call()); !errors.Is(err, ai.ErrUnavailable) {
		t.Errorf("garbage: %v", err)
	}
	dead := newFake(t, message(toolUse, "tool_use", nil))
	dead.srv.Close()
	if _, err := client(t, dead.srv.URL).Complete(t.Context(), call()); !errors.Is(err, ai.ErrUnavailable) {
		t.Errorf("closed server: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := client(t, dead.srv.URL).Complete(ctx, call()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestGatewayRouting(t *testing.T) {
	t.Parallel()
	f := newFake(t, message(toolUse, "tool_use", http.Header{"Cf-Aig-Cache-Status": {"HIT"}}))
	c := client(t, f.srv.URL, func(cfg *anthropic.Config) {
		cfg.BaseURL = f.srv.URL + "/v1/acct/gw/anthropic"
		cfg.Gateway = anthropic.Gateway{Token: "cf-token", CacheTTL: 2 * time.Minute, Metadata: true}
	})
	comp, err := c.Complete(t.Context(), call())
	if err != nil || !comp.CacheHit {
		t.Fatalf("%+v, %v", comp, err)
	}
	h := f.headers[0]
	if f.paths[0] != "/v1/acct/gw/anthropic/v1/messages" || h.Get("cf-aig-authorization") != "Bearer cf-token" ||
		h.Get("cf-aig-cache-ttl") != "120" || !strings.Contains(h.Get("cf-aig-metadata"), `"purpose":"light_analysis"`) {
		t.Errorf("path %s headers %v", f.paths[0], h)
	}
	skip := newFake(t, message(toolUse, "tool_use", nil))
	_, _ = client(t, skip.srv.URL, func(cfg *anthropic.Config) { cfg.Gateway = anthropic.Gateway{SkipCache: true} }).Complete(t.Context(), call())
	if skip.headers[0].Get("cf-aig-skip-cache") != "true" {
		t.Errorf("skip headers %v", skip.headers[0])
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	for i, cfg := range []anthropic.Config{
		{}, {APIKey: "k", BaseURL: "ftp://x"}, {APIKey: "k", Temperature: 2},
		{APIKey: "k", Gateway: anthropic.Gateway{CacheTTL: time.Second}},
	} {
		if _, err := anthropic.New(cfg); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
	if _, err := anthropic.New(anthropic.Config{APIKey: "k"}); err != nil {
		t.Fatal(err)
	}
	logged := anthropic.Config{APIKey: "sk-secret", Gateway: anthropic.Gateway{Token: "cf-secret"}}
	if s := logged.LogValue().String(); strings.Contains(s, "secret") {
		t.Errorf("LogValue leaks: %s", s)
	}
}
