package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analytics"
)

// storedEvent is one row of public.analytics_events with the partition holding it.
type storedEvent struct {
	Partition, Method, Route                          string
	Status                                            int16
	LatencyUS                                         int32
	UserID, AccountID, AnalysisType, IPHash, Occurred *string
	AICost                                            int64
	Credits                                           int32
}

// storedEvents reads the rows of request id id.
func storedEvents(t *testing.T, pool *pgxpool.Pool, id string) []storedEvent {
	t.Helper()
	rows, err := pool.Query(t.Context(), `select tableoid::regclass::text, method, route, status, latency_us,
		user_id::text, account_id::text, analysis_type, client_ip_hash,
		to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'), ai_cost_micros, credits_used
		from public.analytics_events where request_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedEvent, error) {
		var e storedEvent
		err := r.Scan(&e.Partition, &e.Method, &e.Route, &e.Status, &e.LatencyUS, &e.UserID, &e.AccountID,
			&e.AnalysisType, &e.IPHash, &e.Occurred, &e.AICost, &e.Credits)
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}

// TestAnalyticsWriterCopiesIntoMonthlyPartitions: every field lands in its column, each row in
// the partition of its UTC month (an evening in New York that is already next month in UTC goes
// to next month), a month without a partition in the default one; "" and non-UUIDs become NULL.
func TestAnalyticsWriterCopiesIntoMonthlyPartitions(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	parts := postgres.NewAnalyticsPartitionStore(db)
	if _, err := parts.EnsureAnalyticsPartitions(t.Context(), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 2); err != nil {
		t.Fatal(err)
	}
	run := newUUID()[:8]
	user, account := newUUID(), newUUID()
	ny := time.FixedZone("EST", -5*3600)
	events := []analytics.Event{
		{OccurredAt: time.Date(2030, 1, 15, 12, 0, 0, 0, time.UTC), RequestID: run + "-jan", Method: "POST",
			Route: "/v1/analyses", Status: 202, Latency: 1234567 * time.Nanosecond, UserID: user, AccountID: account,
			AnalysisType: "deep", AICostMicros: 4200, CreditsUsed: 2, ClientIPHash: "0123456789abcdef"},
		{OccurredAt: time.Date(2030, 1, 31, 23, 30, 0, 0, ny), RequestID: run + "-feb", Method: "GET",
			Route: "unmatched", Status: 404, Latency: time.Millisecond, UserID: "not-a-uuid"},
		{OccurredAt: time.Date(2041, 6, 1, 0, 0, 0, 0, time.UTC), RequestID: run + "-default", Method: "GET",
			Route: "/health/live", Status: 200},
	}
	w := postgres.NewAnalyticsWriter(db)
	if err := w.Write(t.Context(), events); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(t.Context(), nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}

	jan := storedEvents(t, pool, run+"-jan")
	if len(jan) != 1 {
		t.Fatalf("january rows: %+v", jan)
	}
	e := jan[0]
	if e.Partition != "analytics_events_y2030m01" || e.Method != "POST" || e.Route != "/v1/analyses" ||
		e.Status != 202 || e.LatencyUS != 1234 || deref(e.UserID) != user || deref(e.AccountID) != account ||
		deref(e.AnalysisType) != "deep" || e.AICost != 4200 || e.Credits != 2 || deref(e.IPHash) != "0123456789abcdef" ||
		deref(e.Occurred) != "2030-01-15T12:00:00" {
		t.Errorf("january row %+v (user %s, account %s)", e, deref(e.UserID), deref(e.AccountID))
	}
	feb := storedEvents(t, pool, run+"-feb")
	if len(feb) != 1 || feb[0].Partition != "analytics_events_y2030m02" || deref(feb[0].Occurred) != "2030-02-01T04:30:00" {
		t.Errorf("the New York evening of January 31st: %+v", feb)
	}
	if f := feb[0]; f.UserID != nil || f.AccountID != nil || f.AnalysisType != nil || f.IPHash != nil || f.AICost != 0 || f.Credits != 0 {
		t.Errorf("empty and invalid fields must be NULL or 0: %+v", f)
	}
	if d := storedEvents(t, pool, run+"-default"); len(d) != 1 || d[0].Partition != "analytics_events_default" {
		t.Errorf("a month without a partition: %+v", d)
	}
}

// TestAnalyticsWriterReportsAFailedCopy: a COPY that fails stores nothing and its error comes
// back (the Buffer then retries the whole batch).
func TestAnalyticsWriterReportsAFailedCopy(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	run := newUUID()[:8]
	events := []analytics.Event{
		{OccurredAt: time.Now(), RequestID: run, Method: "GET", Route: "/v1/me", Status: 200},
		{OccurredAt: time.Now(), RequestID: run, Method: "GET", Route: "/v1/me", Status: 304},
	}
	// A cancelled context fails the COPY before it completes.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := postgres.NewAnalyticsWriter(postgres.NewDB(pool)).Write(ctx, events); err == nil {
		t.Fatal("a cancelled write succeeded")
	}
	if got := storedEvents(t, pool, run); len(got) != 0 {
		t.Fatalf("a failed batch stored %d rows", len(got))
	}
}

// TestAnalyticsEventsAreSystemOnly: the API roles can read no analytics, parent or partition.
func TestAnalyticsEventsAreSystemOnly(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	month := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := postgres.NewAnalyticsPartitionStore(postgres.NewDB(pool)).EnsureAnalyticsPartitions(t.Context(), month, 1); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"public.analytics_events", "public.analytics_events_default", "public.analytics_events_y2030m01"} {
		for _, role := range []string{"authenticated", "anon"} {
			err := pgx.BeginFunc(t.Context(), pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(t.Context(), "set local role "+role); err != nil {
					return err
				}
				_, err := tx.Exec(t.Context(), "select count(*) from "+table)
				return err
			})
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Errorf("%s reading %s: %v, want permission denied", role, table, err)
			}
		}
	}
}
