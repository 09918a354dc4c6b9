package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/oslira/oslira/core/ai"
)

// AIUsageStore records language-model calls (table ai_usage, migration 00013) as the login role
// and reads them back for operators. It implements ai.UsageRecorder.
type AIUsageStore struct {
	db *DB
}

var _ ai.UsageRecorder = (*AIUsageStore)(nil)

// NewAIUsageStore returns an AIUsageStore over db.
func NewAIUsageStore(db *DB) *AIUsageStore { return &AIUsageStore{db: db} }

const sqlAIUsageInsert = `
insert into public.ai_usage (account_id, purpose, tier, provider, model, input_tokens, output_tokens,
  cached_tokens, cache_write_tokens, cost_micros, cost_known, saved_micros, latency_ms, cache_hit,
  status, error_code, created_at)
values (nullif($1, '')::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, nullif($16, ''),
  coalesce($17, now()))`

// Record implements ai.UsageRecorder. An empty AccountID is stored as null (system work, anonymous
// analyses); a zero At as the database's now. Latency is stored in whole milliseconds.
func (s *AIUsageStore) Record(ctx context.Context, r ai.UsageRecord) error {
	var at *time.Time
	if !r.At.IsZero() {
		at = &r.At
	}
	u := r.Usage
	_, err := s.db.Pool().Exec(ctx, sqlAIUsageInsert, r.AccountID, r.Purpose, string(r.Tier), r.Provider, r.Model,
		u.Input, u.Output, u.Cached, u.CacheWrite, max(r.CostMicros, 0), r.CostKnown, max(r.SavedMicros, 0),
		r.Latency.Milliseconds(), r.CacheHit, r.Status, r.ErrorCode, at)
	if err != nil {
		return MapError(fmt.Errorf("record ai usage: %w", err))
	}
	return nil
}

// AICacheStats summarises the successful model calls of a window: how many, how many a cache
// answered, what they cost and what the hits saved.
type AICacheStats struct {
	Calls       int64
	Hits        int64
	CostMicros  int64
	SavedMicros int64
	// UnknownCost counts calls whose model had no price (their cost is not in CostMicros).
	UnknownCost int64
}

// HitRate is Hits / Calls (0 without calls).
func (s AICacheStats) HitRate() float64 {
	if s.Calls == 0 {
		return 0
	}
	return float64(s.Hits) / float64(s.Calls)
}

const sqlAICacheStats = `
select count(*), count(*) filter (where cache_hit), coalesce(sum(cost_micros), 0), coalesce(sum(saved_micros), 0),
       count(*) filter (where not cost_known)
from public.ai_usage
where status = 'ok' and created_at >= $1 and created_at < $2 and ($3 = '' or purpose = $3)`

// CacheStats returns the cache hit rate and the money spent and saved by successful calls in
// [from, to), for one purpose or ("" ) all of them. For operators: it reads every account.
func (s *AIUsageStore) CacheStats(ctx context.Context, from, to time.Time, purpose string) (AICacheStats, error) {
	var st AICacheStats
	err := s.db.Pool().QueryRow(ctx, sqlAICacheStats, from, to, purpose).
		Scan(&st.Calls, &st.Hits, &st.CostMicros, &st.SavedMicros, &st.UnknownCost)
	if err != nil {
		return AICacheStats{}, MapError(fmt.Errorf("read ai cache stats: %w", err))
	}
	return st, nil
}
