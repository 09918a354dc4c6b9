package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// oslira stats on a migrated database with three accounts costing 5, 3 and 2 dollars, one cache
// hit and a slow route: the tables and the JSON carry the same numbers as the API would.
func TestStatsCommand(t *testing.T) {
	t.Parallel()
	dbURL := throwawayDatabase(t)
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": dbURL}
	if code, _, stderr := runCapture(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d\n%s", code, stderr)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	var accounts []string
	for i, cost := range []int64{5_000_000, 3_000_000, 2_000_000} {
		var id string
		err := conn.QueryRow(ctx, `with u as (insert into public.users (id, email) values (gen_random_uuid(), $1) returning id)
		  insert into public.accounts (owner_id, name) select id, 'Stats' from u returning id::text`,
			"stats-"+string(rune('a'+i))+"@example.test").Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, id)
		if _, err := conn.Exec(ctx, `insert into public.ai_usage (account_id, purpose, tier, provider, model, cost_micros, cost_known,
		  saved_micros, latency_ms, cache_hit, status, created_at)
		  values ($1, 'light_analysis', 'small', 'openai', 'gpt', $2, true, $3, 5, $4, 'ok', now() - interval '1 hour')`,
			id, cost, map[bool]int64{true: 750_000}[i == 2], i == 2); err != nil {
			t.Fatal(err)
		}
	}
	for _, us := range []int{10_000, 20_000, 30_000} {
		if _, err := conn.Exec(ctx, `insert into public.analytics_events (occurred_at, request_id, method, route, status, latency_us)
		  values (now() - interval '2 hours', 'r', 'POST', '/v1/analyses', 202, $1)`, us); err != nil {
			t.Fatal(err)
		}
	}

	code, out, stderr := runCapture(t, env, "stats")
	if code != 0 {
		t.Fatalf("stats: %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"AI COST BY ACCOUNT (30d): $10.000000 over 3 accounts; 2 make up 80 %",
		accounts[0] + "  $5.000000  50.0%  50.0%       yes",
		accounts[1] + "  $3.000000  30.0%  80.0%       yes",
		accounts[2] + "  $2.000000  20.0%  100.0%      -",
		"LATENCY BY ROUTE (7d)", "POST    /v1/analyses  3      20.0    30.0    30.0    0.0%  0.0%",
		"WORKFLOWS (7d)", "FAILED ANALYSES (7d)",
		"AI CACHE (30d)", "3      1     33.3%     $10.000000  $0.750000  0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}

	// One window for all, as JSON: the API's bodies.
	code, out, stderr = runCapture(t, env, "stats", "--window", "1h", "--json")
	if code != 0 {
		t.Fatalf("stats --json: %d\n%s", code, stderr)
	}
	var got struct {
		Cost struct {
			Window string `json:"window"`
			Total  int64  `json:"total_cost_micros"`
		} `json:"cost_concentration"`
		Latency struct {
			Data []json.RawMessage `json:"data"`
		} `json:"latency"`
		Cache struct {
			Window string `json:"window"`
			Calls  int64  `json:"calls"`
		} `json:"ai_cache"`
		Workflows map[string]any `json:"workflows"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The calls are an hour old and the events two: a 1h window holds none of the events.
	if got.Cost.Window != "1h" || got.Cache.Window != "1h" || len(got.Latency.Data) != 0 || got.Workflows == nil {
		t.Errorf("--window 1h --json = %+v", got)
	}

	for _, bad := range []string{"0h", "401d", "7w"} {
		if code, _, stderr := runCapture(t, env, "stats", "--window", bad); code != exitUsage || !strings.Contains(stderr, "window") {
			t.Errorf("--window %s: %d %s", bad, code, stderr)
		}
	}
}
