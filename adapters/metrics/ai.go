package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oslira/oslira/core/ai"
)

// The AI instruments, fed by a decorator of the Gateway's ai.UsageRecorder (one record per
// attempt), by provider, model and purpose — all from the code and its configuration:
//
//	ai_cost_dollars_total{provider,model,purpose}        what attempts cost (known prices only)
//	ai_cache_hits_total{provider,model,purpose}          answers from a cache
//	ai_cache_saved_dollars_total{provider,model,purpose} what those answers would have cost
func (m *Metrics) registerAI() {
	labels := []string{"provider", "model", "purpose"}
	m.aiCost = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ai_cost_dollars_total",
		Help: "Cost of language-model attempts in US dollars (models with a price only; cache hits cost nothing).",
	}, labels)
	m.aiCacheHits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ai_cache_hits_total",
		Help: "Language-model answers served by a cache (the gateway's response cache or the AI gateway's).",
	}, labels)
	m.aiSaved = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ai_cache_saved_dollars_total",
		Help: "What the answers served by a cache would have cost, in US dollars.",
	}, labels)
	m.reg.MustRegister(m.aiCost, m.aiCacheHits, m.aiSaved)
}

// microsPerDollar converts ai's micro-dollars.
const microsPerDollar = 1e6

// Usage decorates next (which may be nil: then only the metrics are kept) so each record also
// counts cost and cache hits. The account of a record is never a label. Metrics are counted
// before next stores the record, whatever it answers: the attempt happened and was paid.
// A nil *Metrics returns next unchanged.
func (m *Metrics) Usage(next ai.UsageRecorder) ai.UsageRecorder {
	if m == nil {
		return next
	}
	return usageRecorder{m: m, next: next}
}

type usageRecorder struct {
	m    *Metrics
	next ai.UsageRecorder
}

func (u usageRecorder) Record(ctx context.Context, r ai.UsageRecord) error {
	if r.CostKnown && r.CostMicros > 0 {
		u.m.aiCost.WithLabelValues(r.Provider, r.Model, r.Purpose).Add(float64(r.CostMicros) / microsPerDollar)
	}
	if r.CacheHit {
		u.m.aiCacheHits.WithLabelValues(r.Provider, r.Model, r.Purpose).Inc()
		if r.SavedMicros > 0 {
			u.m.aiSaved.WithLabelValues(r.Provider, r.Model, r.Purpose).Add(float64(r.SavedMicros) / microsPerDollar)
		}
	}
	if u.next == nil {
		return nil
	}
	return u.next.Record(ctx, r)
}
