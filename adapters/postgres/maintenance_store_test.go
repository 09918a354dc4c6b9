package postgres_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/maintenance"
)

// subscribe gives accountID a subscription row on plan with status.
func subscribe(t *testing.T, pool *pgxpool.Pool, accountID, plan, status string) {
	t.Helper()
	_, err := pool.Exec(t.Context(), `insert into public.subscriptions
		(account_id, plan, status, stripe_subscription_id, stripe_updated_at) values ($1, $2, $3, $4, now())`,
		accountID, plan, status, "sub_"+newUUID())
	if err != nil {
		t.Fatal(err)
	}
}

// allFreeAccounts pages through FreeAccounts with a small page and returns every id.
func allFreeAccounts(t *testing.T, s *postgres.MaintenanceStore, ref string) []string {
	t.Helper()
	q := maintenance.FreeAccountQuery{Limit: 7, EntitledStatuses: []string{"trialing", "active", "past_due"},
		Kind: credit.SubscriptionGrant, Reference: ref}
	var all []string
	for {
		ids, err := s.FreeAccounts(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) > 0 && len(ids) > 0 && ids[0] <= all[len(all)-1] {
			t.Fatalf("page starts at %s, not after %s", ids[0], all[len(all)-1])
		}
		all = append(all, ids...)
		if len(ids) < q.Limit {
			return all
		}
		q.After = ids[len(ids)-1]
	}
}

func TestFreeAccountsSkipsPaidDeletedSuspendedAndGranted(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	store := postgres.NewMaintenanceStore(db)
	ref := "free-grant:test-" + newUUID()[:8]

	free := provision(t, db, 0).account
	canceled := provision(t, db, 0).account
	subscribe(t, pool, canceled, "free", "canceled")
	unpaid := provision(t, db, 0).account
	subscribe(t, pool, unpaid, "pro", "unpaid")
	paid := provision(t, db, 0).account
	subscribe(t, pool, paid, "pro", "active")
	pastDue := provision(t, db, 0).account
	subscribe(t, pool, pastDue, "growth", "past_due")
	deleted := provision(t, db, 0).account
	suspended := provision(t, db, 0).account
	if _, err := pool.Exec(t.Context(), `update public.accounts set deleted_at = now() where id = $1;`, deleted); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(t.Context(), `update public.accounts set is_suspended = true where id = $1`, suspended); err != nil {
		t.Fatal(err)
	}
	granted := provision(t, db, 0).account
	if _, err := postgres.NewLedgerStore(db).Apply(t.Context(), credit.EntryRequest{AccountID: granted,
		Kind: credit.SubscriptionGrant, Amount: credit.MustAmount(10), Reference: ref}); err != nil {
		t.Fatal(err)
	}

	all := allFreeAccounts(t, store, ref)
	for id, want := range map[string]bool{free: true, canceled: true, unpaid: true,
		paid: false, pastDue: false, deleted: false, suspended: false, granted: false} {
		if got := slices.Contains(all, id); got != want {
			t.Errorf("account listed = %v, want %v (%s)", got, want, id)
		}
	}
}

func TestStaleWebhooksListsOldUnprocessedEventsInPages(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	store := postgres.NewMaintenanceStore(postgres.NewDB(pool))
	ctx := t.Context()
	tag := newUUID()[:8]
	// Received far in the past so other tests' events (received now) sort after ours.
	base := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(time.Now().UnixNano()%1e6) * time.Minute)
	insert := func(id string, received time.Time, processed bool) {
		t.Helper()
		_, err := pool.Exec(ctx, `insert into public.webhook_events
			(stripe_event_id, type, payload, received_at, processed_at, outcome, last_error)
			values ($1, 'invoice.paid', '{"id": "x"}', $2,
			        case when $3 then now() end, case when $3 then 'ignored' end, 'boom')`, id, received, processed)
		if err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	for i := range 5 {
		id := "evt_stale_" + tag + "_" + string(rune('a'+i))
		insert(id, base.Add(time.Duration(i/2)*time.Second), false) // pairs share a time: the id breaks ties
		want = append(want, id)
	}
	insert("evt_done_"+tag, base, true)
	insert("evt_fresh_"+tag, base.Add(time.Hour), false)

	q := maintenance.StaleWebhookQuery{ReceivedBefore: base.Add(time.Minute), Limit: 2}
	var got []string
	for {
		evs, err := store.StaleWebhooks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Type != "invoice.paid" || string(e.Payload) != `{"id": "x"}` || e.LastError != "boom" || e.ReceivedAt.Location() != time.UTC {
				t.Errorf("event = %+v", e)
			}
			got = append(got, e.ID)
		}
		if len(evs) < q.Limit {
			break
		}
		q.AfterReceived, q.AfterID = evs[len(evs)-1].ReceivedAt, evs[len(evs)-1].ID
	}
	// Other tests' events are received now, after ReceivedBefore; only ours are this old.
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

