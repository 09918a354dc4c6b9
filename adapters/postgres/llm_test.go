package postgres_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/adapters/openai"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/apperr"
)

func cacheKey(user string) ai.CacheKey {
	return ai.CacheKey{Provider: "openai", Model: "gpt-5-mini", System: "sys", User: user, Schema: ai.Schema{Name: "x", JSON: []byte(`{}`)}}
}

func TestLLMCacheDigest(t *testing.T) {
	t.Parallel()
	base := cacheKey("user")
	d := postgres.LLMCacheDigest(base)
	if len(d) != 64 || d != postgres.LLMCacheDigest(cacheKey("user")) {
		t.Fatalf("digest %q is not a stable hex SHA-256", d)
	}
	variants := []func(*ai.CacheKey){
		func(k *ai.CacheKey) { k.Provider = "anthropic" },
		func(k *ai.CacheKey) { k.Model = "gpt-5" },
		func(k *ai.CacheKey) { k.System = "sys2" },
		func(k *ai.CacheKey) { k.User = "user2" },
		func(k *ai.CacheKey) { k.Schema.Name = "y" },
		func(k *ai.CacheKey) { k.Schema.JSON = []byte(`{"type":"object"}`) },
		// Moving bytes between fields must change the digest (fields are length-prefixed).
		func(k *ai.CacheKey) { k.System, k.User = "sysu", "ser" },
	}
	for i, mutate := range variants {
		k := base
		mutate(&k)
		if postgres.LLMCacheDigest(k) == d {
			t.Errorf("variant %d has the same digest", i)
		}
	}
}

