package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/oslira/oslira/core/apperr"
)

// Route is one provider with the model it uses for each tier, in the order of preference the
// Gateway tries them.
type Route struct {
	Provider Provider
	Small    string // model for TierSmall
	Strong   string // model for TierStrong
}

func (r Route) model(t Tier) string {
	if t == TierStrong {
		return r.Strong
	}
	return r.Small
}

// GatewayConfig configures a Gateway.
type GatewayConfig struct {
	// Routes are the providers in order of preference; at least one.
	Routes []Route
	// Prices prices every answer; a model it lacks is logged and its cost marked unknown.
	Prices PriceTable
	// Schemas resolves a Request's Schema.Name when the request carries no document (the
	// contents of contracts/ai, by name).
	Schemas map[string][]byte
	// CacheTTL is how long answers stay in the response cache; 0 disables the cache.
	CacheTTL time.Duration
	// SmallMaxTokens and StrongMaxTokens are the output budgets of requests without MaxTokens
	// (defaults DefaultSmallMaxTokens and DefaultStrongMaxTokens).
	SmallMaxTokens  int
	StrongMaxTokens int
	// RetryBudgetFactor multiplies the budget of the one retry after a malformed answer
	// (default DefaultRetryBudgetFactor; must be > 1).
	RetryBudgetFactor float64
}

// Defaults of GatewayConfig. The budgets follow the original product (light: 800 tokens, retry
// 1,200; deep: 2,000, retry 3,000) with headroom for reasoning tokens.
const (
	DefaultSmallMaxTokens    = 1200
	DefaultStrongMaxTokens   = 4000
	DefaultRetryBudgetFactor = 1.5
)

// GatewayPorts are the Gateway's collaborators. Validator is required; a nil Cache disables the
// response cache, a nil Usage records nothing, a nil Log discards, a nil Now is time.Now.
type GatewayPorts struct {
	Cache     ResponseCache
	Usage     UsageRecorder
	Validator SchemaValidator
	Log       *slog.Logger
	Now       func() time.Time
}

// Gateway implements LLM: cache, provider fallback, malformed-output retry, validation, pricing
// and usage recording (see the package documentation). Safe for concurrent use.
type Gateway struct {
	cfg   GatewayConfig
	ports GatewayPorts
	// warned remembers the models already reported as missing from the price table.
	warned sync.Map
}

var _ LLM = (*Gateway)(nil)

// NewGateway checks cfg and returns a Gateway over ports.
func NewGateway(cfg GatewayConfig, ports GatewayPorts) (*Gateway, error) {
	if len(cfg.Routes) == 0 {
		return nil, errors.New("ai: the gateway needs at least one provider route")
	}
	for i, r := range cfg.Routes {
		if r.Provider == nil || r.Provider.Name() == "" || r.Small == "" || r.Strong == "" {
			return nil, fmt.Errorf("ai: route %d needs a named provider and a model for each tier", i)
		}
	}
	if ports.Validator == nil {
		return nil, errors.New("ai: the gateway needs a schema validator")
	}
	if cfg.CacheTTL < 0 {
		return nil, errors.New("ai: the cache TTL must not be negative")
	}
	if cfg.SmallMaxTokens == 0 {
		cfg.SmallMaxTokens = DefaultSmallMaxTokens
	}
	if cfg.StrongMaxTokens == 0 {
		cfg.StrongMaxTokens = DefaultStrongMaxTokens
	}
	if cfg.SmallMaxTokens < 0 || cfg.StrongMaxTokens < 0 || cfg.SmallMaxTokens > MaxTokensLimit || cfg.StrongMaxTokens > MaxTokensLimit {
		return nil, fmt.Errorf("ai: default token budgets must be between 1 and %d", MaxTokensLimit)
	}
	if cfg.RetryBudgetFactor == 0 {
		cfg.RetryBudgetFactor = DefaultRetryBudgetFactor
	}
	if cfg.RetryBudgetFactor <= 1 || math.IsNaN(cfg.RetryBudgetFactor) || math.IsInf(cfg.RetryBudgetFactor, 0) {
		return nil, errors.New("ai: the retry budget factor must be greater than 1")
	}
	if ports.Log == nil {
		ports.Log = slog.New(slog.DiscardHandler)
	}
	if ports.Now == nil {
		ports.Now = time.Now
	}
	return &Gateway{cfg: cfg, ports: ports}, nil
}

// Providers lists the providers' names in the order they are tried.
func (g *Gateway) Providers() []string {
	out := make([]string, len(g.cfg.Routes))
	for i, r := range g.cfg.Routes {
		out[i] = r.Provider.Name()
	}
	return out
}

