package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/insights"
)

// insightsRange is a day in 2001: rows inside it are this test's only, rows at its edges test
// that the range is half-open.
var insightsRange = insights.Range{
	From: time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC),
	To:   time.Date(2001, 2, 4, 0, 0, 0, 0, time.UTC),
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func usage(t *testing.T, pool *pgxpool.Pool, account string, cost, saved int64, hit bool, status string, at time.Time) {
	t.Helper()
	var code any
	if status == "error" {
		code = "ai.unavailable"
	}
	exec(t, pool, `insert into public.ai_usage (account_id, purpose, tier, provider, model, cost_micros, cost_known,
	  saved_micros, latency_ms, cache_hit, status, error_code, created_at)
	  values (nullif($1, '')::uuid, 'light_analysis', 'small', 'openai', 'gpt', $2, $3, $4, 10, $5, $6, $7, $8)`,
		account, cost, cost > 0 || hit, saved, hit, status, code, at)
}

// Three accounts costing 50, 30 and 20 % make the 80 % cut exactly after the second; what lies
// outside the range, has no account or costs nothing is not ranked.
func TestInsightsCostByAccount(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	s := postgres.NewInsightsStore(postgres.NewDB(pool))
	from := insightsRange.From
	acct := func() string { return pgtest.InsertAccount(t, pool, pgtest.InsertUser(t, pool)) }
	a, b, c, free := acct(), acct(), acct(), acct()
	usage(t, pool, a, 3_000_000, 0, false, "ok", from)                  // the first instant is inside
	usage(t, pool, a, 2_000_000, 0, false, "ok", from.Add(time.Hour))   // a: 5 USD in two calls
	usage(t, pool, b, 3_000_000, 0, false, "ok", from.Add(2*time.Hour)) // b: 3 USD
	usage(t, pool, c, 2_000_000, 0, false, "ok", from.Add(3*time.Hour)) // c: 2 USD
	usage(t, pool, c, 0, 0, false, "error", from.Add(4*time.Hour))
	usage(t, pool, free, 0, 500, true, "ok", from.Add(time.Hour))
	usage(t, pool, "", 9_000_000, 0, false, "ok", from.Add(time.Hour))        // system work: nobody's
	usage(t, pool, c, 9_000_000, 0, false, "ok", from.Add(-time.Microsecond)) // before the range
	usage(t, pool, c, 9_000_000, 0, false, "ok", insightsRange.To)            // the end is outside
	got, err := s.AICostByAccount(t.Context(), insightsRange, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalCost != 10_000_000 || got.Count != 3 || got.Accounts80 != 2 || len(got.Accounts) != 3 {
		t.Fatalf("rows %+v", got)
	}
	want := []insights.AccountCost{{AccountID: a, CostMicros: 5_000_000, CumMicros: 5_000_000},
		{AccountID: b, CostMicros: 3_000_000, CumMicros: 8_000_000}, {AccountID: c, CostMicros: 2_000_000, CumMicros: 10_000_000}}
	for i, w := range want {
		if got.Accounts[i] != w {
			t.Errorf("row %d = %+v, want %+v", i, got.Accounts[i], w)
		}
	}
	// The limit cuts the rows, never the totals.
	top, err := s.AICostByAccount(t.Context(), insightsRange, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Accounts) != 1 || top.Accounts[0] != want[0] || top.TotalCost != 10_000_000 || top.Count != 3 || top.Accounts80 != 2 {
		t.Errorf("limited rows %+v", top)
	}
	// Equal costs rank by account id, so cumulative shares are stable.
	tie := insights.Range{From: from.Add(-48 * time.Hour), To: from.Add(-24 * time.Hour)}
	x, y := acct(), acct()
	usage(t, pool, x, 1_000, 0, false, "ok", tie.From)
	usage(t, pool, y, 1_000, 0, false, "ok", tie.From)
	ties, err := s.AICostByAccount(t.Context(), tie, 10)
	if err != nil {
		t.Fatal(err)
	}
	first, second := min(x, y), max(x, y)
	if len(ties.Accounts) != 2 || ties.Accounts[0].AccountID != first || ties.Accounts[1].AccountID != second ||
		ties.Accounts[0].CumMicros != 1_000 || ties.Accounts80 != 2 {
		t.Errorf("ties %+v", ties)
	}
}

func TestInsightsAICache(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	s := postgres.NewInsightsStore(postgres.NewDB(pool))
	from := insightsRange.From.Add(-7 * 24 * time.Hour) // a range of its own
	r := insights.Range{From: from, To: from.Add(time.Hour)}
	a := pgtest.InsertAccount(t, pool, pgtest.InsertUser(t, pool))
	usage(t, pool, a, 1_000, 0, false, "ok", from)
	usage(t, pool, a, 2_000, 0, false, "ok", from)
	usage(t, pool, a, 0, 0, false, "ok", from)        // unpriced model
	usage(t, pool, "", 0, 1_500, true, "ok", from)    // a hit saves what the answer cost
	usage(t, pool, a, 0, 0, false, "error", from)     // failed attempts are not calls here
	usage(t, pool, a, 5_000, 5_000, true, "ok", r.To) // outside
	got, err := s.AICache(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if want := (insights.AICacheRow{Calls: 4, Hits: 1, SpentMicros: 3_000, SavedMicros: 1_500, UnknownCost: 1}); got != want {
		t.Errorf("cache = %+v, want %+v", got, want)
	}
	if empty, err := s.AICache(t.Context(), insights.Range{From: from.Add(-time.Hour), To: from}); err != nil || empty != (insights.AICacheRow{}) {
		t.Errorf("empty range = %+v, %v", empty, err)
	}
}

// Workflows read DBOS's workflow_status, created outside this package's migrations: a private database.
func TestInsightsLatencyAndWorkflows(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	ensureWorkflowStatus(t, pool)
	s := postgres.NewInsightsStore(postgres.NewDB(pool))
	from := insightsRange.From
	event := func(method, route string, status, latencyUS int, at time.Time) {
		exec(t, pool, `insert into public.analytics_events (occurred_at, request_id, method, route, status, latency_us)
		  values ($1, $2, $3, $4, $5, $6)`, at, uuid.NewString(), method, route, status, latencyUS)
	}
	// GET /v1/me: latencies 1..100 ms; 5 answers 404 and 2 answer 500.
	for i := 1; i <= 100; i++ {
		status := 200
		switch {
		case i <= 5:
			status = 404
		case i <= 7:
			status = 500
		}
		event("GET", "/v1/me", status, i*1000, from.Add(time.Duration(i)*time.Second))
	}
	event("POST", "/v1/analyses", 202, 4000, from)
	event("POST", "/v1/analyses", 202, 8000, from)
	event("GET", "/v1/analyses/:id", 200, 2000, from)
	event("GET", "/v1/me", 500, 999_000, insightsRange.To)       // outside
	event("GET", "/v1/me", 500, 999_000, from.Add(-time.Second)) // outside
	rows, err := s.RouteLatency(t.Context(), insightsRange)
	if err != nil {
		t.Fatal(err)
	}
	// Nearest-rank percentiles read from a log histogram: the largest latency of the rank's bucket,
	// at most one bucket (2.5 %) above the exact one when neighbours share it.
	want := []insights.RouteLatencyRow{
		{Method: "GET", Route: "/v1/me", Count: 100, P50: 50_000, P95: 95_000, P99: 99_000, ClientErrors: 5, ServErrors: 2},
		{Method: "POST", Route: "/v1/analyses", Count: 2, P50: 4_000, P95: 8_000, P99: 8_000},
		{Method: "GET", Route: "/v1/analyses/:id", Count: 1, P50: 2_000, P95: 2_000, P99: 2_000},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i, w := range want {
		g := rows[i]
		near := func(a, b float64) bool { return a >= b && a-b <= 0.026*b }
		if g.Method != w.Method || g.Route != w.Route || g.Count != w.Count || !near(g.P50, w.P50) || !near(g.P95, w.P95) ||
			!near(g.P99, w.P99) || g.ClientErrors != w.ClientErrors || g.ServErrors != w.ServErrors {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}

	// Workflow runs by definition, created_at in epoch milliseconds.
	run := func(name, status string, at time.Time) {
		exec(t, pool, `insert into dbos.workflow_status (workflow_uuid, name, status, created_at) values ($1, $2, $3, $4)`,
			uuid.NewString(), name, status, at.UnixMilli())
	}
	for _, st := range []string{"SUCCESS", "SUCCESS", "SUCCESS", "ERROR", "MAX_RECOVERY_ATTEMPTS_EXCEEDED", "CANCELLED", "PENDING", "ENQUEUED"} {
		run("analysis.v1", st, from.Add(time.Minute))
	}
	run("stripe.event.v1", "SUCCESS", from)
	run("stripe.event.v1", "ERROR", insightsRange.To)            // outside
	run("stripe.event.v1", "ERROR", from.Add(-time.Millisecond)) // outside
	// Failed analyses by type, step, outcome and code (by when they finished).
	acct := pgtest.InsertAccount(t, pool, pgtest.InsertUser(t, pool))
	profile := insertProfile(t, pool, acct)
	analysis := func(typ, status, outcome, step string, code any, done time.Time) {
		exec(t, pool, `insert into public.analyses (account_id, business_profile_id, username, type, credits, status, outcome,
		  step, error_code, completed_at, score) values ($1, $2, 'someone', $3, 1, $4, $5, $6, $7, $8, $9)`,
			acct, profile, typ, status, outcome, step, code, done, map[bool]any{true: 50, false: nil}[outcome == "scored"])
	}
	analysis("deep", "failed", "provider_failed", "scrape", nil, from.Add(time.Hour))
	analysis("deep", "failed", "provider_failed", "scrape", nil, from.Add(2*time.Hour))
	analysis("deep", "failed", "error", "ai", "ai.schema-violation", from.Add(time.Hour))
	analysis("light", "failed", "provider_failed", "scrape", nil, from.Add(time.Hour))
	analysis("light", "completed", "scored", "save", nil, from.Add(time.Hour))         // not a failure
	analysis("light", "completed", "not_found", "scrape", nil, from.Add(time.Hour))    // an answer, not a failure
	analysis("deep", "failed", "error", "ai", "ai.schema-violation", insightsRange.To) // outside
	wf, err := s.WorkflowRuns(t.Context(), insightsRange)
	if err != nil {
		t.Fatal(err)
	}
	wantDefs := []insights.DefinitionRuns{
		{Name: "analysis.v1", Started: 8, Succeeded: 3, Failed: 2, Cancelled: 1, Pending: 2},
		{Name: "stripe.event.v1", Started: 1, Succeeded: 1},
	}
	wantFailures := []insights.AnalysisFailure{
		{Type: "deep", Step: "scrape", Outcome: "provider_failed", Count: 2},
		{Type: "deep", Step: "ai", Outcome: "error", ErrorCode: "ai.schema-violation", Count: 1},
		{Type: "light", Step: "scrape", Outcome: "provider_failed", Count: 1},
	}
	if len(wf.Definitions) != len(wantDefs) || len(wf.Failures) != len(wantFailures) {
		t.Fatalf("workflows %+v", wf)
	}
	for i := range wantDefs {
		if wf.Definitions[i] != wantDefs[i] {
			t.Errorf("definition %d = %+v, want %+v", i, wf.Definitions[i], wantDefs[i])
		}
	}
	for i := range wantFailures {
		if wf.Failures[i] != wantFailures[i] {
			t.Errorf("failure %d = %+v, want %+v", i, wf.Failures[i], wantFailures[i])
		}
	}
}

// Without DBOS's schema (this package's shared database has none) the answer still lists the
// failed analyses and no definitions, rather than failing.
func TestInsightsWorkflowsWithoutDBOS(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	s := postgres.NewInsightsStore(postgres.NewDB(pool))
	r := insights.Range{From: insightsRange.From.Add(-30 * 24 * time.Hour), To: insightsRange.From.Add(-29 * 24 * time.Hour)}
	acct := pgtest.InsertAccount(t, pool, pgtest.InsertUser(t, pool))
	profile := insertProfile(t, pool, acct)
	exec(t, pool, `insert into public.analyses (account_id, business_profile_id, username, type, credits, status, outcome,
	  step, completed_at) values ($1, $2, 'someone', 'xray', 1, 'failed', 'expired', 'queued', $3)`, acct, profile, r.From)
	wf, err := s.WorkflowRuns(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(wf.Definitions) != 0 || len(wf.Failures) != 1 ||
		wf.Failures[0] != (insights.AnalysisFailure{Type: "xray", Step: "queued", Outcome: "expired", Count: 1}) {
		t.Errorf("workflows %+v", wf)
	}
}
