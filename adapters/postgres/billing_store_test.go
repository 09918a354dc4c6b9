package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/tenant"
)

func TestPlansAreSeededFromTheDesign(t *testing.T) {
	t.Parallel()
	store := postgres.NewBillingStore(pgtest.DB(t))
	plans, err := store.Plans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]int64{ // price cents, credits a month, bulk limit
		"free": {0, 10, 5}, "growth": {2900, 250, 25}, "pro": {9900, 1500, 100},
		"agency": {29900, 5000, 250}, "enterprise": {99900, 20000, 500},
	}
	seen := 0
	for i, p := range plans {
		if i > 0 && p.PriceCents < plans[i-1].PriceCents {
			t.Errorf("plans not ordered by price: %s after %s", p.Name, plans[i-1].Name)
		}
		w, ok := want[p.Name]
		if !ok {
			continue // a plan inserted by another test
		}
		seen++
		if p.PriceCents != w[0] || p.CreditsPerMonth.Int64() != w[1] || int64(p.BulkLimit) != w[2] || !p.Active || p.DisplayName == "" {
			t.Errorf("plan %s = %+v, want %v", p.Name, p, w)
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d seeded plans", seen, len(want))
	}
	if p, found, err := store.Plan(t.Context(), "pro"); err != nil || !found || p.CreditsPerMonth.Int64() != 1500 {
		t.Errorf("Plan(pro) = %+v, %v, %v", p, found, err)
	}
	if _, found, err := store.Plan(t.Context(), "platinum"); err != nil || found {
		t.Errorf("Plan(platinum) found %v, %v", found, err)
	}
	if _, found, err := store.PlanByPrice(t.Context(), "price_nobody"); err != nil || found {
		t.Errorf("PlanByPrice(unknown) found %v, %v", found, err)
	}
	price := testPlan(t, "byprice", 1234, 77)
	if p, found, err := store.PlanByPrice(t.Context(), price); err != nil || !found || p.CreditsPerMonth.Int64() != 77 || p.StripePriceID != price {
		t.Errorf("PlanByPrice = %+v, %v, %v", p, found, err)
	}
}

// testPlan inserts a plan of this test's own (named name_<random>) with a Stripe price and
// returns the price id. Seeded plans stay untouched: other tests read them in parallel.
func testPlan(t *testing.T, name string, cents, credits int64) string {
	t.Helper()
	suffix := newUUID()[:8]
	price := "price_" + name + "_" + suffix
	_, err := pgtest.Pool(t).Exec(t.Context(), `insert into public.plans
		(name, display_name, price_cents, credits_per_month, bulk_limit, stripe_price_id)
		values ($1, 'Test plan', $2, $3, 10, $4)`, name+"_"+suffix, cents, credits, price)
	if err != nil {
		t.Fatal(err)
	}
	return price
}

func TestBillingTablesPrivileges(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	m := provision(t, db, 0)

	// Plans are public: anonymous visitors and users read them.
	for _, role := range []string{"anon", "authenticated"} {
		err := db.AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
			if _, err := q.Exec(ctx, "set local role "+role); err != nil {
				return err
			}
			var n int
			if err := q.QueryRow(ctx, "select count(*) from public.plans where name = 'growth'").Scan(&n); err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("%s sees %d growth plans", role, n)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s reading plans: %v", role, err)
		}
	}
	// The inbox and writes to subscriptions are system-only.
	for _, sql := range []string{
		"select count(*) from public.webhook_events",
		"update public.plans set price_cents = 0",
		"insert into public.subscriptions (account_id, plan, status, stripe_subscription_id, stripe_updated_at) values ('" + m.account + "', 'pro', 'active', 'sub_x', now())",
	} {
		err := db.UserScope(t.Context(), m.principal(), func(ctx context.Context, q postgres.Querier) error {
			_, err := q.Exec(ctx, sql)
			return err
		})
		if apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s in the user scope: %v, want Forbidden", sql, err)
		}
	}
}

