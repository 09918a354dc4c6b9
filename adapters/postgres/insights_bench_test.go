package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/insights"
)

// Generated data set of BenchmarkInsights (issue 13: the admin answers in well under a second
// on 1 M events): events and model calls spread over the last 30 days.
const (
	benchEvents   = 1_000_000
	benchUsage    = 200_000
	benchAccounts = 2_000
	benchRoutes   = 40
	benchRuns     = 100_000
	benchAnalyses = 50_000
)

// sqlBenchSetup generates the data set on a private database: accounts (users, accounts), 1 M
// analytics events over ~40 routes and ~2,000 accounts with a long-tailed latency and 1 % 5xx,
// 200,000 model calls whose cost concentrates on few accounts (an account index drawn from
// random()^3), 100,000 workflow runs and 50,000 analyses of which a fifth failed. $1..$6 are the
// counts above.
const sqlBenchSetup = `
insert into public.users (id, email)
select gen_random_uuid(), 'bench-' || g || '@example.test' from generate_series(1, $3::int) g;
insert into public.accounts (owner_id, name) select id, 'Bench' from public.users where email like 'bench-%';
insert into public.business_profiles (account_id, business_name) select id, 'Bench' from public.accounts;

insert into public.analytics_events (occurred_at, request_id, method, route, status, latency_us, user_id, account_id,
  analysis_type, ai_cost_micros, credits_used, client_ip_hash)
select now() - random() * interval '30 days', md5(g::text),
       case when g % 4 = 0 then 'POST' else 'GET' end,
       '/v1/bench/r' || (g % $4::int) || '/:id',
       case when random() < 0.01 then 500 when random() < 0.05 then 404 else 200 end,
       (500 + power(random(), 4) * 400000)::int,
       null,
       ('00000000-0000-4000-8000-' || lpad(to_hex(g % $3::int), 12, '0'))::uuid,
       case when g % 10 = 0 then 'light' end, (g % 7) * 100, g % 3, md5((g % 5000)::text)
from generate_series(1, $1::int) g;

with a as (select array_agg(id order by id) as ids, count(*) as n from public.accounts)
insert into public.ai_usage (account_id, purpose, tier, provider, model, cost_micros, cost_known, saved_micros,
  latency_ms, cache_hit, status, error_code, created_at)
select a.ids[1 + floor(power(random(), 3) * a.n)::int], 'light_analysis', 'small', 'openai', 'gpt-5-mini',
       case when g % 5 = 0 then 0 else (random() * 20000)::bigint end, true,
       case when g % 5 = 0 then (random() * 20000)::bigint else 0 end,
       (random() * 3000)::int, g % 5 = 0,
       case when g % 50 = 0 then 'error' else 'ok' end, case when g % 50 = 0 then 'ai.unavailable' end,
       now() - random() * interval '30 days'
from generate_series(1, $2::int) g, a;

insert into dbos.workflow_status (workflow_uuid, name, status, created_at)
select md5('run' || g), (array['analysis.v1', 'stripe.event.v1', 'business.context.v1'])[1 + g % 3],
       (array['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'ERROR', 'CANCELLED', 'PENDING'])[1 + g % 9],
       ((extract(epoch from now()) - random() * 30 * 86400) * 1000)::bigint
from generate_series(1, $5::int) g;

with p as (select array_agg(account_id order by id) as accts, array_agg(id order by id) as ids, count(*) as n
           from public.business_profiles)
insert into public.analyses (account_id, business_profile_id, username, type, credits, status, outcome, step, error_code,
  score, completed_at)
select p.accts[1 + g % p.n], p.ids[1 + g % p.n], 'bench' || g, (array['light', 'deep', 'xray'])[1 + g % 3], 1,
       case when g % 5 = 0 then 'failed' else 'completed' end,
       case when g % 5 = 0 then (array['provider_failed', 'error', 'expired'])[1 + g % 3] else 'scored' end,
       (array['scrape', 'ai', 'queued', 'save'])[1 + g % 4],
       case when g % 5 = 0 and g % 3 = 1 then 'analysis.ai-failed' end,
       case when g % 5 = 0 then null else 50 end,
       now() - random() * interval '30 days'
from generate_series(1, $6::int) g, p;`

// benchScript is sqlBenchSetup with its counts written in: a script of several statements runs
// over the simple protocol, which takes no parameters.
func benchScript() string {
	return strings.NewReplacer("$1", strconv.Itoa(benchEvents), "$2", strconv.Itoa(benchUsage), "$3", strconv.Itoa(benchAccounts),
		"$4", strconv.Itoa(benchRoutes), "$5", strconv.Itoa(benchRuns), "$6", strconv.Itoa(benchAnalyses)).Replace(sqlBenchSetup)
}

// BenchmarkInsights times each operator answer on a generated million-row data set (about a
// minute of setup on a private database). Run it with
//
//	go test ./adapters/postgres -run '^$' -bench BenchmarkInsights -benchtime 5x
//
// Each sub-benchmark reports ms/op for its answer's window (the endpoints' defaults: 30 days for
// cost and cache, 7 days for latency and workflows) and, for latency, the whole 30 days too.
func BenchmarkInsights(b *testing.B) {
	pool := pgtest.IsolatedPool(b)
	ensureWorkflowStatus(b, pool)
	ctx := context.Background()
	start := time.Now()
	if _, err := pool.Exec(ctx, `select app.ensure_analytics_partitions((now() - interval '31 days')::date, 2)
	  where to_regproc('app.ensure_analytics_partitions') is not null`); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, benchScript()); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `analyze`); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d events, %d model calls, %d runs, %d analyses in %s", benchEvents, benchUsage, benchRuns, benchAnalyses,
		time.Since(start).Round(time.Second))

	s := postgres.NewInsightsStore(postgres.NewDB(pool))
	now := time.Now()
	month := insights.Range{From: now.Add(-30 * 24 * time.Hour), To: now}
	week := insights.Range{From: now.Add(-7 * 24 * time.Hour), To: now}
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"cost-concentration-30d", func() error { _, err := s.AICostByAccount(ctx, month, insights.MaxCostRows); return err }},
		{"latency-7d", func() error { _, err := s.RouteLatency(ctx, week); return err }},
		{"latency-30d", func() error { _, err := s.RouteLatency(ctx, month); return err }},
		{"workflows-7d", func() error { _, err := s.WorkflowRuns(ctx, week); return err }},
		{"ai-cache-30d", func() error { _, err := s.AICache(ctx, month); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}
