package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// These tests run the webhook end to end: HTTP → signature → one transaction (webhook_events +
// DBOS enqueue) → a real DBOS executor in this process → billing.Processor → the ledger, on
// PostgreSQL. Results are read from the ledger once the run has ended.

// TestWebhookRedeliveriesGrantOnce delivers one signed event five times in a row and another
// five times at once: each is stored once, processed by one run, and grants once.
func TestWebhookRedeliveriesGrantOnce(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t)
	u := newUser(t, false)
	acct := f.me(t, u).Account.ID

	seq := uniqueID("evt_seq_")
	body := stripeEvent(seq, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), acct, 100))
	for i := range 5 {
		r := decode[webhookResponse](t, f.do(t, signedDelivery(body)), http.StatusOK)
		if r.EventID != seq || r.Duplicate != (i > 0) {
			t.Fatalf("delivery %d: %+v", i, r)
		}
	}
	st := f.waitRun(t, billing.EventWorkflowID(seq), workflow.StateSucceeded)
	if st.Attempts != 1 {
		t.Errorf("the run was executed %d times", st.Attempts)
	}

	par := uniqueID("evt_par_")
	body = stripeEvent(par, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), acct, 40))
	recs := make([]*httptest.ResponseRecorder, 5)
	var wg sync.WaitGroup
	for i := range recs {
		wg.Go(func() { recs[i] = f.do(t, signedDelivery(body)) })
	}
	wg.Wait()
	firsts := 0
	for i, rec := range recs {
		if r := decode[webhookResponse](t, rec, http.StatusOK); !r.Duplicate {
			firsts++
		} else if r.EventID != par {
			t.Errorf("concurrent delivery %d: %+v", i, r)
		}
	}
	if firsts != 1 {
		t.Errorf("%d concurrent deliveries stored the event, want 1", firsts)
	}
	f.waitRun(t, billing.EventWorkflowID(par), workflow.StateSucceeded)
	// A delivery after processing is still acknowledged and changes nothing.
	if r := decode[webhookResponse](t, f.do(t, signedDelivery(body)), http.StatusOK); !r.Duplicate {
		t.Errorf("late delivery: %+v", r)
	}

	for ref, want := range map[string]int64{seq: 100, par: 40} {
		if got := f.ledgerEntries(t, acct, string(credit.Purchase), ref); len(got) != 1 || got[0] != want {
			t.Errorf("purchase entries for %s: %v, want one of %d", ref, got, want)
		}
		if n := webhookRows(t, f.pool, ref); n != 1 {
			t.Errorf("%d rows for %s", n, ref)
		}
	}
	b := decode[balanceResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/credits/balance", token: u.token}), http.StatusOK)
	if b.Balance != 25+100+40 {
		t.Errorf("balance %d, want %d", b.Balance, 25+100+40)
	}
	rec, found, err := postgres.NewBillingStore(f.db).EventRecord(context.Background(), seq)
	if err != nil || !found || rec.Result != billing.ResultGranted || !rec.Processed() {
		t.Errorf("event record = %+v, %v, %v", rec, found, err)
	}
}

