package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/oslira/oslira/core/insights"
)

// InsightsStore implements insights.Store: the operators' answers, each one SQL statement over
// every account (the login role, no row-level security). Ranges are half-open [From, To).
//
// Indexes used: ai_usage (created_at) for the cost and cache answers; analytics_events
// (occurred_at) (its monthly partitions are pruned by the range) for latency; DBOS's
// workflow_status (created_at) and analyses (status, completed_at) where status is finished
// for the workflow answer.
type InsightsStore struct {
	db *DB
}

var _ insights.Store = (*InsightsStore)(nil)

// NewInsightsStore returns an InsightsStore over db.
func NewInsightsStore(db *DB) *InsightsStore { return &InsightsStore{db: db} }

// sqlCostByAccount ranks accounts by AI cost with window functions: cum is the running total in
// rank order (cost desc, then account id, so ties rank stably), total and n cover every account.
// The 80 % count is computed over all accounts before the limit, with the rule of
// insights.InTop80 (what the accounts before this one cost is under 80 % of the total).
const sqlCostByAccount = `
with per_account as (
  select account_id, sum(cost_micros)::bigint as cost
  from public.ai_usage
  where created_at >= $1 and created_at < $2 and account_id is not null
  group by account_id
  having sum(cost_micros) > 0
), ranked as (
  select account_id, cost,
         sum(cost) over (order by cost desc, account_id rows between unbounded preceding and current row)::bigint as cum,
         sum(cost) over ()::bigint as total,
         count(*) over () as n
  from per_account
)
select account_id::text, cost, cum, total, n,
       count(*) filter (where (cum - cost) * 100 < total * 80) over () as top80
from ranked
order by cost desc, account_id
limit $3`

// AICostByAccount implements insights.Store. Accounts without cost (all their calls free or
// unpriced) are not ranked.
func (s *InsightsStore) AICostByAccount(ctx context.Context, r insights.Range, limit int) (insights.CostRows, error) {
	rows, err := s.db.Pool().Query(ctx, sqlCostByAccount, r.From, r.To, limit)
	if err != nil {
		return insights.CostRows{}, MapError(fmt.Errorf("ai cost by account: %w", err))
	}
	defer rows.Close()
	var out insights.CostRows
	for rows.Next() {
		var a insights.AccountCost
		var n, top80 int64
		if err := rows.Scan(&a.AccountID, &a.CostMicros, &a.CumMicros, &out.TotalCost, &n, &top80); err != nil {
			return insights.CostRows{}, MapError(fmt.Errorf("ai cost by account: %w", err))
		}
		out.Count, out.Accounts80 = int(n), int(top80)
		out.Accounts = append(out.Accounts, a)
	}
	if err := rows.Err(); err != nil {
		return insights.CostRows{}, MapError(fmt.Errorf("ai cost by account: %w", err))
	}
	return out, nil
}

// The latency histogram's resolution is 40 buckets per natural log unit (sqlRouteLatency): a
// bucket spans 2.5 % of its latencies.

// sqlRouteLatency counts the window's requests per route, method and latency bucket — one hash
// aggregate over the window, no sort of the events (an exact percentile_cont sorted a month of
// a million events in 1.1–1.3 s; the histogram answers in a fraction of that). Percentiles are
// read from the buckets (latencyPercentiles).
const sqlRouteLatency = `
select method, route, round(ln(greatest(latency_us, 1)) * 40)::int as bucket, count(*), max(latency_us),
       count(*) filter (where status between 400 and 499),
       count(*) filter (where status >= 500)
from public.analytics_events
where occurred_at >= $1 and occurred_at < $2
group by 1, 2, 3`

// RouteLatency implements insights.Store. P50, P95 and P99 are nearest-rank percentiles over
// the log-bucket histogram: the largest latency of the bucket that holds the rank — exact when
// the bucket holds one distinct latency, else at most one bucket (2.5 %) above it.
func (s *InsightsStore) RouteLatency(ctx context.Context, r insights.Range) ([]insights.RouteLatencyRow, error) {
	rows, err := s.db.Pool().Query(ctx, sqlRouteLatency, r.From, r.To)
	if err != nil {
		return nil, MapError(fmt.Errorf("route latency: %w", err))
	}
	defer rows.Close()
	type key struct{ method, route string }
	hist := map[key]*routeHistogram{}
	for rows.Next() {
		var (
			k              key
			bucket         int
			n, c4xx, c5xxx int64
			top            float64
		)
		if err := rows.Scan(&k.method, &k.route, &bucket, &n, &top, &c4xx, &c5xxx); err != nil {
			return nil, MapError(fmt.Errorf("route latency: %w", err))
		}
		h := hist[k]
		if h == nil {
			h = &routeHistogram{row: insights.RouteLatencyRow{Method: k.method, Route: k.route}}
			hist[k] = h
		}
		h.buckets = append(h.buckets, latencyBucket{bucket, n, top})
		h.row.Count += n
		h.row.ClientErrors += c4xx
		h.row.ServErrors += c5xxx
	}
	if err := rows.Err(); err != nil {
		return nil, MapError(fmt.Errorf("route latency: %w", err))
	}
	out := make([]insights.RouteLatencyRow, 0, len(hist))
	for _, h := range hist {
		out = append(out, h.percentiles())
	}
	slices.SortFunc(out, func(a, b insights.RouteLatencyRow) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Method, b.Method))
	})
	return out, nil
}