// Complete implements LLM.
func (g *Gateway) Complete(ctx context.Context, req Request) (Response, error) {
	req, err := g.prepare(req)
	if err != nil {
		return Response{}, err
	}
	if resp, ok := g.lookup(ctx, req); ok {
		return resp, nil
	}
	var firstRetryable, last error
	for i, r := range g.cfg.Routes {
		resp, err := g.callRoute(ctx, r, req)
		if err == nil {
			g.store(ctx, r, req, resp)
			return resp, nil
		}
		if ctx.Err() != nil {
			return Response{}, err
		}
		retryable := apperr.KindOf(err).Retryable()
		if !retryable && !errors.Is(err, ErrQuotaExhausted) {
			return Response{}, err
		}
		if retryable && firstRetryable == nil {
			firstRetryable = err
		}
		last = err
		if i+1 < len(g.cfg.Routes) {
			g.ports.Log.WarnContext(ctx, "llm provider failed; falling back", "purpose", req.Purpose,
				"provider", r.Provider.Name(), "next", g.cfg.Routes[i+1].Provider.Name(), "code", apperr.CodeOf(err))
		}
	}
	// Every provider failed. A retryable failure wins: a later attempt may succeed.
	if firstRetryable != nil {
		last = firstRetryable
	}
	return Response{}, fmt.Errorf("every llm provider failed (%d tried): %w", len(g.cfg.Routes), last)
}

// prepare validates req, resolves its schema document and its token budget.
func (g *Gateway) prepare(req Request) (Request, error) {
	if err := req.validate(); err != nil {
		return Request{}, err
	}
	if len(req.Schema.JSON) == 0 {
		doc, ok := g.cfg.Schemas[req.Schema.Name]
		if !ok {
			return Request{}, invalid("schema", "names no known schema: "+req.Schema.Name)
		}
		req.Schema.JSON = doc
	}
	if !json.Valid(req.Schema.JSON) {
		return Request{}, invalid("schema", "is not a JSON document")
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = g.cfg.SmallMaxTokens
		if req.Tier == TierStrong {
			req.MaxTokens = g.cfg.StrongMaxTokens
		}
	}
	return req, nil
}

// lookup asks the response cache for req under each route's key, in route order.
func (g *Gateway) lookup(ctx context.Context, req Request) (Response, bool) {
	if g.ports.Cache == nil || g.cfg.CacheTTL == 0 {
		return Response{}, false
	}
	start := g.ports.Now()
	for _, r := range g.cfg.Routes {
		a, found, err := g.ports.Cache.Get(ctx, cacheKey(r, req))
		if err != nil {
			g.ports.Log.WarnContext(ctx, "llm response cache unavailable; calling the provider", "error", err)
			return Response{}, false
		}
		if !found {
			continue
		}
		resp := Response{
			JSON:        json.RawMessage(a.JSON),
			CostKnown:   true,
			SavedMicros: a.CostMicros,
			Provider:    a.Provider,
			Model:       a.Model,
			Latency:     g.ports.Now().Sub(start),
			CacheHit:    true,
		}
		g.record(ctx, req, UsageRecord{
			Provider: a.Provider, Model: a.Model, CostKnown: true, SavedMicros: a.CostMicros,
			Latency: resp.Latency, CacheHit: true, Status: StatusOK,
		})
		return resp, true
	}
	return Response{}, false
}

// store keeps a fresh answer in the response cache (failures are logged only).
func (g *Gateway) store(ctx context.Context, r Route, req Request, resp Response) {
	if g.ports.Cache == nil || g.cfg.CacheTTL == 0 {
		return
	}
	cost := resp.CostMicros
	if resp.CacheHit { // answered by the AI gateway's cache: the first answer cost this much
		cost = resp.SavedMicros
	}
	err := g.ports.Cache.Put(context.WithoutCancel(ctx), cacheKey(r, req), CachedAnswer{
		Provider: resp.Provider, Model: resp.Model, JSON: resp.JSON, Usage: resp.Usage,
		CostMicros: cost, CostKnown: resp.CostKnown, CreatedAt: g.ports.Now(),
	}, g.cfg.CacheTTL)
	if err != nil {
		g.ports.Log.WarnContext(ctx, "llm response cache: store failed", "error", err)
	}
}

