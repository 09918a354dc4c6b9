package postgres_test

import (
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/maintenance"
)

func anonResult(name string, score int) analyze.AnonymousResult {
	return analyze.AnonymousResult{
		Profile: analyze.AnonymousProfile{Username: name, DisplayName: "Display " + name, FollowersCount: 12_345, Verified: true},
		Score:   score, Tier: "warm", Summary: "A summary.", AudienceQuality: "medium", Model: "offline",
		AnalyzedAt: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC), Cached: true,
	}
}

// TestAnonymousCacheRoundTripAndAge: a stored result reads back whole (Cached as stored: false),
// a second Put replaces it, a row older than maxAge is a miss, an unknown handle is a miss.
func TestAnonymousCacheRoundTripAndAge(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	c := postgres.NewAnonymousCache(postgres.NewDB(pool))
	ctx := t.Context()
	name := "anon_" + newUUID()[:8]

	if _, found, err := c.Get(ctx, name, analyze.AnonymousTTL); err != nil || found {
		t.Fatalf("empty cache: found=%v err=%v", found, err)
	}
	if err := c.Put(ctx, name, anonResult(name, 61)); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(ctx, name, anonResult(name, 72)); err != nil {
		t.Fatal(err)
	}
	got, found, err := c.Get(ctx, name, analyze.AnonymousTTL)
	want := anonResult(name, 72)
	want.Cached = false
	if err != nil || !found || got != want {
		t.Fatalf("Get = %+v, %v, %v; want %+v", got, found, err, want)
	}
	if _, err := pool.Exec(ctx, `update public.anonymous_results set created_at = now() - interval '6 hours 1 second' where username = $1`, name); err != nil {
		t.Fatal(err)
	}
	if _, found, err := c.Get(ctx, name, analyze.AnonymousTTL); err != nil || found {
		t.Errorf("a result older than the TTL was served: found=%v err=%v", found, err)
	}
	if _, found, _ := c.Get(ctx, name, 7*time.Hour); !found {
		t.Error("maxAge is not the caller's")
	}
}

// TestPurgeAnonymousResultsAfterTheirTTL: the default retention deletes anonymous results older
// than the TTL they are served for and keeps younger ones; the keep equals analyze.AnonymousTTL.
func TestPurgeAnonymousResultsAfterTheirTTL(t *testing.T) {
	t.Parallel()
	if maintenance.AnonymousResultsKeep != analyze.AnonymousTTL {
		t.Fatalf("AnonymousResultsKeep %v ≠ AnonymousTTL %v", maintenance.AnonymousResultsKeep, analyze.AnonymousTTL)
	}
	pool := pgtest.IsolatedPool(t)
	db := postgres.NewDB(pool)
	c := postgres.NewAnonymousCache(db)
	for _, name := range []string{"old", "young"} {
		if err := c.Put(t.Context(), name, anonResult(name, 50)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(t.Context(), `update public.anonymous_results set created_at = now() - interval '7 hours' where username = 'old'`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(t.Context(), `update public.anonymous_results set created_at = now() - interval '5 hours' where username = 'young'`); err != nil {
		t.Fatal(err)
	}
	r, err := maintenance.NewRetention(postgres.NewMaintenanceStore(db), maintenance.DefaultRetentionRules(0, 0), 0)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(t.Context(), time.Now())
	if err != nil || rep.Deleted[maintenance.TargetAnonymousResults] != 1 {
		t.Fatalf("retention = %v, %v", rep.Deleted, err)
	}
	left := ids(t, t.Context(), pool, "select username from public.anonymous_results")
	if len(left) != 1 || left[0] != "young" {
		t.Errorf("left %v, want the 5-hour-old result", left)
	}
}
