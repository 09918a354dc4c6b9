package ai_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/aimock"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/apperr"
)

var lightSchema = []byte(`{"type":"object","properties":{"score":{"type":"integer"},"summary":{"type":"string"}},"required":["score","summary"],"additionalProperties":false}`)

const answer = `{"score":72,"summary":"Good fit."}`

// fixture is a Gateway over two mocked providers, a mocked cache, validator and usage recorder.
type fixture struct {
	gw        *ai.Gateway
	first     *aimock.MockProvider
	second    *aimock.MockProvider
	cache     *aimock.MockResponseCache
	validator *aimock.MockSchemaValidator
	usage     *recorder
	logs      *bytes.Buffer
	now       time.Time
}

// recorder collects usage records (a fake, so tests read what was recorded in order).
type recorder struct {
	mu   sync.Mutex
	recs []ai.UsageRecord
	err  error
}

func (r *recorder) Record(_ context.Context, u ai.UsageRecord) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, u)
	return r.err
}

func (r *recorder) all() []ai.UsageRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ai.UsageRecord(nil), r.recs...)
}

type option func(*ai.GatewayConfig, *ai.GatewayPorts)

func newFixture(t *testing.T, opts ...option) *fixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := &fixture{
		first:     aimock.NewMockProvider(ctrl),
		second:    aimock.NewMockProvider(ctrl),
		cache:     aimock.NewMockResponseCache(ctrl),
		validator: aimock.NewMockSchemaValidator(ctrl),
		usage:     &recorder{},
		logs:      &bytes.Buffer{},
		now:       time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
	}
	f.first.EXPECT().Name().Return("openai").AnyTimes()
	f.second.EXPECT().Name().Return("anthropic").AnyTimes()
	tick := f.now
	var mu sync.Mutex
	cfg := ai.GatewayConfig{
		Routes: []ai.Route{
			{Provider: f.first, Small: "gpt-4o-mini", Strong: "gpt-5"},
			{Provider: f.second, Small: "claude-haiku-4-5", Strong: "claude-haiku-4-5"},
		},
		Prices:   mustPrices(t),
		Schemas:  map[string][]byte{"light_analysis": lightSchema, "broken": []byte(`{`)},
		CacheTTL: time.Hour,
	}
	ports := ai.GatewayPorts{
		Cache: f.cache, Usage: f.usage, Validator: f.validator,
		Log: slog.New(slog.NewTextHandler(f.logs, nil)),
		// Every reading of the clock advances it by 10 ms, so latencies are non-zero and exact.
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			tick = tick.Add(10 * time.Millisecond)
			return tick
		},
	}
	for _, o := range opts {
		o(&cfg, &ports)
	}
	gw, err := ai.NewGateway(cfg, ports)
	if err != nil {
		t.Fatal(err)
	}
	f.gw = gw
	return f
}

func request() ai.Request {
	return ai.Request{
		Purpose: "light_analysis", Tier: ai.TierSmall, System: "You score profiles.", User: `{"username":"examplebrand"}`,
		Schema: ai.Schema{Name: "light_analysis"}, AccountID: "acc-1",
	}
}

func (f *fixture) cacheMisses(n int) {
	f.cache.EXPECT().Get(gomock.Any(), gomock.Any()).Return(ai.CachedAnswer{}, false, nil).Times(n)
}

func completion() ai.Completion {
	return ai.Completion{JSON: []byte(answer), Usage: ai.Usage{Input: 1450, Cached: 1024, Output: 38}, Model: "gpt-4o-mini-2024-07-18"}
}