// TestWebhookRedeliveryAfterAFailedRun is issue 7's example: an event naming an account that
// does not exist yet fails permanently; once the account exists, Stripe's redeliveries — ten at
// once — start exactly one new attempt (run stripe:<id>:2), which grants the credits once; a
// redelivery after that changes nothing.
func TestWebhookRedeliveryAfterAFailedRun(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t)
	u := newUser(t, false)
	f.me(t, u)
	late := uuid.NewString() // the account the event names; it does not exist yet
	id := uniqueID("evt_late_")
	body := stripeEvent(id, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), late, 60))
	if r := decode[webhookResponse](t, f.do(t, signedDelivery(body)), http.StatusOK); r.Duplicate {
		t.Fatalf("first delivery: %+v", r)
	}
	if st := f.waitRun(t, billing.EventWorkflowID(id), workflow.StateFailed); !strings.HasSuffix(st.ErrorCode, ".not-found") {
		t.Fatalf("attempt 1 failed with %q (%s), want a not-found code", st.ErrorCode, st.Error)
	}

	if _, err := f.pool.Exec(context.Background(), `with a as (insert into public.accounts (id, owner_id, name) values ($1, $2, 'Late') returning id)
		insert into public.credit_balances (account_id) select id from a`, late, u.id); err != nil {
		t.Fatal(err)
	}
	recs := make([]*httptest.ResponseRecorder, 10)
	var wg sync.WaitGroup
	for i := range recs {
		wg.Go(func() { recs[i] = f.do(t, signedDelivery(body)) })
	}
	wg.Wait()
	for i, rec := range recs {
		if r := decode[webhookResponse](t, rec, http.StatusOK); !r.Duplicate || r.EventID != id {
			t.Errorf("concurrent redelivery %d: %+v", i, r)
		}
	}
	runs := func() []workflow.Status {
		t.Helper()
		all, err := f.workflows.List(context.Background(), workflow.Filter{IDPrefix: billing.EventWorkflowID(id)})
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	if got := runs(); len(got) != 2 {
		t.Fatalf("%d runs after ten concurrent redeliveries, want 2 (attempts 1 and 2): %+v", len(got), got)
	}
	f.waitRun(t, billing.EventAttemptWorkflowID(id, 2), workflow.StateSucceeded)
	if n := countWhere(t, f.pool, `select attempts from public.webhook_events where stripe_event_id = $1`, id); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}

	// Processed: a late redelivery is a duplicate that starts nothing.
	if r := decode[webhookResponse](t, f.do(t, signedDelivery(body)), http.StatusOK); !r.Duplicate {
		t.Errorf("late delivery: %+v", r)
	}
	if got := runs(); len(got) != 2 {
		t.Errorf("%d runs after a late redelivery", len(got))
	}
	var purchases []int64
	rows, err := f.pool.Query(context.Background(), `select delta from public.credit_ledger where account_id = $1 and kind = 'purchase'`, late)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		purchases = append(purchases, d)
	}
	if len(purchases) != 1 || purchases[0] != 60 {
		t.Errorf("purchases of the late account: %v, want one of 60", purchases)
	}
	if b := countWhere(t, f.pool, `select balance from public.credit_balances where account_id = $1`, late); b != 60 {
		t.Errorf("balance %d, want 60", b)
	}
	rec, _, err := postgres.NewBillingStore(f.db).EventRecord(context.Background(), id)
	if err != nil || !rec.Processed() || rec.Result != billing.ResultGranted {
		t.Errorf("event record = %+v, %v", rec, err)
	}
}