func TestChangeSubscriptionAndRLS(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	store := postgres.NewBillingStore(db)
	owner, stranger := provision(t, db, 0), provision(t, db, 0)

	if _, found, err := store.CurrentSubscription(t.Context(), owner.principal()); err != nil || found {
		t.Fatalf("before: found %v, %v", found, err)
	}
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	subID := "sub_" + newUUID()
	u := billing.Update{At: at, StripeSubscriptionID: subID, StripeCustomerID: "cus_x", Plan: "pro",
		StripePriceID: "price_pro_x", Status: billing.StatusActive, CurrentPeriodStart: at, CurrentPeriodEnd: at.AddDate(0, 1, 0)}
	decide := func(u billing.Update) func(*billing.Subscription) (billing.Subscription, bool) {
		return func(cur *billing.Subscription) (billing.Subscription, bool) {
			next, ok, _ := billing.Apply(cur, "ignored-by-the-store", u)
			return next, ok
		}
	}
	s, applied, err := store.ChangeSubscription(t.Context(), owner.account, decide(u))
	if err != nil || !applied {
		t.Fatalf("ChangeSubscription = %v, %v", applied, err)
	}
	if s.AccountID != owner.account || s.Plan != "pro" || s.Status != billing.StatusActive || s.StripeCustomerID != "cus_x" ||
		!s.CurrentPeriodEnd.Equal(at.AddDate(0, 1, 0)) || !s.StripeUpdatedAt.Equal(at) || !s.CanceledAt.IsZero() || s.CreatedAt.IsZero() {
		t.Errorf("stored = %+v", s)
	}

	// Read back as the owner (RLS) and by Stripe id (system); a stranger sees nothing.
	got, found, err := store.CurrentSubscription(t.Context(), owner.principal())
	if err != nil || !found || got != s {
		t.Errorf("CurrentSubscription = %+v, %v, %v; want %+v", got, found, err, s)
	}
	spy := tenant.Principal{UserID: stranger.user, AccountID: owner.account}
	if _, found, err := store.CurrentSubscription(t.Context(), spy); err != nil || found {
		t.Errorf("a stranger naming the account: found %v, %v", found, err)
	}
	if got, found, err := store.SubscriptionByStripeID(t.Context(), subID); err != nil || !found || got != s {
		t.Errorf("SubscriptionByStripeID = %+v, %v, %v", got, found, err)
	}

	// An older change is not written; a newer one is.
	old := u
	old.At, old.Status = at.Add(-time.Minute), billing.StatusPastDue
	if s2, applied, err := store.ChangeSubscription(t.Context(), owner.account, decide(old)); err != nil || applied || s2 != s {
		t.Errorf("stale change = %+v, %v, %v", s2, applied, err)
	}
	newer := u
	newer.At, newer.Status, newer.CanceledAt = at.Add(time.Hour), billing.StatusCanceled, at.Add(time.Hour)
	s3, applied, err := store.ChangeSubscription(t.Context(), owner.account, decide(newer))
	if err != nil || !applied || s3.Plan != billing.FreePlan || s3.Status != billing.StatusCanceled || !s3.CanceledAt.Equal(at.Add(time.Hour)) ||
		!s3.CreatedAt.Equal(s.CreatedAt) {
		t.Errorf("cancellation = %+v, %v, %v", s3, applied, err)
	}

	// Unknown accounts and plans.
	if _, _, err := store.ChangeSubscription(t.Context(), newUUID(), decide(u)); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	bad := u
	bad.Plan, bad.StripeSubscriptionID = "platinum", "sub_"+newUUID()
	if _, _, err := store.ChangeSubscription(t.Context(), stranger.account, decide(bad)); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("unknown plan: %v, want Invalid", err)
	}
	// One Stripe subscription cannot belong to two accounts.
	if _, _, err := store.ChangeSubscription(t.Context(), stranger.account, decide(u)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("a subscription id of another account: %v, want Conflict", err)
	}
}

