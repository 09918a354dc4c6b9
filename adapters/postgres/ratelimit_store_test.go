package postgres_test

import (
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/ratelimit"
)

var rlNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// five is a rolling policy of 5 per hour: T = 12 min, τ = 48 min.
var five = ratelimit.Policy{Name: "test.five", Limit: 5, Period: time.Hour, Window: ratelimit.Rolling}

func allow(t *testing.T, l ratelimit.Limiter, p ratelimit.Policy, key string, now time.Time) ratelimit.Decision {
	t.Helper()
	d, err := l.Allow(t.Context(), p, key, now)
	if err != nil {
		t.Fatalf("Allow(%s, %s, %v): %v", p.Name, key, now, err)
	}
	return d
}

// TestRateLimitRollingAllowsLimitThenRefuses: a fresh key spends exactly Limit units at once,
// each answer counting down Remaining; the next is refused until one interval later, with the
// Retry-After and Reset the GCRA implies; other keys and other policies keep their own budget.
func TestRateLimitRollingAllowsLimitThenRefuses(t *testing.T) {
	t.Parallel()
	l := postgres.NewRateLimitStore(pgtest.DB(t))
	key := "user:" + newUUID()
	for i := range 5 {
		d := allow(t, l, five, key, rlNow)
		if !d.Allowed || d.Remaining != 4-i || d.Limit != 5 || d.Reset != time.Duration(i+1)*12*time.Minute {
			t.Fatalf("request %d: %+v", i+1, d)
		}
	}
	d := allow(t, l, five, key, rlNow)
	if d.Allowed || d.Remaining != 0 || d.RetryAfter != 12*time.Minute || d.Reset != time.Hour ||
		d.RetryAfterValue() != "720" || d.ResetValue() != "3600" {
		t.Fatalf("sixth: %+v", d)
	}
	// A refusal spends nothing: a minute later the wait is a minute shorter.
	if d := allow(t, l, five, key, rlNow.Add(time.Minute)); d.Allowed || d.RetryAfter != 11*time.Minute {
		t.Fatalf("a minute later: %+v", d)
	}
	if d := allow(t, l, five, key, rlNow.Add(12*time.Minute-time.Microsecond)); d.Allowed {
		t.Fatalf("a microsecond early: %+v", d)
	}
	if d := allow(t, l, five, key, rlNow.Add(12*time.Minute)); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("one interval later: %+v", d)
	}
	if d := allow(t, l, five, key, rlNow.Add(12*time.Minute)); d.Allowed {
		t.Fatalf("the earned unit was spent twice: %+v", d)
	}

	if d := allow(t, l, five, "user:"+newUUID(), rlNow); !d.Allowed || d.Remaining != 4 {
		t.Errorf("another key: %+v", d)
	}
	other := five
	other.Name = "test.other"
	if d := allow(t, l, other, key, rlNow); !d.Allowed || d.Remaining != 4 {
		t.Errorf("another policy, same key: %+v", d)
	}
	// Idle for a whole period: the budget is whole again.
	if d := allow(t, l, five, key, rlNow.Add(2*time.Hour)); !d.Allowed || d.Remaining != 4 {
		t.Errorf("after a period: %+v", d)
	}
}