func TestGatewaySuccessPricesRecordsAndCaches(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	req := request()
	schema := ai.Schema{Name: "light_analysis", JSON: lightSchema}
	keys := []ai.CacheKey{
		{Provider: "openai", Model: "gpt-4o-mini", System: req.System, User: req.User, Schema: schema},
		{Provider: "anthropic", Model: "claude-haiku-4-5", System: req.System, User: req.User, Schema: schema},
	}
	gomock.InOrder(
		f.cache.EXPECT().Get(gomock.Any(), keys[0]).Return(ai.CachedAnswer{}, false, nil),
		f.cache.EXPECT().Get(gomock.Any(), keys[1]).Return(ai.CachedAnswer{}, false, nil),
	)
	f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, c ai.Call) (ai.Completion, error) {
		if c.Model != "gpt-4o-mini" || c.MaxTokens != ai.DefaultSmallMaxTokens || string(c.Schema.JSON) != string(lightSchema) ||
			c.Purpose != "light_analysis" || c.AccountID != "acc-1" || c.User != req.User {
			t.Errorf("call = %+v", c)
		}
		return completion(), nil
	})
	f.validator.EXPECT().Validate(schema, []byte(answer)).Return(nil)
	f.cache.EXPECT().Put(gomock.Any(), keys[0], gomock.Any(), time.Hour).DoAndReturn(
		func(_ context.Context, _ ai.CacheKey, a ai.CachedAnswer, _ time.Duration) error {
			if a.Provider != "openai" || a.Model != "gpt-4o-mini-2024-07-18" || a.CostMicros != 164 || !a.CostKnown || string(a.JSON) != answer {
				t.Errorf("cached = %+v", a)
			}
			return nil
		})

	resp, err := f.gw.Complete(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.JSON) != answer || resp.Provider != "openai" || resp.Model != "gpt-4o-mini-2024-07-18" ||
		resp.CostMicros != 164 || !resp.CostKnown || resp.CacheHit || resp.Latency != 10*time.Millisecond ||
		resp.Usage != (ai.Usage{Input: 1450, Cached: 1024, Output: 38}) {
		t.Fatalf("response = %+v", resp)
	}
	var got struct {
		Score int `json:"score"`
	}
	if err := resp.Decode(&got); err != nil || got.Score != 72 {
		t.Fatalf("Decode = %+v, %v", got, err)
	}
	recs := f.usage.all()
	if len(recs) != 1 {
		t.Fatalf("records = %+v", recs)
	}
	r := recs[0]
	if r.AccountID != "acc-1" || r.Purpose != "light_analysis" || r.Tier != ai.TierSmall || r.Provider != "openai" ||
		r.Model != "gpt-4o-mini-2024-07-18" || r.CostMicros != 164 || !r.CostKnown || r.Status != ai.StatusOK ||
		r.CacheHit || r.Latency != 10*time.Millisecond || r.Usage.Input != 1450 || r.At.IsZero() {
		t.Fatalf("record = %+v", r)
	}
}

func TestGatewayCacheHitCostsNothingAndRecordsSavings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// The first route misses, the second route's entry (anthropic answered earlier) hits:
	// no provider is called.
	f.cache.EXPECT().Get(gomock.Any(), gomock.Any()).Return(ai.CachedAnswer{}, false, nil)
	f.cache.EXPECT().Get(gomock.Any(), gomock.Any()).Return(ai.CachedAnswer{
		Provider: "anthropic", Model: "claude-haiku-4-5-20251001", JSON: []byte(answer),
		Usage: ai.Usage{Input: 500, Output: 60}, CostMicros: 800, CostKnown: true,
	}, true, nil)

	resp, err := f.gw.Complete(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	if !resp.CacheHit || resp.CostMicros != 0 || !resp.CostKnown || resp.SavedMicros != 800 || resp.Usage != (ai.Usage{}) ||
		resp.Provider != "anthropic" || string(resp.JSON) != answer {
		t.Fatalf("response = %+v", resp)
	}
	recs := f.usage.all()
	if len(recs) != 1 || !recs[0].CacheHit || recs[0].SavedMicros != 800 || recs[0].CostMicros != 0 ||
		recs[0].Status != ai.StatusOK || recs[0].Usage != (ai.Usage{}) {
		t.Fatalf("records = %+v", recs)
	}
}