func TestLLMCacheStoresReplacesAndExpires(t *testing.T) {
	t.Parallel()
	db := postgres.NewDB(pgtest.Pool(t))
	c := postgres.NewLLMCache(db)
	key := cacheKey("stores")
	if _, found, err := c.Get(t.Context(), key); err != nil || found {
		t.Fatalf("empty cache: found=%v err=%v", found, err)
	}
	a := ai.CachedAnswer{Provider: "openai", Model: "gpt-5-mini-2025-08-07", JSON: []byte(`{"score":72,"summary":"ok"}`),
		Usage: ai.Usage{Input: 1450, Output: 38, Cached: 1024, CacheWrite: 3}, CostMicros: 164, CostKnown: true}
	if err := c.Put(t.Context(), key, a, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, found, err := c.Get(t.Context(), key)
	if err != nil || !found || got.Provider != a.Provider || got.Model != a.Model || got.Usage != a.Usage ||
		got.CostMicros != 164 || !got.CostKnown || got.CreatedAt.IsZero() {
		t.Fatalf("Get = %+v, %v, %v", got, found, err)
	}
	var doc map[string]any
	if json.Unmarshal(got.JSON, &doc) != nil || doc["score"] != 72.0 {
		t.Fatalf("json = %s", got.JSON)
	}
	a.CostMicros, a.JSON = 200, []byte(`{"score":10,"summary":"no"}`)
	if err := c.Put(t.Context(), key, a, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, _, _ = c.Get(t.Context(), key); got.CostMicros != 200 || !strings.Contains(string(got.JSON), `"score": 10`) {
		t.Fatalf("replaced = %+v (%s)", got, got.JSON)
	}
	// A 1 ms TTL has passed by the next read; a zero TTL stores nothing.
	short := cacheKey("short")
	if err := c.Put(t.Context(), short, a, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, found, _ := c.Get(t.Context(), short); found {
		t.Fatal("an expired entry was served")
	}
	if err := c.Put(t.Context(), cacheKey("none"), a, 0); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := c.Get(t.Context(), cacheKey("none")); found {
		t.Fatal("a zero TTL stored an entry")
	}
}

func TestAIUsageIsRecordedAndReadableByTheAccountOnly(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	s := postgres.NewAIUsageStore(db)
	a, b := provision(t, db, 25), provision(t, db, 25)
	rec := func(account string, hit bool, status, code string) ai.UsageRecord {
		return ai.UsageRecord{AccountID: account, Purpose: "light_analysis", Tier: ai.TierSmall, Provider: "openai",
			Model: "gpt-5-mini", Usage: ai.Usage{Input: 100, Output: 10, Cached: 50}, CostMicros: 30, CostKnown: true,
			SavedMicros: 7, Latency: 1500 * time.Millisecond, CacheHit: hit, Status: status, ErrorCode: code}
	}
	for _, r := range []ai.UsageRecord{rec(a.account, false, ai.StatusOK, ""), rec(a.account, true, ai.StatusOK, ""),
		rec(b.account, false, ai.StatusError, ai.CodeMalformedOutput), rec("", false, ai.StatusOK, "")} {
		if err := s.Record(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, pool, "select count(*) from public.ai_usage where account_id is null and latency_ms = 1500 and cached_tokens = 50"); n != 1 {
		t.Errorf("system rows = %d", n)
	}
	err := db.UserScope(t.Context(), a.principal(), func(ctx context.Context, q postgres.Querier) error {
		got := ids(t, ctx, q, "select account_id::text from public.ai_usage")
		if !slices.Equal(got, []string{a.account, a.account}) {
			t.Errorf("ai_usage as A = %v, want A's two rows only", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bad := rec(a.account, false, ai.StatusError, "")
	if err := s.Record(t.Context(), bad); apperr.KindOf(err) == apperr.Unavailable || err == nil {
		t.Errorf("an error row without a code: %v", err)
	}
	bad = rec(a.account, false, ai.StatusOK, "")
	bad.Tier = "huge"
	if err := s.Record(t.Context(), bad); err == nil {
		t.Error("an unknown tier was recorded")
	}
}

// fakeOpenAI answers every chat completion with the same valid light analysis and counts calls.
func fakeOpenAI(t *testing.T, calls *atomic.Int64) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-5-mini-2025-08-07",
		"choices":[{"index":0,"message":{"role":"assistant","content":"{\"score\":72,\"summary\":\"A good fit: engaged audience in the ICP range.\"}","refusal":null},"finish_reason":"stop"}],
		"usage":{"prompt_tokens":1450,"completion_tokens":310,"total_tokens":1760,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":280}}}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// TestHundredIdenticalPromptsHitThePostgresCache sends the same light analysis 100 times through
// the Gateway over the real Postgres cache and usage ledger (OpenAI is a local fake): the first
// call pays, the other 99 are cache hits that cost nothing and record what they saved.
func TestHundredIdenticalPromptsHitThePostgresCache(t *testing.T) {
	t.Parallel()
	db := postgres.NewDB(pgtest.Pool(t))
	acct := provision(t, db, 25)
	var calls atomic.Int64
	oa, err := openai.New(openai.Config{BaseURL: fakeOpenAI(t, &calls), APIKey: "sk-test", HTTP: httpclient.Config{NoRetries: true}})
	if err != nil {
		t.Fatal(err)
	}
	prices, err := ai.ParsePriceTable([]byte(`{"effective_date":"2026-12-01","models":{"gpt-5-mini":{"input":0.25,"cached_input":0.025,"output":2.00}}}`))
	if err != nil {
		t.Fatal(err)
	}
	usage := postgres.NewAIUsageStore(db)
	gw, err := ai.NewGateway(ai.GatewayConfig{
		Routes:   []ai.Route{{Provider: oa, Small: "gpt-5-mini", Strong: "gpt-5-mini"}},
		Prices:   prices,
		Schemas:  contracts.AISchemas(),
		CacheTTL: time.Hour,
	}, ai.GatewayPorts{Cache: postgres.NewLLMCache(db), Usage: usage, Validator: jsonschema.New()})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Now().Add(-time.Minute)
	req := ai.Request{Purpose: "light_analysis_repeat", Tier: ai.TierSmall, AccountID: acct.account,
		System: "You score Instagram profiles for brand fit.", User: `{"username":"examplebrand","followers":48210}`,
		Schema: ai.Schema{Name: ai.SchemaLightAnalysis}}
	var paid, hits int
	for i := range 100 {
		resp, err := gw.Complete(t.Context(), req)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if resp.CacheHit {
			hits++
			if resp.CostMicros != 0 || resp.SavedMicros == 0 {
				t.Fatalf("hit %d: cost %d, saved %d", i, resp.CostMicros, resp.SavedMicros)
			}
		} else {
			paid++
		}
	}
	st, err := usage.CacheStats(t.Context(), from, time.Now().Add(time.Minute), "light_analysis_repeat")
	if err != nil {
		t.Fatal(err)
	}
	// One paid call: (426 × 0.25 + 1,024 × 0.025 + 310 × 2.00) / 1M USD = 752.1 µ$ → 752.
	const oneCall = 752
	if calls.Load() != 1 || paid != 1 || hits != 99 || st.Calls != 100 || st.Hits != 99 ||
		st.CostMicros != oneCall || st.SavedMicros != 99*oneCall || st.UnknownCost != 0 {
		t.Fatalf("provider calls %d, paid %d, hits %d; stats %+v", calls.Load(), paid, hits, st)
	}
	t.Logf("100 identical prompts: %d provider call(s), hit rate %.0f %%, spent $%.6f, saved $%.6f (%.0f %% of $%.6f without the cache)",
		calls.Load(), 100*st.HitRate(), float64(st.CostMicros)/1e6, float64(st.SavedMicros)/1e6,
		100*float64(st.SavedMicros)/float64(st.CostMicros+st.SavedMicros), float64(st.CostMicros+st.SavedMicros)/1e6)
	if (postgres.AICacheStats{}).HitRate() != 0 {
		t.Error("HitRate without calls")
	}
}
