package bootstrap

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/observe"
)

func llmFor(t *testing.T, cfg Config, env map[string]string) (llmOut, error) {
	t.Helper()
	return provideLLM(llmParams{
		Config: cfg, Lookup: secrets.LookupFunc(mapLookup(env)), Secrets: secrets.NewEnv(mapLookup(env)),
		DB: pgtest.DB(t), Log: slog.New(slog.DiscardHandler),
	})
}

// uniqueUser makes prompts unique per test run, so the shared test database's cache never
// answers a test from an earlier run.
func uniqueUser(t *testing.T) string {
	return `{"username":"` + t.Name() + `","at":"` + time.Now().Format(time.RFC3339Nano) + `"}`
}

func lightRequest(t *testing.T) ai.Request {
	return ai.Request{Purpose: "light_analysis", Tier: ai.TierSmall, System: "You score profiles.", User: uniqueUser(t),
		Schema: ai.Schema{Name: ai.SchemaLightAnalysis}}
}

func TestLoadLLMConfig(t *testing.T) {
	t.Parallel()
	c, err := LoadLLMConfig(mapLookup(nil))
	if err != nil || strings.Join(c.Providers, ",") != "openai,anthropic" || c.CacheTTL != DefaultLLMCacheTTL ||
		c.OpenAISmall != DefaultOpenAISmallModel || c.AnthropicStrong != DefaultAnthropicStrongModel || c.GatewayURL != "" {
		t.Fatalf("defaults = %+v, %v", c, err)
	}
	c, err = LoadLLMConfig(mapLookup(map[string]string{
		"LLM_PROVIDERS": "Anthropic, openai", "CLOUDFLARE_ACCOUNT_ID": "acct", "AI_GATEWAY_ID": "oslira-gateway",
		"AI_GATEWAY_CACHE_TTL": "1h", "LLM_CACHE_TTL": "0", "LLM_OPENAI_SMALL_MODEL": "gpt-4o-mini", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1/",
	}))
	if err != nil || strings.Join(c.Providers, ",") != "anthropic,openai" || c.GatewayURL != "https://gateway.ai.cloudflare.com/v1/acct/oslira-gateway" ||
		c.GatewayCacheTTL != time.Hour || c.CacheTTL != 0 || c.OpenAISmall != "gpt-4o-mini" || c.OpenAIBaseURL != "http://127.0.0.1:9/v1" {
		t.Fatalf("custom = %+v, %v", c, err)
	}
	for name, env := range map[string]map[string]string{
		"provider":       {"LLM_PROVIDERS": "openai,gemini"},
		"duplicate":      {"LLM_PROVIDERS": "openai,openai"},
		"base url":       {"OPENAI_BASE_URL": "api.openai.com"},
		"half a gateway": {"CLOUDFLARE_ACCOUNT_ID": "acct"},
		"two gateways":   {"CLOUDFLARE_ACCOUNT_ID": "a", "AI_GATEWAY_ID": "g", "AI_GATEWAY_URL": "https://gateway.ai.cloudflare.com/v1/a/g"},
		"gateway ids":    {"CLOUDFLARE_ACCOUNT_ID": "a/b", "AI_GATEWAY_ID": "g"},
		"gateway ttl":    {"AI_GATEWAY_CACHE_TTL": "5s"},
		"model":          {"LLM_ANTHROPIC_SMALL_MODEL": "claude haiku"},
		"cache ttl":      {"LLM_CACHE_TTL": "forever"},
	} {
		if _, err := LoadLLMConfig(mapLookup(env)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLLMPrices(t *testing.T) {
	t.Parallel()
	p, err := LLMConfig{}.Prices()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{DefaultOpenAISmallModel, DefaultOpenAIStrongModel, DefaultAnthropicSmallModel, DefaultAnthropicStrongModel, "gpt-4o-mini"} {
		if _, ok := p.Lookup(m); !ok {
			t.Errorf("the embedded table lacks the default model %s", m)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "prices.json")
	_ = os.WriteFile(file, []byte(`{"effective_date":"2027-01-01","models":{"gpt-5-mini":{"input":1,"output":1}}}`), 0o600)
	if p, err := (LLMConfig{PricesFile: file}).Prices(); err != nil || p.EffectiveDate.Year() != 2027 || len(p.Models()) != 1 {
		t.Errorf("override = %v, %v", p.Models(), err)
	}
	_ = os.WriteFile(file, []byte(`{"models":{}}`), 0o600)
	if _, err := (LLMConfig{PricesFile: file}).Prices(); err == nil {
		t.Error("a bad file was accepted")
	}
	if _, err := (LLMConfig{PricesFile: filepath.Join(dir, "missing.json")}).Prices(); err == nil {
		t.Error("a missing file was accepted")
	}
}

func TestLLMWithoutKeysIsOfflineLocallyOnly(t *testing.T) {
	t.Parallel()
	out, err := llmFor(t, loadFor(t, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	req := lightRequest(t)
	first, err := out.LLM.Complete(t.Context(), req)
	if err != nil || first.Provider != "offline" || first.Model != "offline" || !first.CostKnown || first.CostMicros != 0 || first.CacheHit {
		t.Fatalf("offline answer = %+v, %v", first, err)
	}
	again, err := out.LLM.Complete(t.Context(), req)
	if err != nil || !again.CacheHit || string(again.JSON) == "" {
		t.Fatalf("repeat = %+v, %v", again, err)
	}
	for _, h := range out.Health {
		if !strings.HasPrefix(h.Name(), "breaker:") || !errors.Is(h.Check(t.Context()), observe.ErrNotConfigured) {
			t.Errorf("health %s: %v", h.Name(), h.Check(t.Context()))
		}
	}
	if _, err := llmFor(t, loadFor(t, prodEnv()), nil); err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY or ANTHROPIC_API_KEY is required in production") {
		t.Fatalf("production without keys: %v", err)
	}
	if _, err := llmFor(t, loadFor(t, nil), map[string]string{"LLM_CACHE_TTL": "x"}); err == nil {
		t.Fatal("a bad variable was accepted")
	}
	if _, err := llmFor(t, loadFor(t, nil), map[string]string{"LLM_PRICES_FILE": "/nonexistent"}); err == nil {
		t.Fatal("a missing price file was accepted")
	}
}

// providerFakes is one server speaking OpenAI's and Anthropic's wire formats, directly and under
// a Cloudflare AI Gateway prefix, with a switchable behaviour per provider.
type providerFakes struct {
	srv *httptest.Server

	mu       sync.Mutex
	openai   string // "ok", "503", "malformed-once", "violation"
	claude   string
	requests []recorded
}

type recorded struct {
	path   string
	header http.Header
	body   map[string]any
}

func newProviderFakes(t *testing.T) *providerFakes {
	f := &providerFakes{openai: "ok", claude: "ok"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *providerFakes) set(openaiMode, claudeMode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.openai, f.claude = openaiMode, claudeMode
}

func (f *providerFakes) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *providerFakes) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	f.mu.Lock()
	f.requests = append(f.requests, recorded{path: r.URL.Path, header: r.Header.Clone(), body: body})
	n := len(f.requests)
	om, cm := f.openai, f.claude
	f.mu.Unlock()
	if strings.Contains(r.URL.Path, "/gw/") {
		w.Header().Set("cf-aig-cache-status", "HIT")
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		content := `{"score":72,"summary":"From OpenAI."}`
		switch {
		case om == "503":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}`)
			return
		case om == "malformed-once" && body["max_completion_tokens"] == float64(ai.DefaultSmallMaxTokens):
			content = `{"score":72,"summ`
		case om == "violation":
			content = `{"score":"high","summary":"x"}`
		}
		c, _ := json.Marshal(content)
		_, _ = io.WriteString(w, `{"id":"chatcmpl-`+itoa(n)+`","object":"chat.completion","model":"gpt-5-mini-2025-08-07","choices":[{"index":0,"message":{"role":"assistant","content":`+
			string(c)+`,"refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":0}}}`)
	case strings.HasSuffix(r.URL.Path, "/v1/messages"):
		if cm == "529" {
			w.WriteHeader(529)
			_, _ = io.WriteString(w, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
			return
		}
		_, _ = io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"tool_use","id":"toolu_1","name":"light_analysis","input":{"score":64,"summary":"From Claude."}}],"stop_reason":"tool_use","usage":{"input_tokens":900,"output_tokens":80,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}`)
	default:
		http.NotFound(w, r)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func keysEnv(f *providerFakes, extra map[string]string) map[string]string {
	env := map[string]string{
		"OPENAI_API_KEY": "sk-test", "ANTHROPIC_API_KEY": "sk-ant-test",
		"OPENAI_BASE_URL": f.srv.URL + "/v1", "ANTHROPIC_BASE_URL": f.srv.URL,
	}
	maps.Copy(env, extra)
	return env
}

func TestLLMFallbackMalformedRetryAndViolationThroughTheWiring(t *testing.T) {
	t.Parallel()
	f := newProviderFakes(t)
	out, err := llmFor(t, loadFor(t, nil), keysEnv(f, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Health) != 2 || out.Health[0].Name() != "breaker:openai" || out.Health[0].Check(t.Context()) != nil {
		t.Fatalf("health = %v", out.Health)
	}
	// Success through OpenAI, priced from the embedded table: (1,000 × 0.25 + 100 × 2.00) / 1M $ = 450 µ$.
	resp, err := out.LLM.Complete(t.Context(), lightRequest(t))
	if err != nil || resp.Provider != "openai" || resp.CostMicros != 450 || !resp.CostKnown {
		t.Fatalf("openai = %+v, %v", resp, err)
	}
	// 5xx from OpenAI (after its client's retries) → Anthropic answers.
	f.set("503", "ok")
	resp, err = out.LLM.Complete(t.Context(), lightRequest(t))
	if err != nil || resp.Provider != "anthropic" || !strings.Contains(string(resp.JSON), "From Claude") {
		t.Fatalf("fallback = %+v, %v", resp, err)
	}
	// Malformed JSON → one retry with a 1.5× budget.
	f.set("malformed-once", "ok")
	before := len(f.recorded())
	resp, err = out.LLM.Complete(t.Context(), lightRequest(t))
	if err != nil || resp.Provider != "openai" {
		t.Fatalf("malformed retry = %+v, %v", resp, err)
	}
	reqs := f.recorded()[before:]
	if len(reqs) != 2 || reqs[0].body["max_completion_tokens"] != 1200.0 || reqs[1].body["max_completion_tokens"] != 1800.0 {
		t.Fatalf("budgets: %v", reqs)
	}
	// A schema violation is an error, not an answer.
	f.set("violation", "ok")
	if _, err := out.LLM.Complete(t.Context(), lightRequest(t)); !errors.Is(err, ai.ErrSchemaViolation) {
		t.Fatalf("violation: %v", err)
	}
	// Both down: retryable Unavailable.
	f.set("503", "529")
	if _, err := out.LLM.Complete(t.Context(), lightRequest(t)); !errors.Is(err, ai.ErrUnavailable) {
		t.Fatalf("both down: %v", err)
	}
}

func TestLLMThroughCloudflareAIGateway(t *testing.T) {
	t.Parallel()
	f := newProviderFakes(t)
	out, err := llmFor(t, loadFor(t, nil), map[string]string{
		"OPENAI_API_KEY": "sk-test", "AI_GATEWAY_URL": f.srv.URL + "/v1/acct/gw", "AI_GATEWAY_TOKEN": "cf-token", "LLM_CACHE_TTL": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := out.LLM.Complete(t.Context(), lightRequest(t))
	// The gateway's cache answered (cf-aig-cache-status: HIT): nothing is charged, 450 µ$ saved.
	if err != nil || !resp.CacheHit || resp.CostMicros != 0 || resp.SavedMicros != 450 {
		t.Fatalf("gateway = %+v, %v", resp, err)
	}
	r := f.recorded()[0]
	if r.path != "/v1/acct/gw/openai/chat/completions" || r.header.Get("cf-aig-authorization") != "Bearer cf-token" ||
		r.header.Get("Authorization") != "Bearer sk-test" || r.header.Get("cf-aig-metadata") == "" {
		t.Fatalf("request %s %v", r.path, r.header)
	}
}