// TestRateLimitRacesNeverExceedTheLimit: requests for one key from many goroutines over two
// separate pools (two processes) at one instant: exactly Limit pass.
func TestRateLimitRacesNeverExceedTheLimit(t *testing.T) {
	t.Parallel()
	poolA := pgtest.Pool(t)
	poolB, err := pgxpool.NewWithConfig(t.Context(), poolA.Config().Copy()) // a second process's own connections
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(poolB.Close)
	limiters := []*postgres.RateLimitStore{
		postgres.NewRateLimitStore(postgres.NewDB(poolA)), postgres.NewRateLimitStore(postgres.NewDB(poolB)),
	}
	for _, p := range []ratelimit.Policy{
		{Name: "test.race", Limit: 7, Period: time.Minute, Window: ratelimit.Rolling},
		{Name: "test.race-daily", Limit: 7, Period: 24 * time.Hour, Window: ratelimit.CalendarUTC},
	} {
		key := "ip:" + newUUID()
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			allowed int
		)
		for i := range 40 {
			wg.Go(func() {
				d, err := limiters[i%2].Allow(t.Context(), p, key, rlNow)
				if err != nil {
					t.Error(err)
					return
				}
				if d.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if allowed != p.Limit {
			t.Errorf("%s: %d of 40 racing requests allowed, want %d", p.Name, allowed, p.Limit)
		}
	}
}

// TestRateLimitDailyQuotaResetsAtUTCMidnight: one unit per UTC day; a refusal's Retry-After and
// Reset are the seconds to midnight UTC; the next day opens a new window.
func TestRateLimitDailyQuotaResetsAtUTCMidnight(t *testing.T) {
	t.Parallel()
	l := postgres.NewRateLimitStore(pgtest.DB(t))
	p := ratelimit.AnonymousDaily
	key := "ip:" + newUUID()
	lateEvening := time.Date(2026, 3, 14, 23, 59, 58, 500_000_000, time.UTC)
	if d := allow(t, l, p, key, lateEvening); !d.Allowed || d.Remaining != 0 || d.ResetValue() != "2" {
		t.Fatalf("first of the day: %+v", d)
	}
	d := allow(t, l, p, key, lateEvening)
	if d.Allowed || d.RetryAfter != 1500*time.Millisecond || d.RetryAfterValue() != "2" {
		t.Fatalf("second of the day: %+v", d)
	}
	// The same instant in another zone is the same UTC day.
	if d := allow(t, l, p, key, lateEvening.In(time.FixedZone("X", 5*3600))); d.Allowed {
		t.Fatalf("another zone, same UTC day: %+v", d)
	}
	midnight := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	d = allow(t, l, p, key, midnight)
	if !d.Allowed || d.Reset != 24*time.Hour {
		t.Fatalf("at midnight UTC: %+v", d)
	}
	if d := allow(t, l, p, key, midnight.Add(23*time.Hour)); d.Allowed || d.RetryAfterValue() != "3600" {
		t.Fatalf("later that day: %+v", d)
	}
}

// TestRateLimitReleaseGivesOneUnitBack: a released quota unit can be spent once more, and only
// once; releases never push a budget past whole; a unit of yesterday is not given back today.
func TestRateLimitReleaseGivesOneUnitBack(t *testing.T) {
	t.Parallel()
	l := postgres.NewRateLimitStore(pgtest.DB(t))
	ctx := t.Context()
	p := ratelimit.Policy{Name: "test.daily-two", Limit: 2, Period: 24 * time.Hour, Window: ratelimit.CalendarUTC, RefundOnFailure: true}
	key := "ip:" + newUUID()
	allow(t, l, p, key, rlNow)
	allow(t, l, p, key, rlNow)
	if d := allow(t, l, p, key, rlNow); d.Allowed {
		t.Fatalf("third: %+v", d)
	}
	if err := l.Release(ctx, p, key, rlNow); err != nil {
		t.Fatal(err)
	}
	if d := allow(t, l, p, key, rlNow); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after a release: %+v", d)
	}
	if d := allow(t, l, p, key, rlNow); d.Allowed {
		t.Fatalf("a release was spent twice: %+v", d)
	}

	// Three releases of a fresh window's one spent unit: still two units, not four.
	fresh := "ip:" + newUUID()
	allow(t, l, p, fresh, rlNow)
	for range 3 {
		if err := l.Release(ctx, p, fresh, rlNow); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []bool{true, true, false} {
		if d := allow(t, l, p, fresh, rlNow); d.Allowed != want {
			t.Fatalf("after three releases, request %d: %+v", i+1, d)
		}
	}

	// A unit spent yesterday, released today: today's window is untouched.
	tomorrow := rlNow.Add(24 * time.Hour)
	allow(t, l, p, fresh, tomorrow)
	allow(t, l, p, fresh, tomorrow)
	if err := l.Release(ctx, p, fresh, tomorrow.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d := allow(t, l, p, fresh, tomorrow); d.Allowed {
		t.Fatalf("a release in a later window refunded this one: %+v", d)
	}

	// Rolling: the TAT moves back one interval, once per release.
	rk := "user:" + newUUID()
	for range 5 {
		allow(t, l, five, rk, rlNow)
	}
	if err := l.Release(ctx, five, rk, rlNow); err != nil {
		t.Fatal(err)
	}
	if d := allow(t, l, five, rk, rlNow); !d.Allowed {
		t.Fatalf("rolling, after a release: %+v", d)
	}
	if d := allow(t, l, five, rk, rlNow); d.Allowed {
		t.Fatalf("rolling, a release spent twice: %+v", d)
	}
}

// TestRateLimitErrorsAreUnavailable: a limiter whose database is gone fails with an error (the
// host decides open or closed), never with a decision.
func TestRateLimitErrorsAreUnavailable(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.NewWithConfig(t.Context(), pgtest.Pool(t).Config().Copy())
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	l := postgres.NewRateLimitStore(postgres.NewDB(pool))
	if _, err := l.Allow(t.Context(), five, "ip:x", rlNow); err == nil {
		t.Error("Allow on a closed pool: no error")
	}
	if err := l.Release(t.Context(), ratelimit.AnonymousDaily, "ip:x", rlNow); err == nil {
		t.Error("Release on a closed pool: no error")
	}
}

// TestPurgeRateLimitsByExpiry: retention deletes rate-limit rows whose instant has passed and
// keeps live ones, batch by batch; the default rule runs against this store.
func TestPurgeRateLimitsByExpiry(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t) // counts whole tables
	db := postgres.NewDB(pool)
	l := postgres.NewRateLimitStore(db)
	now := time.Now()
	allow(t, l, five, "ip:old-rolling", now.Add(-2*time.Hour))                    // TAT an hour and 48 min ago
	allow(t, l, ratelimit.AnonymousDaily, "ip:old-daily", now.Add(-48*time.Hour)) // window ended yesterday
	allow(t, l, five, "ip:live-rolling", now)
	allow(t, l, ratelimit.AnonymousDaily, "ip:live-daily", now)

	r, err := maintenance.NewRetention(postgres.NewMaintenanceStore(db), maintenance.DefaultRetentionRules(0, 0), 1)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(t.Context(), now)
	if err != nil || rep.Deleted[maintenance.TargetRateLimits] != 2 {
		t.Fatalf("retention = %v, %v; want 2 rate-limit rows", rep.Deleted, err)
	}
	left := ids(t, t.Context(), pool, "select key from public.rate_limits order by key")
	if len(left) != 2 || left[0] != "ip:live-daily" || left[1] != "ip:live-rolling" {
		t.Errorf("rows left: %v", left)
	}
	// The live keys still count what they spent.
	if d := allow(t, l, ratelimit.AnonymousDaily, "ip:live-daily", now); d.Allowed {
		t.Errorf("the live quota was reset: %+v", d)
	}
}

// TestLimiterTablesAreSystemOnly: RLS on, and the API roles hold no privilege on them.
func TestLimiterTablesAreSystemOnly(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	for _, table := range []string{"rate_limits", "anonymous_results"} {
		var rls, anon, authed bool
		err := pool.QueryRow(t.Context(), `select c.relrowsecurity,
			has_table_privilege('anon', c.oid, 'select, insert, update, delete'),
			has_table_privilege('authenticated', c.oid, 'select, insert, update, delete')
			from pg_class c where c.oid = ('public.' || $1)::regclass`, table).Scan(&rls, &anon, &authed)
		if err != nil {
			t.Fatal(err)
		}
		if !rls || anon || authed {
			t.Errorf("%s: rls=%v anon=%v authenticated=%v; want RLS on and no grants", table, rls, anon, authed)
		}
	}
}