func TestGatewayCacheFailuresNeverFailACall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.usage.err = errors.New("usage store down")
	f.cache.EXPECT().Get(gomock.Any(), gomock.Any()).Return(ai.CachedAnswer{}, false, ai.ErrUnavailable) // one lookup, then give up
	f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(completion(), nil)
	f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
	f.cache.EXPECT().Put(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(errors.New("disk full"))
	if _, err := f.gw.Complete(t.Context(), request()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cache unavailable", "store failed", "usage not recorded"} {
		if !strings.Contains(f.logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, f.logs)
		}
	}
}

func TestGatewayWithoutCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *ai.GatewayConfig, p *ai.GatewayPorts) { c.CacheTTL = 0; p.Usage = nil; p.Log = nil; p.Now = nil })
	f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(completion(), nil)
	f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
	if _, err := f.gw.Complete(t.Context(), request()); err != nil { // the cache mock expects nothing
		t.Fatal(err)
	}
	if len(f.usage.all()) != 0 {
		t.Fatal("a gateway without a usage recorder recorded")
	}
}

func TestGatewayFallsBackOnRetryableFailures(t *testing.T) {
	t.Parallel()
	for _, failure := range []error{ai.ErrUnavailable, ai.WithRetryAfter(ai.ErrRateLimited, time.Second), ai.ErrQuotaExhausted} {
		t.Run(apperr.CodeOf(failure), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.cacheMisses(2)
			f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{}, failure) // once: never retried
			f.second.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, c ai.Call) (ai.Completion, error) {
				if c.Model != "claude-haiku-4-5" {
					t.Errorf("fallback model = %s", c.Model)
				}
				return ai.Completion{JSON: []byte(answer), Usage: ai.Usage{Input: 100, Output: 10}}, nil
			})
			f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
			f.cache.EXPECT().Put(gomock.Any(), ai.CacheKey{Provider: "anthropic", Model: "claude-haiku-4-5", System: request().System,
				User: request().User, Schema: ai.Schema{Name: "light_analysis", JSON: lightSchema}}, gomock.Any(), time.Hour).Return(nil)

			resp, err := f.gw.Complete(t.Context(), request())
			if err != nil {
				t.Fatal(err)
			}
			// 100 × 1.00 + 10 × 5.00 = 150 µ$.
			if resp.Provider != "anthropic" || resp.Model != "claude-haiku-4-5" || resp.CostMicros != 150 {
				t.Fatalf("response = %+v", resp)
			}
			recs := f.usage.all()
			if len(recs) != 2 || recs[0].Provider != "openai" || recs[0].Status != ai.StatusError ||
				recs[0].ErrorCode != apperr.CodeOf(failure) || recs[0].CostMicros != 0 ||
				recs[1].Provider != "anthropic" || recs[1].Status != ai.StatusOK {
				t.Fatalf("records = %+v", recs)
			}
			if !strings.Contains(f.logs.String(), "falling back") {
				t.Error("the fallback is not logged")
			}
		})
	}
}

func TestGatewayDoesNotFallBackOnBusinessFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cacheMisses(2)
	f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{}, ai.ErrRejected)
	_, err := f.gw.Complete(t.Context(), request())
	if !errors.Is(err, ai.ErrRejected) {
		t.Fatalf("err = %v", err)
	}
}

func TestGatewayEveryProviderFailing(t *testing.T) {
	t.Parallel()
	t.Run("a retryable failure wins", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.cacheMisses(2)
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{}, ai.WithRetryAfter(ai.ErrRateLimited, 2*time.Second))
		f.second.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{}, ai.ErrQuotaExhausted)
		_, err := f.gw.Complete(t.Context(), request())
		if !errors.Is(err, ai.ErrRateLimited) || apperr.KindOf(err) != apperr.RateLimited {
			t.Fatalf("err = %v", err)
		}
		if d, ok := ai.RetryAfter(err); !ok || d != 2*time.Second {
			t.Errorf("retry after = %v, %v", d, ok)
		}
	})
	t.Run("quota everywhere", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.cacheMisses(2)
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{}, ai.ErrQuotaExhausted)
		f.second.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{}, ai.ErrQuotaExhausted)
		_, err := f.gw.Complete(t.Context(), request())
		if !errors.Is(err, ai.ErrQuotaExhausted) || apperr.KindOf(err).Retryable() {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestGatewayStopsFallingBackWhenTheCallerGivesUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(t.Context())
	f.cacheMisses(2)
	f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(ctx context.Context, _ ai.Call) (ai.Completion, error) {
		cancel()
		return ai.Completion{}, ctx.Err()
	})
	_, err := f.gw.Complete(ctx, request())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if recs := f.usage.all(); len(recs) != 1 || recs[0].ErrorCode != "canceled" {
		t.Fatalf("records = %+v", recs)
	}
}