type latencyBucket struct {
	bucket int
	n      int64
	top    float64 // the largest latency in the bucket
}

// routeHistogram is one route's latency buckets.
type routeHistogram struct {
	row     insights.RouteLatencyRow
	buckets []latencyBucket
}

// percentiles fills P50, P95 and P99 from the bucket holding the nearest-rank (⌈p·n⌉-th)
// request.
func (h *routeHistogram) percentiles() insights.RouteLatencyRow {
	slices.SortFunc(h.buckets, func(a, b latencyBucket) int { return cmp.Compare(a.bucket, b.bucket) })
	at := func(p float64) float64 {
		rank := int64(math.Ceil(p * float64(h.row.Count)))
		var seen int64
		for _, b := range h.buckets {
			if seen += b.n; seen >= rank {
				return b.top
			}
		}
		return 0
	}
	r := h.row
	r.P50, r.P95, r.P99 = at(0.50), at(0.95), at(0.99)
	return r
}

// sqlWorkflowRuns counts DBOS runs per definition (created_at is epoch milliseconds there: $3,
// $4) and failed analyses per type, step, outcome and code, as one statement of two kinds of row.
// ERROR and MAX_RECOVERY_ATTEMPTS_EXCEEDED are failures; everything not finished is pending.
const sqlWorkflowRuns = `
select 'run' as kind, name as a, '' as b, '' as c, '' as d, count(*) as n,
       count(*) filter (where status = 'SUCCESS') as ok,
       count(*) filter (where status in ('ERROR', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')) as failed,
       count(*) filter (where status = 'CANCELLED') as cancelled
from dbos.workflow_status
where created_at >= $3 and created_at < $4
group by name
union all
select 'failure', type, step, coalesce(outcome, ''), coalesce(error_code, ''), count(*), 0, 0, 0
from public.analyses
where status = 'failed' and completed_at >= $1 and completed_at < $2
group by type, step, outcome, error_code
order by kind, n desc, a, b, c, d`

// sqlAnalysisFailures is the second half alone, for a database without DBOS's schema (an API
// process that never ran the workflow engine's migration).
const sqlAnalysisFailures = `
select 'failure' as kind, type as a, step as b, coalesce(outcome, '') as c, coalesce(error_code, '') as d, count(*) as n, 0, 0, 0
from public.analyses
where status = 'failed' and completed_at >= $1 and completed_at < $2
group by type, step, outcome, error_code
order by n desc, a, b, c, d`

// WorkflowRuns implements insights.Store. Analyses count in the range they finished in (the
// partial index on finished analyses serves it); runs in the range they were created in.
func (s *InsightsStore) WorkflowRuns(ctx context.Context, r insights.Range) (insights.WorkflowRows, error) {
	var hasDBOS bool
	if err := s.db.Pool().QueryRow(ctx, `select to_regclass('dbos.workflow_status') is not null`).Scan(&hasDBOS); err != nil {
		return insights.WorkflowRows{}, MapError(fmt.Errorf("workflow runs: %w", err))
	}
	sql, args := sqlAnalysisFailures, []any{r.From, r.To}
	if hasDBOS {
		sql, args = sqlWorkflowRuns, []any{r.From, r.To, r.From.UnixMilli(), r.To.UnixMilli()}
	}
	rows, err := s.db.Pool().Query(ctx, sql, args...)
	if err != nil {
		return insights.WorkflowRows{}, MapError(fmt.Errorf("workflow runs: %w", err))
	}
	defer rows.Close()
	out := insights.WorkflowRows{Definitions: []insights.DefinitionRuns{}, Failures: []insights.AnalysisFailure{}}
	for rows.Next() {
		var kind, a, b, c, d string
		var n, ok, failed, cancelled int64
		if err := rows.Scan(&kind, &a, &b, &c, &d, &n, &ok, &failed, &cancelled); err != nil {
			return insights.WorkflowRows{}, MapError(fmt.Errorf("workflow runs: %w", err))
		}
		if kind == "run" {
			out.Definitions = append(out.Definitions, insights.DefinitionRuns{Name: a, Started: n, Succeeded: ok, Failed: failed,
				Cancelled: cancelled, Pending: n - ok - failed - cancelled})
		} else {
			out.Failures = append(out.Failures, insights.AnalysisFailure{Type: a, Step: b, Outcome: c, ErrorCode: d, Count: n})
		}
	}
	if err := rows.Err(); err != nil {
		return insights.WorkflowRows{}, MapError(fmt.Errorf("workflow runs: %w", err))
	}
	return out, nil
}

// sqlAICache reads the successful calls of the range (a failed attempt neither hit the cache nor
// saved anything).
const sqlAICache = `
select count(*), count(*) filter (where cache_hit), coalesce(sum(cost_micros), 0)::bigint,
       coalesce(sum(saved_micros), 0)::bigint, count(*) filter (where not cost_known)
from public.ai_usage
where status = 'ok' and created_at >= $1 and created_at < $2`

// AICache implements insights.Store.
func (s *InsightsStore) AICache(ctx context.Context, r insights.Range) (insights.AICacheRow, error) {
	var c insights.AICacheRow
	err := s.db.Pool().QueryRow(ctx, sqlAICache, r.From, r.To).Scan(&c.Calls, &c.Hits, &c.SpentMicros, &c.SavedMicros, &c.UnknownCost)
	if err != nil {
		return insights.AICacheRow{}, MapError(fmt.Errorf("ai cache: %w", err))
	}
	return c, nil
}