func TestPurgeDeletesOnlyExpiredRowsOfItsTarget(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t) // counts whole tables
	db := postgres.NewDB(pool)
	store := postgres.NewMaintenanceStore(db)
	ctx := t.Context()
	now := time.Now()
	m := provision(t, db, 25) // a ledger entry that must survive everything
	for i, ev := range []struct {
		processed *time.Time
		received  time.Time
	}{
		{ptr(now.AddDate(0, 0, -100)), now.AddDate(0, 0, -100)},
		{ptr(now.AddDate(0, 0, -95)), now.AddDate(0, 0, -100)},
		{ptr(now.AddDate(0, 0, -91)), now.AddDate(0, 0, -91)},
		{ptr(now.AddDate(0, 0, -10)), now.AddDate(0, 0, -100)}, // processed recently
		{nil, now.AddDate(0, 0, -200)},                         // never processed: kept
	} {
		_, err := pool.Exec(ctx, `insert into public.webhook_events (stripe_event_id, type, received_at, processed_at, outcome)
			values ($1, 'x', $2, $3::timestamptz, case when $3::timestamptz is not null then 'ignored' end)`,
			"evt_"+string(rune('a'+i)), ev.received, ev.processed)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, started := range []time.Time{now.AddDate(0, 0, -120), now.AddDate(0, 0, -1)} {
		_, err := pool.Exec(ctx, `insert into public.cron_runs (job, period_key, started_at, finished_at, outcome)
			values ('test', $1, $2, $2, 'succeeded')`, string(rune('a'+i)), started)
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := store.Targets(); !slices.Equal(got, []string{maintenance.TargetCompletedAnalyses, maintenance.TargetFailedAnalyses,
		maintenance.TargetAnalysisEvents, maintenance.TargetAnonymousResults, maintenance.TargetCronRuns,
		maintenance.TargetEventTickets, maintenance.TargetDeletedLeads, maintenance.TargetLLMCache, maintenance.TargetProfileCache, maintenance.TargetRateLimits,
		maintenance.TargetWebhookEvents}) {
		t.Errorf("Targets() = %v", got)
	}

	cutoff := now.AddDate(0, 0, -90)
	if n, err := store.Purge(ctx, maintenance.TargetWebhookEvents, cutoff, 2); err != nil || n != 2 {
		t.Fatalf("first batch = %d, %v; want 2 (the batch size)", n, err)
	}
	if n, err := store.Purge(ctx, maintenance.TargetWebhookEvents, cutoff, 2); err != nil || n != 1 {
		t.Fatalf("second batch = %d, %v; want 1", n, err)
	}
	if n, err := store.Purge(ctx, maintenance.TargetWebhookEvents, cutoff, 2); err != nil || n != 0 {
		t.Fatalf("third batch = %d, %v; want 0", n, err)
	}
	left := ids(t, ctx, pool, "select stripe_event_id from public.webhook_events order by 1")
	if !slices.Equal(left, []string{"evt_d", "evt_e"}) {
		t.Errorf("events left: %v", left)
	}
	if n, err := store.Purge(ctx, maintenance.TargetCronRuns, cutoff, 100); err != nil || n != 1 {
		t.Fatalf("cron_runs purge = %d, %v", n, err)
	}
	if _, err := store.Purge(ctx, "credit_ledger", cutoff, 100); err == nil {
		t.Error("an unknown target was purged")
	}
	if n := count(t, pool, "select count(*) from public.credit_ledger where account_id = $1", m.account); n != 1 {
		t.Errorf("%d ledger entries, want the signup bonus", n)
	}
}

func ptr[T any](v T) *T { return &v }

// TestPurgeCachesByExpiryAndAge: llm_cache rows go once their expiry is before the cutoff (live
// ones stay), profile_cache rows once they were stored before it, batch by batch.
func TestPurgeCachesByExpiryAndAge(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t) // counts whole tables
	store := postgres.NewMaintenanceStore(postgres.NewDB(pool))
	ctx := t.Context()
	now := time.Now()

	// Keys are 64 hex digits: the index repeated.
	for i, expires := range []time.Duration{-48 * time.Hour, -time.Minute, time.Hour, 48 * time.Hour} {
		_, err := pool.Exec(ctx, `insert into public.llm_cache (key, provider, model, response, cost_known, created_at, expires_at)
			values ($1, 'openai', 'gpt-5-mini', '{}', true, $2, $3)`,
			strings.Repeat(strconv.Itoa(i), 64), now.Add(expires-72*time.Hour), now.Add(expires))
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, stored := range []int{10, 8, 6, 0} { // days ago
		at := now.AddDate(0, 0, -stored)
		_, err := pool.Exec(ctx, `insert into public.profile_cache (username, outcome, provider, result, fetched_at, stored_at)
			values ($1, 'found', 'apify', '{}', $2, $2)`, "user"+strconv.Itoa(i), at)
		if err != nil {
			t.Fatal(err)
		}
	}

	// LLM answers: the cutoff is now (no grace after expiry); one row per batch.
	for i, want := range []int64{1, 1, 0} {
		if n, err := store.Purge(ctx, maintenance.TargetLLMCache, now, 1); err != nil || n != want {
			t.Fatalf("llm_cache batch %d = %d, %v; want %d", i, n, err, want)
		}
	}
	if n := count(t, pool, "select count(*) from public.llm_cache where expires_at > now()"); n != 2 {
		t.Errorf("%d live llm_cache rows left, want 2", n)
	}
	if n := count(t, pool, "select count(*) from public.llm_cache"); n != 2 {
		t.Errorf("%d llm_cache rows left, want the 2 live ones", n)
	}

	// Profiles: stored more than 7 days ago.
	if n, err := store.Purge(ctx, maintenance.TargetProfileCache, now.Add(-maintenance.ProfileCacheKeep), 100); err != nil || n != 2 {
		t.Fatalf("profile_cache purge = %d, %v; want 2", n, err)
	}
	left := ids(t, ctx, pool, "select username from public.profile_cache order by 1")
	if !slices.Equal(left, []string{"user2", "user3"}) {
		t.Errorf("profiles left: %v, want those stored 6 and 0 days ago", left)
	}
}