func TestGatewayRetriesMalformedOutputOnceWithALargerBudget(t *testing.T) {
	t.Parallel()
	for name, bad := range map[string]ai.Completion{
		"not json":      {JSON: []byte(`{"score": 72, "summ`), Usage: ai.Usage{Input: 100, Output: 1200}},
		"truncated":     {JSON: []byte(answer), Truncated: true, Usage: ai.Usage{Input: 100, Output: 1200}},
		"not an object": {JSON: []byte(`[1,2]`), Usage: ai.Usage{Input: 100, Output: 1200}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.cacheMisses(2)
			var budgets []int
			f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, c ai.Call) (ai.Completion, error) {
				budgets = append(budgets, c.MaxTokens)
				if len(budgets) == 1 {
					return bad, nil
				}
				return completion(), nil
			}).Times(2)
			f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
			f.cache.EXPECT().Put(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
			if _, err := f.gw.Complete(t.Context(), request()); err != nil {
				t.Fatal(err)
			}
			if len(budgets) != 2 || budgets[0] != 1200 || budgets[1] != 1800 {
				t.Fatalf("budgets = %v, want [1200 1800]", budgets)
			}
			recs := f.usage.all()
			// The malformed attempt was paid for: 100 × 0.15 + 1,200 × 0.60 = 735 µ$.
			if len(recs) != 2 || recs[0].ErrorCode != ai.CodeMalformedOutput || recs[0].CostMicros != 735 || recs[1].Status != ai.StatusOK {
				t.Fatalf("records = %+v", recs)
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.cacheMisses(2)
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{JSON: []byte("Sure! Here is")}, nil).Times(2)
		_, err := f.gw.Complete(t.Context(), request()) // no fallback for malformed output
		if !errors.Is(err, ai.ErrMalformedOutput) || apperr.KindOf(err) != apperr.Internal {
			t.Fatalf("err = %v", err)
		}
		if len(f.usage.all()) != 2 {
			t.Fatalf("records = %+v", f.usage.all())
		}
	})
	t.Run("the budget never exceeds the limit", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.cacheMisses(2)
		var last int
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, c ai.Call) (ai.Completion, error) {
			last = c.MaxTokens
			return ai.Completion{Truncated: true, JSON: []byte("{}")}, nil
		}).Times(2)
		req := request()
		req.MaxTokens = ai.MaxTokensLimit
		if _, err := f.gw.Complete(t.Context(), req); !errors.Is(err, ai.ErrMalformedOutput) {
			t.Fatalf("err = %v", err)
		}
		if last != ai.MaxTokensLimit {
			t.Fatalf("retry budget = %d", last)
		}
	})
}

