package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/live"
	"github.com/oslira/oslira/core/tenant"
)

// liveFixture is an account with a single analysis and one in a batch, on a database of the
// test's own (the source reads every account's events).
type liveFixture struct {
	analysisFixture
	src             *postgres.LiveSource
	single, batched string
	batch           string
}

func newLiveFixture(t *testing.T) liveFixture {
	t.Helper()
	return newLiveFixtureOn(t, pgtest.IsolatedPool(t))
}

func newLiveFixtureOn(t *testing.T, pool *pgxpool.Pool) liveFixture {
	t.Helper()
	f := newAnalysisFixtureOn(t, pool, 10)
	lf := liveFixture{analysisFixture: f, src: postgres.NewLiveSource(postgres.NewDB(pool))}
	lf.single = f.running(t, "single").ID
	lf.batched = f.running(t, "batched").ID
	err := pool.QueryRow(t.Context(), `insert into public.analysis_batches (account_id, business_profile_id, type, total)
		values ($1, $2, 'light', 1) returning id::text`, f.m.account, f.profile).Scan(&lf.batch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(t.Context(), `update public.analyses set batch_id = $1 where id = $2`, lf.batch, lf.batched); err != nil {
		t.Fatal(err)
	}
	return lf
}

// publish stores a progress event through the real writer and returns its ID.
func (f analysisFixture) publish(t *testing.T, analysisID string, percent int) int64 {
	t.Helper()
	err := f.store.Publish(t.Context(), analyze.Event{AccountID: f.m.account, AnalysisID: analysisID,
		Type: analyze.EventProgress, Step: "scrape", StepIndex: 1, StepTotal: 5, Percent: percent, Message: "Reading"})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := f.pool.QueryRow(t.Context(), `select max(id) from public.analysis_events where analysis_id = $1`,
		analysisID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func eventIDs(events []live.Event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func after(t *testing.T, src *postgres.LiveSource, from int64, limit int) []int64 {
	t.Helper()
	events, err := src.After(t.Context(), from, limit)
	if err != nil {
		t.Fatal(err)
	}
	return eventIDs(events)
}

func TestLiveSourceReadsInOrderWithLimitAndBatch(t *testing.T) {
	t.Parallel()
	f := newLiveFixture(t)
	if latest, err := f.src.Latest(t.Context()); err != nil || latest != 0 {
		t.Fatalf("Latest of an empty table = %d, %v; want 0", latest, err)
	}
	var want []int64
	for i := range 5 {
		an := f.single
		if i%2 == 1 {
			an = f.batched
		}
		want = append(want, f.publish(t, an, 10*i))
	}
	if latest, err := f.src.Latest(t.Context()); err != nil || latest != want[4] {
		t.Fatalf("Latest = %d, %v; want %d", latest, err, want[4])
	}
	if got := after(t, f.src, 0, 100); !slices.Equal(got, want) {
		t.Fatalf("After(0) = %v, want %v", got, want)
	}
	if got := after(t, f.src, want[1], 2); !slices.Equal(got, want[2:4]) {
		t.Fatalf("After(%d, limit 2) = %v, want %v", want[1], got, want[2:4])
	}
	if got := after(t, f.src, want[4], 100); len(got) != 0 {
		t.Fatalf("After the latest = %v, want nothing", got)
	}
	if got := after(t, f.src, 0, 0); len(got) != 0 {
		t.Fatalf("limit 0 = %v", got)
	}

	events, err := f.src.After(t.Context(), want[0], 1)
	if err != nil || len(events) != 1 {
		t.Fatalf("After = %v, %v", events, err)
	}
	e := events[0]
	if e.ID != want[1] || e.AccountID != f.m.account || e.AnalysisID != f.batched || e.BatchID != f.batch ||
		e.Type != analyze.EventProgress || e.Step != "scrape" || e.StepIndex != 1 || e.StepTotal != 5 ||
		e.Percent != 10 || e.Message != "Reading" || time.Since(e.CreatedAt) > time.Hour || time.Since(e.CreatedAt) < 0 {
		t.Fatalf("event %+v does not carry the stored values", e)
	}
	if events, _ := f.src.After(t.Context(), 0, 1); events[0].BatchID != "" {
		t.Fatalf("a single analysis's event has batch %q", events[0].BatchID)
	}
}

// insertEvent writes an event row with SQL on q, created the given time ago.
func insertEvent(t *testing.T, ctx context.Context, q postgres.Querier, f liveFixture, ago time.Duration) int64 {
	t.Helper()
	var id int64
	err := q.QueryRow(ctx, `insert into public.analysis_events (account_id, analysis_id, type, step, step_index, step_total, percent, created_at)
		values ($1, $2, 'progress', 'scrape', 1, 5, 20, clock_timestamp() - make_interval(secs => $3::float8)) returning id`,
		f.m.account, f.single, ago.Seconds()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestLiveSourceWaitsForAnEventStillInFlight: IDs are handed out at insert, not at commit. An
// event committed after a later one must not be skipped; a hole that stays open past the grace
// (a rolled-back insert) is read past.
func TestLiveSourceWaitsForAnEventStillInFlight(t *testing.T) {
	t.Parallel()
	f := newLiveFixture(t)
	first := f.publish(t, f.single, 1)

	tx, err := f.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	inFlight := insertEvent(t, t.Context(), tx, f, 0)
	later := f.publish(t, f.single, 2)
	if got := after(t, f.src, first, 100); len(got) != 0 {
		t.Fatalf("After(%d) = %v while %d is in flight, want nothing yet", first, got, inFlight)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := after(t, f.src, first, 100); !slices.Equal(got, []int64{inFlight, later}) {
		t.Fatalf("After(%d) = %v, want [%d %d]", first, got, inFlight, later)
	}

	// A hole: an insert rolled back. Behind a recent event the source waits; behind one older
	// than the grace it reads on.
	tx, err = f.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	hole := insertEvent(t, t.Context(), tx, f, 0)
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	recent := insertEvent(t, t.Context(), f.pool, f, 0)
	if got := after(t, f.src, later, 100); len(got) != 0 {
		t.Fatalf("After(%d) = %v behind the recent hole %d, want nothing yet", later, got, hole)
	}
	postgres.SetLiveGapGrace(f.src, 0)
	if got := after(t, f.src, later, 100); !slices.Equal(got, []int64{recent}) {
		t.Fatalf("After(%d) with no grace = %v, want [%d]", later, got, recent)
	}
	postgres.SetLiveGapGrace(f.src, time.Hour)
	if _, err := f.pool.Exec(t.Context(), `update public.analysis_events set created_at = created_at - interval '2 hours'
		where id = $1`, recent); err != nil {
		t.Fatal(err)
	}
	if got := after(t, f.src, later, 100); !slices.Equal(got, []int64{recent}) {
		t.Fatalf("After(%d) behind a hole older than the grace = %v, want [%d]", later, got, recent)
	}
	// Rows before a hole are returned; the ones after it wait.
	next := f.publish(t, f.single, 3)
	tx, err = f.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	insertEvent(t, t.Context(), tx, f, 0)
	f.publish(t, f.single, 4)
	if got := after(t, f.src, later, 100); !slices.Equal(got, []int64{recent, next}) {
		t.Fatalf("After(%d) = %v, want [%d %d] and nothing past the event in flight", later, got, recent, next)
	}
}

func replay(t *testing.T, f liveFixture, p tenant.Principal, filter live.Filter, from, upTo int64, limit int) []int64 {
	t.Helper()
	events, err := f.src.Replay(t.Context(), p, filter, from, upTo, limit)
	if err != nil {
		t.Fatal(err)
	}
	return eventIDs(events)
}

func TestLiveReplayFiltersAndIsolates(t *testing.T) {
	t.Parallel()
	f := newLiveFixtureOn(t, pgtest.Pool(t))
	var all, single, batched []int64
	for i := range 6 {
		an := f.single
		if i%3 == 2 {
			an = f.batched
		}
		id := f.publish(t, an, i)
		all = append(all, id)
		if an == f.single {
			single = append(single, id)
		} else {
			batched = append(batched, id)
		}
	}
	owner := f.m.principal()
	account := live.Filter{AccountID: f.m.account}
	top := all[5]
	for name, tc := range map[string]struct {
		filter            live.Filter
		from, upTo, limit int64
		want              []int64
	}{
		"account":               {account, 0, top, 100, all},
		"analysis":              {live.Filter{AccountID: f.m.account, AnalysisID: f.single}, 0, top, 100, single},
		"batch":                 {live.Filter{AccountID: f.m.account, BatchID: f.batch}, 0, top, 100, batched},
		"analysis in its batch": {live.Filter{AccountID: f.m.account, AnalysisID: f.batched, BatchID: f.batch}, 0, top, 100, batched},
		"analysis not in batch": {live.Filter{AccountID: f.m.account, AnalysisID: f.single, BatchID: f.batch}, 0, top, 100, nil},
		"after and up to":       {account, all[1], all[4], 100, all[2:5]},
		"limit":                 {account, all[0], top, 2, all[1:3]},
		"empty range":           {account, all[3], all[3], 100, nil},
		"zero limit":            {account, 0, top, 0, nil},
		"analysis not a uuid":   {live.Filter{AccountID: f.m.account, AnalysisID: "x"}, 0, top, 100, nil},
		"batch not a uuid":      {live.Filter{AccountID: f.m.account, BatchID: "x"}, 0, top, 100, nil},
	} {
		if got := replay(t, f, owner, tc.filter, tc.from, tc.upTo, int(tc.limit)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}

	// Another account's member: its own account holds none of these events; naming f's account
	// in the filter, or in its principal (then only row-level security stands in the way),
	// yields nothing.
	other := newAnalysisFixture(t, 0).m.principal()
	if got := replay(t, f, other, live.Filter{AccountID: other.AccountID}, 0, top, 100); len(got) != 0 {
		t.Errorf("another account replays %v", got)
	}
	if got := replay(t, f, other, account, 0, top, 100); len(got) != 0 {
		t.Errorf("another account naming this one in its filter replays %v", got)
	}
	claiming := intruder(t, f.analysisFixture)
	if got := replay(t, f, claiming, account, 0, top, 100); len(got) != 0 {
		t.Errorf("a member claiming this account replays %v", got)
	}
	if got := replay(t, f, tenant.Principal{UserID: owner.UserID, AccountID: "not-a-uuid"},
		live.Filter{AccountID: "not-a-uuid"}, 0, top, 100); len(got) != 0 {
		t.Errorf("an account id that is not a uuid replays %v", got)
	}
	if _, err := f.src.Replay(t.Context(), tenant.Principal{AccountID: f.m.account}, account, 0, top, 100); err == nil {
		t.Error("a principal without a user replayed")
	}
}