// callRoute asks one provider, retrying once with a larger budget after a malformed answer.
func (g *Gateway) callRoute(ctx context.Context, r Route, req Request) (Response, error) {
	call := Call{
		Purpose: req.Purpose, AccountID: req.AccountID, Model: r.model(req.Tier),
		System: req.System, User: req.User, Schema: req.Schema,
		MaxTokens: req.MaxTokens, Effort: req.Effort, Facts: req.Facts,
	}
	name := r.Provider.Name()
	for attempt := 1; ; attempt++ {
		start := g.ports.Now()
		c, err := r.Provider.Complete(ctx, call)
		latency := g.ports.Now().Sub(start)
		if err != nil {
			// A failed HTTP call is not billed by the vendors.
			g.record(ctx, req, UsageRecord{Provider: name, Model: call.Model, CostKnown: true,
				Latency: latency, Status: StatusError, ErrorCode: errorCode(err)})
			return Response{}, err
		}
		resp := g.price(ctx, name, call.Model, c, latency)
		rec := UsageRecord{Provider: name, Model: resp.Model, Usage: c.Usage, CostMicros: resp.CostMicros,
			CostKnown: resp.CostKnown, SavedMicros: resp.SavedMicros, Latency: latency, CacheHit: resp.CacheHit,
			Status: StatusOK}
		switch {
		case c.Refusal != "":
			rec.Status, rec.ErrorCode = StatusError, CodeRefused
			g.record(ctx, req, rec)
			return Response{}, ErrRefused.WithCause(fmt.Errorf("%s %s refused to answer %s", name, resp.Model, req.Purpose))
		case c.Truncated || !isJSONObject(c.JSON):
			rec.Status, rec.ErrorCode = StatusError, CodeMalformedOutput
			g.record(ctx, req, rec)
			why := "not a JSON object"
			if c.Truncated {
				why = fmt.Sprintf("cut off at %d tokens", call.MaxTokens)
			}
			if attempt == 1 {
				call.MaxTokens = min(int(math.Ceil(float64(call.MaxTokens)*g.cfg.RetryBudgetFactor)), MaxTokensLimit)
				g.ports.Log.WarnContext(ctx, "llm answer malformed; retrying with a larger budget", "purpose", req.Purpose,
					"provider", name, "model", resp.Model, "reason", why, "max_tokens", call.MaxTokens)
				continue
			}
			return Response{}, ErrMalformedOutput.WithCause(fmt.Errorf("%s %s answer to %s %s twice", name, resp.Model, req.Purpose, why))
		}
		if err := g.ports.Validator.Validate(req.Schema, c.JSON); err != nil {
			rec.Status, rec.ErrorCode = StatusError, errorCode(err)
			g.record(ctx, req, rec)
			return Response{}, err
		}
		g.record(ctx, req, rec)
		resp.JSON = json.RawMessage(c.JSON)
		return resp, nil
	}
}

// price turns a completion's usage into cost: zero for free providers and upstream cache hits
// (which save what they would have cost), unknown for models without a price.
func (g *Gateway) price(ctx context.Context, provider, model string, c Completion, latency time.Duration) Response {
	resp := Response{Usage: c.Usage, Provider: provider, Model: model, Latency: latency, CacheHit: c.CacheHit}
	if c.Model != "" {
		resp.Model = c.Model
	}
	if c.Free {
		resp.CostKnown = true
		return resp
	}
	cost, known := g.cfg.Prices.Cost(resp.Model, c.Usage)
	if !known {
		if _, seen := g.warned.LoadOrStore(resp.Model, true); !seen {
			g.ports.Log.WarnContext(ctx, "llm model missing from the price table: its cost is recorded as unknown",
				"provider", provider, "model", resp.Model, "prices_effective", g.cfg.Prices.EffectiveDate.Format(time.DateOnly))
		}
		return resp
	}
	resp.CostKnown = true
	if c.CacheHit {
		resp.SavedMicros = cost
		return resp
	}
	resp.CostMicros = cost
	return resp
}

// record stores one attempt; failures are logged. It runs even when ctx was cancelled: the
// attempt has happened (and may have been paid for).
func (g *Gateway) record(ctx context.Context, req Request, r UsageRecord) {
	if g.ports.Usage == nil {
		return
	}
	r.AccountID, r.Purpose, r.Tier, r.At = req.AccountID, req.Purpose, req.Tier, g.ports.Now()
	if err := g.ports.Usage.Record(context.WithoutCancel(ctx), r); err != nil {
		g.ports.Log.ErrorContext(ctx, "llm usage not recorded", "purpose", r.Purpose, "provider", r.Provider,
			"model", r.Model, "cost_micros", r.CostMicros, "error", err)
	}
}

// errorCode is the code stored for a failed attempt: the apperr code, or "canceled" when the
// caller's context ended the call.
func errorCode(err error) string {
	if _, ok := apperr.As(err); !ok && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return "canceled"
	}
	return apperr.CodeOf(err)
}

// isJSONObject reports whether b is one JSON object (schemas describe objects).
func isJSONObject(b []byte) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(b, &v) == nil && v != nil
}
