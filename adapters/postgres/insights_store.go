package postgres

import (
	"context"
	"fmt"

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

// sqlRouteLatency: one sort per route for the three percentiles (percentile_cont over an array).
const sqlRouteLatency = `
select method, route, count(*),
       percentile_cont(array[0.5, 0.95, 0.99]) within group (order by latency_us),
       count(*) filter (where status between 400 and 499),
       count(*) filter (where status >= 500)
from public.analytics_events
where occurred_at >= $1 and occurred_at < $2
group by method, route
order by count(*) desc, route, method`

// RouteLatency implements insights.Store.
func (s *InsightsStore) RouteLatency(ctx context.Context, r insights.Range) ([]insights.RouteLatencyRow, error) {
	rows, err := s.db.Pool().Query(ctx, sqlRouteLatency, r.From, r.To)
	if err != nil {
		return nil, MapError(fmt.Errorf("route latency: %w", err))
	}
	defer rows.Close()
	out := []insights.RouteLatencyRow{}
	for rows.Next() {
		var l insights.RouteLatencyRow
		var p []float64
		if err := rows.Scan(&l.Method, &l.Route, &l.Count, &p, &l.ClientErrors, &l.ServErrors); err != nil {
			return nil, MapError(fmt.Errorf("route latency: %w", err))
		}
		if len(p) == 3 {
			l.P50, l.P95, l.P99 = p[0], p[1], p[2]
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, MapError(fmt.Errorf("route latency: %w", err))
	}
	return out, nil
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