// countWhere runs a query returning one integer.
func countWhere(t *testing.T, pool *pgxpool.Pool, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebhookEventsOutOfOrder delivers a subscription's events in the worst order Stripe may
// use — the renewal invoice first, a later change before the creation — and processes each
// before the next arrives: one grant for the period, and the newest state wins.
func TestWebhookEventsOutOfOrder(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t)
	u := newUser(t, false)
	acct := f.me(t, u).Account.ID
	sub, inv := uniqueID("sub_"), uniqueID("in_")
	t0 := time.Now().Add(-time.Minute).Truncate(time.Second)
	start, end := t0, t0.AddDate(0, 1, 0)

	type delivery struct {
		id, typ string
		at      time.Time
		object  string
		want    billing.Result
	}
	deliveries := []delivery{
		{uniqueID("evt_inv_"), billing.TypeInvoicePaid, t0.Add(2 * time.Second),
			subscriptionInvoice(inv, acct, "growth", sub, billing.ReasonSubscriptionCreate), billing.ResultGranted},
		{uniqueID("evt_upd_"), billing.TypeSubscriptionUpdated, t0.Add(20 * time.Second),
			subscriptionObject(sub, acct, "growth", "active", true, start, end), billing.ResultUpdated},
		{uniqueID("evt_cs_"), billing.TypeCheckoutCompleted, t0,
			subscriptionSession(uniqueID("cs_"), acct, "growth", sub, inv), billing.ResultGranted},
		{uniqueID("evt_new_"), billing.TypeSubscriptionCreated, t0.Add(time.Second),
			subscriptionObject(sub, acct, "growth", "active", false, start, end), billing.ResultStale},
	}
	store := postgres.NewBillingStore(f.db)
	for _, d := range deliveries {
		decode[webhookResponse](t, f.do(t, signedDelivery(stripeEvent(d.id, d.typ, d.at, d.object))), http.StatusOK)
		f.waitRun(t, billing.EventWorkflowID(d.id), workflow.StateSucceeded)
		rec, _, err := store.EventRecord(context.Background(), d.id)
		if err != nil || rec.Result != d.want {
			t.Errorf("%s: outcome %q (%s), %v; want %q", d.typ, rec.Result, rec.Detail, err, d.want)
		}
	}
	if got := f.ledgerEntries(t, acct, string(credit.SubscriptionGrant), billing.FirstPeriodReference(sub)); len(got) != 1 || got[0] != 250 {
		t.Errorf("subscription grants for %s's first period: %v, want one of 250", sub, got)
	}
	e := decode[entitlementResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/billing/subscription", token: u.token}), http.StatusOK)
	if e.Plan.Name != "growth" || e.Subscription == nil || e.Subscription.Status != "active" || !e.Subscription.CancelAtPeriodEnd ||
		e.Subscription.CurrentPeriodEnd == nil || !e.Subscription.CurrentPeriodEnd.Equal(end) {
		t.Errorf("entitlement = %+v (subscription %+v)", e, e.Subscription)
	}
}

// TestWebhookWhileTheDatabaseIsDown: a verified delivery that cannot be stored is a 503, so
// Stripe delivers it again, and nothing is written anywhere.
func TestWebhookWhileTheDatabaseIsDown(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback refuses connections; the pool connects lazily.
	dead, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/oslira?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dead.Close)
	engine := workflowtest.New([]workflow.Definition{billing.EventDefinition(billing.NewProcessor(nil))})
	f := newAPIFixtureWith(t, fixtureConfig{pool: dead, workflows: engine})
	id := uniqueID("evt_down_")
	body := stripeEvent(id, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11", 100))
	wantProblem(t, f.do(t, signedDelivery(body)), http.StatusServiceUnavailable, apperr.CodeUnavailable)
	if runs, _ := engine.List(context.Background(), workflow.Filter{}); len(runs) != 0 {
		t.Errorf("runs started: %+v", runs)
	}
	if n := webhookRows(t, pgtest.Pool(t), id); n != 0 {
		t.Errorf("%d rows stored", n)
	}
}

// TestWebhookStoresNothingWhenTheStartFails: the row and the run share one transaction, so a
// start that fails after the row was inserted (here: the engine's schema is not in this
// database) rolls the row back, and the 5xx makes Stripe deliver again.
func TestWebhookStoresNothingWhenTheStartFails(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t) // migrated, but without schema "dbos"
	client := newWorkflowClient(t, pgtest.Pool(t), billing.EventDefinition(billing.NewProcessor(nil)))
	f := newAPIFixtureWith(t, fixtureConfig{pool: pool, workflows: client})
	id := uniqueID("evt_half_")
	body := stripeEvent(id, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11", 100))
	rec := f.do(t, signedDelivery(body))
	if rec.Code < 500 {
		t.Fatalf("status %d, want 5xx; body %s", rec.Code, rec.Body.String())
	}
	if n := webhookRows(t, pool, id); n != 0 {
		t.Errorf("%d rows stored by a delivery whose start failed", n)
	}
	if _, err := client.Status(context.Background(), billing.EventWorkflowID(id)); err == nil {
		t.Error("a run exists for a delivery that was not stored")
	}
}

// TestBillingWithoutStripe: a server without Stripe keys refuses to pretend — checkout, portal
// and webhook answer 503 billing.not-configured and store nothing — while the subscription,
// which only reads the database, still answers.
func TestBillingWithoutStripe(t *testing.T) {
	t.Parallel()
	f := newAPIFixtureWith(t, fixtureConfig{noStripe: true})
	u := newUser(t, false)
	f.me(t, u)
	wantProblem(t, f.do(t, postJSON("/v1/billing/checkout", u.token, `{"credits": 100}`)), http.StatusServiceUnavailable, billing.CodeNotConfigured)
	wantProblem(t, f.do(t, req{method: http.MethodPost, target: "/v1/billing/portal", token: u.token}), http.StatusServiceUnavailable, billing.CodeNotConfigured)
	e := decode[entitlementResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/billing/subscription", token: u.token}), http.StatusOK)
	if e.Plan.Name != billing.FreePlan {
		t.Errorf("entitlement = %+v", e)
	}
	id := uniqueID("evt_unconfigured_")
	body := stripeEvent(id, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11", 100))
	wantProblem(t, f.do(t, signedDelivery(body)), http.StatusServiceUnavailable, billing.CodeNotConfigured)
	if n := webhookRows(t, f.pool, id); n != 0 {
		t.Errorf("%d rows stored", n)
	}
	if len(f.stripe.Calls("/v1/customers")) != 0 {
		t.Error("Stripe was called without a key")
	}
}
