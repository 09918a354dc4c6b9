package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/insights"
)

// testAnalyticsRoutes drives the four operator analytics routes for the contract test (shapes
// against the contract, the 400 of a bad window and the 403 of a user).
func testAnalyticsRoutes(t *testing.T, f *apiFixture, op, ann user) {
	for _, path := range []string{"cost-concentration", "latency", "workflows", "ai-cache"} {
		target := "/v1/admin/analytics/" + path
		decode[map[string]any](t, f.do(t, req{method: http.MethodGet, target: target, token: op.token}), http.StatusOK)
		decode[map[string]any](t, f.do(t, req{method: http.MethodGet, target: target + "?window=24h", token: op.token}), http.StatusOK)
		p := wantProblem(t, f.do(t, req{method: http.MethodGet, target: target + "?window=401d", token: op.token}),
			http.StatusBadRequest, insights.CodeWindowInvalid)
		if len(p.Errors) != 1 || p.Errors[0].Field != "window" {
			t.Errorf("%s: field errors %+v", path, p.Errors)
		}
		wantProblem(t, f.do(t, req{method: http.MethodGet, target: target, token: ann.token}), http.StatusForbidden, identity.CodeOperatorOnly)
	}
}

// On a database of its own, the answers carry the right numbers: three accounts costing 50, 30
// and 20 % make the 80 % cut exactly after the second; windows include and exclude.
func TestAdminAnalyticsNumbers(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	f := newAPIFixtureWith(t, fixtureConfig{pool: pool})
	op := newUser(t, true)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(t.Context(), sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	acct := func() string { return pgtest.InsertAccount(t, pool, pgtest.InsertUser(t, pool)) }
	a, b, c := acct(), acct(), acct()
	now := time.Now()
	for _, u := range []struct {
		account string
		cost    int64
		hit     bool
		at      time.Time
	}{{a, 5_000_000, false, now.Add(-2 * time.Hour)}, {b, 3_000_000, false, now.Add(-3 * time.Hour)}, {c, 1_000_000, false, now.Add(-4 * time.Hour)},
		{c, 1_000_000, false, now.Add(-50 * time.Hour)}, {a, 0, true, now.Add(-2 * time.Hour)}, {c, 90_000_000, false, now.Add(-31 * 24 * time.Hour)}} {
		saved := map[bool]int64{true: 2_000_000}[u.hit]
		exec(`insert into public.ai_usage (account_id, purpose, tier, provider, model, cost_micros, cost_known, saved_micros,
		  latency_ms, cache_hit, status, created_at) values ($1, 'light_analysis', 'small', 'openai', 'gpt', $2, true, $3, 5, $4, 'ok', $5)`,
			u.account, u.cost, saved, u.hit, u.at)
	}
	cost := decode[costConcentrationJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/admin/analytics/cost-concentration", token: op.token}), http.StatusOK)
	if cost.Window != "30d" || cost.TotalCostMicros != 10_000_000 || cost.Accounts != 3 || cost.Top80Accounts != 2 || len(cost.Data) != 3 {
		t.Fatalf("cost = %+v", cost)
	}
	want := []accountShareJSON{{AccountID: a, CostMicros: 5_000_000, Share: 0.5, CumulativeShare: 0.5, InTop80: true},
		{AccountID: b, CostMicros: 3_000_000, Share: 0.3, CumulativeShare: 0.8, InTop80: true},
		{AccountID: c, CostMicros: 2_000_000, Share: 0.2, CumulativeShare: 1, InTop80: false}}
	for i, w := range want {
		if cost.Data[i] != w {
			t.Errorf("row %d = %+v, want %+v", i, cost.Data[i], w)
		}
	}
	// 24 hours leave out c's older call: 5/3/1 of 9 → a alone is 55 %, a and b 88 %.
	day := decode[costConcentrationJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/admin/analytics/cost-concentration?window=24h", token: op.token}), http.StatusOK)
	if day.Window != "24h" || day.TotalCostMicros != 9_000_000 || day.Top80Accounts != 2 || day.Data[2].CostMicros != 1_000_000 ||
		!day.To.After(day.From.Add(23*time.Hour)) || day.To.After(day.From.Add(25*time.Hour)) {
		t.Errorf("24h cost = %+v", day)
	}
	if long := decode[costConcentrationJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/admin/analytics/cost-concentration?window=400d", token: op.token}), http.StatusOK); long.TotalCostMicros != 100_000_000 || long.Top80Accounts != 1 {
		t.Errorf("400d cost = %+v", long)
	}
	cache := decode[aiCacheJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/admin/analytics/ai-cache", token: op.token}), http.StatusOK)
	if cache.Calls != 5 || cache.CacheHits != 1 || cache.HitRate != 0.2 || cache.SavedMicros != 2_000_000 || cache.SpentMicros != 10_000_000 {
		t.Errorf("cache = %+v", cache)
	}

	for i := 1; i <= 10; i++ {
		status := map[bool]int{true: 500, false: 200}[i == 10]
		exec(`insert into public.analytics_events (occurred_at, request_id, method, route, status, latency_us)
		  values ($1, 'r', 'GET', '/v1/analyses/:id', $2, $3)`, now.Add(-time.Hour), status, i*10_000)
	}
	lat := decode[latencyJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/admin/analytics/latency", token: op.token}), http.StatusOK)
	var route *routeLatencyJSON
	for i := range lat.Data {
		if lat.Data[i].Route == "/v1/analyses/:id" {
			route = &lat.Data[i]
		}
	}
	// 10..100 ms, nearest rank: p50 the 5th (50 ms), p95 and p99 the 10th (100 ms); one 500 of ten.
	if lat.Window != "7d" || route == nil || route.Count != 10 || route.P50 != 50 || route.P95 != 100 || route.P99 != 100 || route.ErrorRate != 0.1 {
		t.Errorf("latency = %+v (route %+v)", lat, route)
	}
	wf := decode[workflowsJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/admin/analytics/workflows", token: op.token}), http.StatusOK)
	if wf.Window != "7d" || wf.Definitions == nil || wf.AnalysisFailures == nil {
		t.Errorf("workflows = %+v", wf)
	}
}
