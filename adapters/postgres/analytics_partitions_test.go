package postgres_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analytics"
)

// analyticsPartitions lists the partitions of public.analytics_events with row-level security
// off (which none may have) marked by a "!" suffix.
func analyticsPartitions(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), `select c.relname || case when c.relrowsecurity then '' else '!' end
		from pg_inherits i join pg_class c on c.oid = i.inhrelid
		where i.inhparent = 'public.analytics_events'::regclass order by 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func utcMonth(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

// TestAnalyticsPartitionUpkeep: ensure creates only the missing months (moving their rows out of
// the default partition, with RLS on each), and drop detaches and drops exactly the months that
// end by the cutoff and deletes the default partition's rows older than it.
func TestAnalyticsPartitionUpkeep(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t) // drops partitions: a database of its own
	db := postgres.NewDB(pool)
	store := postgres.NewAnalyticsPartitionStore(db)
	w := postgres.NewAnalyticsWriter(db)
	migrated := analyticsPartitions(t, pool)
	if len(migrated) != 4 || !slices.Contains(migrated, "analytics_events_default") {
		t.Fatalf("after the migration: %v, want the default and three months", migrated)
	}

	// Rows of months without partitions wait in the default partition.
	at := func(y int, m time.Month, d int) analytics.Event {
		return analytics.Event{OccurredAt: time.Date(y, m, d, 12, 0, 0, 0, time.UTC), RequestID: "upkeep", Route: "/x"}
	}
	if err := w.Write(t.Context(), []analytics.Event{at(2023, 12, 31), at(2024, 2, 10), at(2024, 4, 1)}); err != nil {
		t.Fatal(err)
	}
	created, err := store.EnsureAnalyticsPartitions(t.Context(), time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC), 3)
	want := []string{"analytics_events_y2024m01", "analytics_events_y2024m02", "analytics_events_y2024m03"}
	if err != nil || !slices.Equal(created, want) {
		t.Fatalf("ensure: %v, %v; want %v", created, err, want)
	}
	if again, err := store.EnsureAnalyticsPartitions(t.Context(), utcMonth(2024, 1), 3); err != nil || len(again) != 0 {
		t.Fatalf("second ensure: %v, %v; want nothing created", again, err)
	}
	where := func(day string) string {
		var part string
		err := pool.QueryRow(t.Context(), `select tableoid::regclass::text from public.analytics_events
			where occurred_at::date = $1::date`, day).Scan(&part)
		if err != nil {
			t.Fatalf("row of %s: %v", day, err)
		}
		return part
	}
	if p := where("2024-02-10"); p != "analytics_events_y2024m02" {
		t.Errorf("the February row stayed in %s after its month was created", p)
	}
	if p := where("2024-04-01"); p != "analytics_events_default" {
		t.Errorf("the April row moved to %s", p)
	}
	for _, name := range analyticsPartitions(t, pool) {
		if name[len(name)-1] == '!' {
			t.Errorf("partition %s has row-level security off", name)
		}
	}

	dropped, err := store.DropAnalyticsPartitions(t.Context(), utcMonth(2024, 3))
	if err != nil || !slices.Equal(dropped, want[:2]) {
		t.Fatalf("drop before March 2024: %v, %v; want %v", dropped, err, want[:2])
	}
	left := analyticsPartitions(t, pool)
	if slices.Contains(left, want[0]) || slices.Contains(left, want[1]) || !slices.Contains(left, want[2]) || len(left) != 5 {
		t.Errorf("partitions left: %v", left)
	}
	var gone *string
	if err := pool.QueryRow(t.Context(), `select to_regclass('public.analytics_events_y2024m01')::text`).Scan(&gone); err != nil || gone != nil {
		t.Errorf("the dropped partition's table still exists: %v, %v", gone, err)
	}
	var days []string
	rows, err := pool.Query(t.Context(), `select occurred_at::date::text from public.analytics_events where request_id = 'upkeep' order by 1`)
	if err != nil {
		t.Fatal(err)
	}
	if days, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || !slices.Equal(days, []string{"2024-04-01"}) {
		t.Errorf("rows left: %v, %v; want only 2024-04-01", days, err)
	}
	if again, err := store.DropAnalyticsPartitions(t.Context(), utcMonth(2024, 3)); err != nil || len(again) != 0 {
		t.Errorf("second drop: %v, %v", again, err)
	}

	if _, err := store.EnsureAnalyticsPartitions(t.Context(), utcMonth(2024, 1), 0); err == nil {
		t.Error("zero months accepted")
	}
}