func TestGatewayRefusalAndSchemaViolation(t *testing.T) {
	t.Parallel()
	t.Run("refusal", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.cacheMisses(2)
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{Refusal: "I can't help with that.", Usage: ai.Usage{Input: 10, Output: 5}}, nil)
		_, err := f.gw.Complete(t.Context(), request())
		if !errors.Is(err, ai.ErrRefused) {
			t.Fatalf("err = %v", err)
		}
		if recs := f.usage.all(); len(recs) != 1 || recs[0].ErrorCode != ai.CodeRefused {
			t.Fatalf("records = %+v", recs)
		}
	})
	t.Run("schema violation", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.cacheMisses(2)
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{JSON: []byte(`{"score":"high"}`)}, nil)
		f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(ai.ErrSchemaViolation.WithCause(errors.New("/score: want integer")))
		_, err := f.gw.Complete(t.Context(), request()) // not cached, not retried, no fallback
		if !errors.Is(err, ai.ErrSchemaViolation) {
			t.Fatalf("err = %v", err)
		}
		if recs := f.usage.all(); len(recs) != 1 || recs[0].ErrorCode != ai.CodeSchemaViolation {
			t.Fatalf("records = %+v", recs)
		}
	})
}

func TestGatewayPricing(t *testing.T) {
	t.Parallel()
	t.Run("unknown model: cost unknown, warned once", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *ai.GatewayConfig, _ *ai.GatewayPorts) { c.CacheTTL = 0 })
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{JSON: []byte(answer), Model: "gpt-9-preview",
			Usage: ai.Usage{Input: 1000, Output: 100}}, nil).Times(2)
		f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil).Times(2)
		for range 2 {
			resp, err := f.gw.Complete(t.Context(), request())
			if err != nil || resp.CostKnown || resp.CostMicros != 0 || resp.Model != "gpt-9-preview" {
				t.Fatalf("response = %+v, %v", resp, err)
			}
		}
		if n := strings.Count(f.logs.String(), "missing from the price table"); n != 1 {
			t.Errorf("warned %d times, want once:\n%s", n, f.logs)
		}
		if recs := f.usage.all(); len(recs) != 2 || recs[0].CostKnown {
			t.Fatalf("records = %+v", recs)
		}
	})
	t.Run("free provider", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *ai.GatewayConfig, _ *ai.GatewayPorts) { c.CacheTTL = 0 })
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(ai.Completion{JSON: []byte(answer), Model: "offline", Free: true,
			Usage: ai.Usage{Input: 1000, Output: 100}}, nil)
		f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
		resp, err := f.gw.Complete(t.Context(), request())
		if err != nil || !resp.CostKnown || resp.CostMicros != 0 || strings.Contains(f.logs.String(), "price table") {
			t.Fatalf("response = %+v, %v\n%s", resp, err, f.logs)
		}
	})
	t.Run("upstream cache hit is not charged", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.cacheMisses(2)
		c := completion()
		c.CacheHit = true
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).Return(c, nil)
		f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
		f.cache.EXPECT().Put(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(_ context.Context, _ ai.CacheKey, a ai.CachedAnswer, _ time.Duration) error {
				if a.CostMicros != 164 {
					t.Errorf("cached cost = %d, want the original 164", a.CostMicros)
				}
				return nil
			})
		resp, err := f.gw.Complete(t.Context(), request())
		if err != nil || !resp.CacheHit || resp.CostMicros != 0 || resp.SavedMicros != 164 {
			t.Fatalf("response = %+v, %v", resp, err)
		}
		if recs := f.usage.all(); len(recs) != 1 || !recs[0].CacheHit || recs[0].SavedMicros != 164 {
			t.Fatalf("records = %+v", recs)
		}
	})
}