func TestWebhookEventRecords(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	store := postgres.NewBillingStore(postgres.NewDB(pool))
	id := "evt_" + newUUID()
	acc := newUUID()

	rec := billing.ReceivedEvent{ID: id, Type: "invoice.paid", AccountID: acc, Payload: []byte(`{"id":"` + id + `","object":"event"}`)}
	if inserted, err := store.RecordEvent(t.Context(), rec); err != nil || !inserted {
		t.Fatalf("RecordEvent = %v, %v", inserted, err)
	}
	if inserted, err := store.RecordEvent(t.Context(), rec); err != nil || inserted {
		t.Fatalf("second RecordEvent = %v, %v; want not inserted", inserted, err)
	}
	if _, err := store.RecordEvent(t.Context(), billing.ReceivedEvent{ID: "evt_bad", Type: "x", Payload: []byte("not json")}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("non-JSON payload: %v, want Invalid", err)
	}

	ev := billing.Event{ID: id, Type: "invoice.paid"}
	if err := store.FailEvent(t.Context(), ev, "service.unavailable: down"); err != nil {
		t.Fatal(err)
	}
	r, found, err := store.EventRecord(t.Context(), id)
	if err != nil || !found || r.Processed() || r.LastError != "service.unavailable: down" || r.AccountID != acc || r.ReceivedAt.IsZero() {
		t.Fatalf("after a failure = %+v, %v, %v", r, found, err)
	}
	first := billing.Outcome{Result: billing.ResultGranted, Detail: "first", AccountID: acc}
	if err := store.FinishEvent(t.Context(), ev, first); err != nil {
		t.Fatal(err)
	}
	// The first finish wins; a later failure does not reopen the event.
	if err := store.FinishEvent(t.Context(), ev, billing.Outcome{Result: billing.ResultIgnored, Detail: "second"}); err != nil {
		t.Fatal(err)
	}
	if err := store.FailEvent(t.Context(), ev, "late"); err != nil {
		t.Fatal(err)
	}
	r, _, _ = store.EventRecord(t.Context(), id)
	if !r.Processed() || r.Result != billing.ResultGranted || r.Detail != "first" || r.LastError != "" {
		t.Errorf("after finishing = %+v", r)
	}
	var payloadID string
	if err := pool.QueryRow(t.Context(), "select payload->>'id' from public.webhook_events where stripe_event_id = $1", id).Scan(&payloadID); err != nil || payloadID != id {
		t.Errorf("stored payload id %q, %v", payloadID, err)
	}

	// An event that never went through the endpoint is created by its finish, without payload.
	direct := billing.Event{ID: "evt_" + newUUID(), Type: "customer.created"}
	if err := store.FinishEvent(t.Context(), direct, billing.Outcome{Result: billing.ResultIgnored}); err != nil {
		t.Fatal(err)
	}
	if r, found, err := store.EventRecord(t.Context(), direct.ID); err != nil || !found || r.Result != billing.ResultIgnored || r.AccountID != "" {
		t.Errorf("direct record = %+v, %v, %v", r, found, err)
	}
	if _, found, err := store.EventRecord(t.Context(), "evt_never"); err != nil || found {
		t.Errorf("missing record found %v, %v", found, err)
	}
}

func TestRecordWebhookEventJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	id := "evt_" + newUUID()
	err := db.AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
		if inserted, err := postgres.RecordWebhookEvent(ctx, q, billing.ReceivedEvent{ID: id, Type: "x", Payload: []byte(`{}`)}); err != nil || !inserted {
			t.Errorf("RecordWebhookEvent = %v, %v", inserted, err)
		}
		return errRollback // e.g. the workflow start failed
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if n := count(t, pool, "select count(*) from public.webhook_events where stripe_event_id = $1", id); n != 0 {
		t.Errorf("a rolled-back delivery left %d rows", n)
	}
}