func TestGatewayRequestHandling(t *testing.T) {
	t.Parallel()
	t.Run("strong tier, explicit schema and budget", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *ai.GatewayConfig, _ *ai.GatewayPorts) { c.CacheTTL = 0 })
		inline := []byte(`{"type":"object"}`)
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, c ai.Call) (ai.Completion, error) {
			if c.Model != "gpt-5" || c.MaxTokens != 777 || string(c.Schema.JSON) != string(inline) || c.Effort != ai.EffortMedium {
				t.Errorf("call = %+v", c)
			}
			return completion(), nil
		})
		f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
		req := request()
		req.Tier, req.MaxTokens, req.Effort = ai.TierStrong, 777, ai.EffortMedium
		req.Schema = ai.Schema{Name: "custom", JSON: inline}
		if _, err := f.gw.Complete(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("strong default budget", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, func(c *ai.GatewayConfig, _ *ai.GatewayPorts) { c.CacheTTL = 0; c.StrongMaxTokens = 5000 })
		f.first.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, c ai.Call) (ai.Completion, error) {
			if c.MaxTokens != 5000 {
				t.Errorf("budget = %d", c.MaxTokens)
			}
			return completion(), nil
		})
		f.validator.EXPECT().Validate(gomock.Any(), gomock.Any()).Return(nil)
		req := request()
		req.Tier = ai.TierStrong
		if _, err := f.gw.Complete(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	})
	bad := map[string]func(*ai.Request){
		"no purpose":      func(r *ai.Request) { r.Purpose = "" },
		"purpose case":    func(r *ai.Request) { r.Purpose = "Light" },
		"tier":            func(r *ai.Request) { r.Tier = "medium" },
		"no user prompt":  func(r *ai.Request) { r.User = "" },
		"schema name":     func(r *ai.Request) { r.Schema.Name = "light analysis" },
		"unknown schema":  func(r *ai.Request) { r.Schema.Name = "nope" },
		"schema not json": func(r *ai.Request) { r.Schema.Name = "broken" },
		"negative budget": func(r *ai.Request) { r.MaxTokens = -1 },
		"huge budget":     func(r *ai.Request) { r.MaxTokens = ai.MaxTokensLimit + 1 },
		"effort":          func(r *ai.Request) { r.Effort = "max" },
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			req := request()
			mutate(&req)
			_, err := f.gw.Complete(t.Context(), req)
			if !errors.Is(err, ai.ErrInvalidRequest) || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestNewGatewayChecksItsConfiguration(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	p := aimock.NewMockProvider(ctrl)
	p.EXPECT().Name().Return("openai").AnyTimes()
	anon := aimock.NewMockProvider(ctrl)
	anon.EXPECT().Name().Return("").AnyTimes()
	v := aimock.NewMockSchemaValidator(ctrl)
	route := ai.Route{Provider: p, Small: "a", Strong: "b"}
	cases := map[string]struct {
		cfg   ai.GatewayConfig
		ports ai.GatewayPorts
	}{
		"no routes":        {ai.GatewayConfig{}, ai.GatewayPorts{Validator: v}},
		"nil provider":     {ai.GatewayConfig{Routes: []ai.Route{{Small: "a", Strong: "b"}}}, ai.GatewayPorts{Validator: v}},
		"unnamed provider": {ai.GatewayConfig{Routes: []ai.Route{{Provider: anon, Small: "a", Strong: "b"}}}, ai.GatewayPorts{Validator: v}},
		"no model":         {ai.GatewayConfig{Routes: []ai.Route{{Provider: p, Small: "a"}}}, ai.GatewayPorts{Validator: v}},
		"no validator":     {ai.GatewayConfig{Routes: []ai.Route{route}}, ai.GatewayPorts{}},
		"negative ttl":     {ai.GatewayConfig{Routes: []ai.Route{route}, CacheTTL: -1}, ai.GatewayPorts{Validator: v}},
		"bad budget":       {ai.GatewayConfig{Routes: []ai.Route{route}, SmallMaxTokens: -5}, ai.GatewayPorts{Validator: v}},
		"huge budget":      {ai.GatewayConfig{Routes: []ai.Route{route}, StrongMaxTokens: ai.MaxTokensLimit + 1}, ai.GatewayPorts{Validator: v}},
		"factor":           {ai.GatewayConfig{Routes: []ai.Route{route}, RetryBudgetFactor: 0.5}, ai.GatewayPorts{Validator: v}},
	}
	for name, tc := range cases {
		if _, err := ai.NewGateway(tc.cfg, tc.ports); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	gw, err := ai.NewGateway(ai.GatewayConfig{Routes: []ai.Route{route, route}}, ai.GatewayPorts{Validator: v})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(gw.Providers(), ","); got != "openai,openai" {
		t.Errorf("Providers = %s", got)
	}
}
