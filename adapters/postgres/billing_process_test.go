package postgres_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/billing"
)

// billingRig is the billing processor over the real stores.
type billingRig struct {
	pool  *pgxpool.Pool
	db    *postgres.DB
	store *postgres.BillingStore
	proc  *billing.Processor
}

func newBillingRig(t *testing.T, pool *pgxpool.Pool) *billingRig {
	t.Helper()
	db := postgres.NewDB(pool)
	store := postgres.NewBillingStore(db)
	return &billingRig{pool: pool, db: db, store: store, proc: billing.NewProcessor(store)}
}

// entries counts ledger entries of an account with a reference.
func (r *billingRig) entries(t *testing.T, accountID, ref string) int {
	t.Helper()
	return count(t, r.pool, "select count(*) from public.credit_ledger where account_id = $1 and reference = $2", accountID, ref)
}

// handleConcurrently runs Handle for every event at once and fails on any error.
func (r *billingRig) handleConcurrently(t *testing.T, evs ...billing.Event) []billing.Outcome {
	t.Helper()
	warm(t, r.pool, len(evs))
	outs := make([]billing.Outcome, len(evs))
	errs := make([]error, len(evs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, ev := range evs {
		wg.Go(func() {
			<-start
			outs[i], errs[i] = r.proc.Handle(context.WithoutCancel(t.Context()), ev)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Handle #%d (%s): %v", i, evs[i].Type, err)
		}
	}
	return outs
}

func packEvent(accountID string, credits int64) billing.Event {
	return billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeCheckoutCompleted, Created: time.Now().UTC(),
		AccountID: accountID, ObjectID: "cs_" + newUUID(), Mode: billing.ModePayment,
		PaymentStatus: billing.PaymentPaid, Credits: credits}
}

func TestSameEventGrantsOnce(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, contendedPool(t, 8))
	m := provision(t, r.db, 25)

	t.Run("five times in a row", func(t *testing.T) {
		ev := packEvent(m.account, 100)
		for i := range 5 {
			out, err := r.proc.Handle(t.Context(), ev)
			if err != nil || out.Result != billing.ResultGranted || out.Replay != (i > 0) {
				t.Fatalf("run %d = %+v, %v", i+1, out, err)
			}
		}
		if n := r.entries(t, m.account, ev.ID); n != 1 {
			t.Errorf("%d entries for %s, want 1", n, ev.ID)
		}
		if b := storedBalance(t, r.pool, m.account); b != 125 {
			t.Errorf("balance %d, want 25 + 100", b)
		}
	})
	t.Run("five times at once", func(t *testing.T) {
		ev := packEvent(m.account, 100)
		outs := r.handleConcurrently(t, ev, ev, ev, ev, ev)
		fresh := 0
		for _, o := range outs {
			if o.Result != billing.ResultGranted {
				t.Errorf("outcome %+v", o)
			}
			if !o.Replay {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d runs report a fresh grant, want 1", fresh)
		}
		if n := r.entries(t, m.account, ev.ID); n != 1 {
			t.Errorf("%d entries for %s, want 1", n, ev.ID)
		}
		if b := storedBalance(t, r.pool, m.account); b != 225 {
			t.Errorf("balance %d, want 125 + 100", b)
		}
		rec, _, err := r.store.EventRecord(t.Context(), ev.ID)
		if err != nil || !rec.Processed() || rec.Result != billing.ResultGranted || rec.AccountID != m.account {
			t.Errorf("record = %+v, %v", rec, err)
		}
	})
}

func TestFirstPeriodGrantedOnceAcrossCheckoutAndInvoiceEvents(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, contendedPool(t, 8))
	m := provision(t, r.db, 0)
	sub, invoice, at := "sub_"+newUUID(), "in_"+newUUID(), time.Now().UTC().Truncate(time.Second)

	checkout := billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeCheckoutCompleted, Created: at,
		AccountID: m.account, CustomerID: "cus_" + newUUID(), SubscriptionID: sub, InvoiceID: invoice,
		Plan: "growth", Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid}
	paid := billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeInvoicePaid, Created: at,
		AccountID: m.account, SubscriptionID: sub, ObjectID: invoice, InvoiceID: invoice, Plan: "growth",
		PriceID: "price_inline_growth", BillingReason: billing.ReasonSubscriptionCreate}
	succeeded := paid
	succeeded.ID, succeeded.Type = "evt_"+newUUID(), billing.TypeInvoicePaymentSucceeded

	r.handleConcurrently(t, checkout, paid, succeeded, checkout, paid)
	if n := r.entries(t, m.account, billing.FirstPeriodReference(sub)); n != 1 {
		t.Errorf("%d grants for the first period, want 1", n)
	}
	if b := storedBalance(t, r.pool, m.account); b != 250 {
		t.Errorf("balance %d, want 250 (growth, once)", b)
	}
	s, found, err := r.store.CurrentSubscription(t.Context(), m.principal())
	if err != nil || !found || s.Plan != "growth" || s.Status != billing.StatusActive || s.StripeSubscriptionID != sub {
		t.Errorf("subscription = %+v, %v, %v", s, found, err)
	}

	// The renewal a month later is a new invoice: a new grant.
	renewal := paid
	renewal.ID, renewal.ObjectID, renewal.InvoiceID, renewal.BillingReason = "evt_"+newUUID(), "in_"+newUUID(), "", billing.ReasonSubscriptionCycle
	renewal.Created = at.AddDate(0, 1, 0)
	if out, err := r.proc.Handle(t.Context(), renewal); err != nil || out.Credits != 250 {
		t.Fatalf("renewal = %+v, %v", out, err)
	}
	if b := storedBalance(t, r.pool, m.account); b != 500 {
		t.Errorf("balance %d after the renewal, want 500", b)
	}
}

func TestSubscriptionEventsOutOfOrder(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, pgtest.Pool(t))
	m := provision(t, r.db, 0)
	sub, at := "sub_"+newUUID(), time.Now().UTC().Truncate(time.Second)
	ev := func(typ string, offset time.Duration, status billing.Status, cancelAtEnd bool) billing.Event {
		return billing.Event{ID: "evt_" + newUUID(), Type: typ, Created: at.Add(offset), AccountID: m.account,
			SubscriptionID: sub, Plan: "pro", PriceID: "price_inline_pro", Status: status, CancelAtPeriodEnd: cancelAtEnd,
			CurrentPeriodStart: at, CurrentPeriodEnd: at.AddDate(0, 1, 0)}
	}
	steps := []struct {
		ev     billing.Event
		result billing.Result
		plan   string
		status billing.Status
	}{
		{ev(billing.TypeSubscriptionUpdated, 2*time.Minute, billing.StatusPastDue, false), billing.ResultUpdated, "pro", billing.StatusPastDue},
		// Delivered late: created before the past_due above.
		{ev(billing.TypeSubscriptionCreated, 0, billing.StatusActive, false), billing.ResultStale, "pro", billing.StatusPastDue},
		{ev(billing.TypeSubscriptionUpdated, time.Minute, billing.StatusActive, true), billing.ResultStale, "pro", billing.StatusPastDue},
		{ev(billing.TypeSubscriptionDeleted, time.Hour, billing.StatusCanceled, false), billing.ResultUpdated, billing.FreePlan, billing.StatusCanceled},
		// An update created between the past_due and the deletion, delivered after both.
		{ev(billing.TypeSubscriptionUpdated, 30*time.Minute, billing.StatusActive, false), billing.ResultStale, billing.FreePlan, billing.StatusCanceled},
	}
	for i, st := range steps {
		out, err := r.proc.Handle(t.Context(), st.ev)
		if err != nil || out.Result != st.result {
			t.Fatalf("step %d (%s at +%v) = %+v, %v; want %s", i+1, st.ev.Type, st.ev.Created.Sub(at), out, err, st.result)
		}
		s, _, err := r.store.CurrentSubscription(t.Context(), m.principal())
		if err != nil || s.Plan != st.plan || s.Status != st.status {
			t.Fatalf("after step %d: plan %q status %q (%v); want %q %q", i+1, s.Plan, s.Status, err, st.plan, st.status)
		}
	}
	// The profile and the entitlement agree: back on the free plan.
	svc := billing.NewService(r.store, nil, billing.Config{})
	e, err := svc.Subscription(t.Context(), m.principal())
	if err != nil || e.Plan.Name != billing.FreePlan || e.Plan.BulkLimit != 5 {
		t.Errorf("entitlement = %+v, %v", e, err)
	}
	p, err := postgres.NewAccountStore(r.db).Profile(t.Context(), m.principal())
	if err != nil || p.Plan != billing.FreePlan {
		t.Errorf("profile plan %q, %v", p.Plan, err)
	}
}

func TestRefundTheBalanceCannotCoverIsOwed(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, pgtest.Pool(t))
	ledger := postgres.NewLedgerStore(r.db)
	m := provision(t, r.db, 0)

	pay := newPackPayment(m.account, 100, 9215)
	if _, err := r.proc.Handle(t.Context(), pay.purchase()); err != nil {
		t.Fatal(err)
	}
	// 90 credits are spent before the refund arrives.
	if _, err := ledger.Apply(t.Context(), debit(m.account, "analysis:"+newUUID(), 90)); err != nil {
		t.Fatal(err)
	}
	refund := pay.refund(9215)
	for i := range 2 {
		out, err := r.proc.Handle(t.Context(), refund)
		if err != nil || out.Result != billing.ResultChargedBack || out.Replay != (i > 0) {
			t.Fatalf("run %d = %+v, %v", i+1, out, err)
		}
		if i == 0 && out.Credits != -10 {
			t.Errorf("chargeback delta %d, want -10 (all that was left)", out.Credits)
		}
	}
	if b := storedBalance(t, r.pool, m.account); b != 0 {
		t.Errorf("balance %d, want 0", b)
	}
	if n := ledgerSum(t, r, m.account); n != 0 {
		t.Errorf("ledger sums to %d, want the balance 0", n)
	}
	if st := r.payState(t, pay.intent); st.owed != 90 || st.net != 90 {
		t.Errorf("payment %+v, want 90 owed and a net of 90 (granted 100, taken back 10)", st)
	}
}

func TestUnknownEventIsRecordedAsIgnored(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, pgtest.Pool(t))
	ev := billing.Event{ID: "evt_" + newUUID(), Type: "customer.tax_id.created", Created: time.Now().UTC()}
	if inserted, err := r.store.RecordEvent(t.Context(), billing.ReceivedEvent{ID: ev.ID, Type: ev.Type, Payload: []byte(`{"object":"event"}`)}); err != nil || !inserted {
		t.Fatalf("RecordEvent = %v, %v", inserted, err)
	}
	out, err := r.proc.Handle(t.Context(), ev)
	if err != nil || out.Result != billing.ResultIgnored {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
	rec, found, err := r.store.EventRecord(t.Context(), ev.ID)
	if err != nil || !found || !rec.Processed() || rec.Result != billing.ResultIgnored || rec.Detail == "" {
		t.Errorf("record = %+v, %v, %v", rec, found, err)
	}
}

// countingPayments is a Payments fake that counts customer creations; creating one takes a
// moment, like the real API, so concurrent callers overlap inside EnsureCustomer.
type countingPayments struct {
	customers atomic.Int32
	mu        sync.Mutex
	sessions  []billing.CheckoutParams
}

func (p *countingPayments) CreateCustomer(ctx context.Context, c billing.NewCustomer) (string, error) {
	n := p.customers.Add(1)
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(20 * time.Millisecond):
	}
	return "cus_" + c.AccountID[:8] + "_" + string(rune('a'+n-1)), nil
}

func (p *countingPayments) CreateCheckoutSession(_ context.Context, params billing.CheckoutParams) (billing.CheckoutSession, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sessions = append(p.sessions, params)
	return billing.CheckoutSession{ID: "cs_x", URL: "https://checkout.test/cs_x"}, nil
}

func (p *countingPayments) CreatePortalSession(context.Context, string, string) (string, error) {
	return "https://portal.test", nil
}

// warm opens n connections of pool before a race, so that no caller of the race loses it
// while its connection is being established.
func warm(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	conns := make([]*pgxpool.Conn, 0, n)
	for range n {
		c, err := pool.Acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
}

func TestConcurrentCheckoutsCreateOneCustomer(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, contendedPool(t, 8))
	m := provision(t, r.db, 0)
	warm(t, r.pool, 8)
	payments := &countingPayments{}
	svc := billing.NewService(r.store, payments, billing.Config{SuccessURL: "https://app.test/ok", CancelURL: "https://app.test/no"})

	const callers = 6
	errs := make([]error, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			_, errs[i] = svc.Checkout(context.WithoutCancel(t.Context()), m.principal(), billing.CheckoutRequest{Credits: 100})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("checkout %d: %v", i, err)
		}
	}
	if n := payments.customers.Load(); n != 1 {
		t.Errorf("%d Stripe customers created, want 1", n)
	}
	var stored string
	if err := r.pool.QueryRow(t.Context(), "select stripe_customer_id from public.accounts where id = $1", m.account).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	customers := []string{}
	for _, s := range payments.sessions {
		customers = append(customers, s.CustomerID)
		if s.Mode != billing.ModePayment || s.AccountID != m.account || s.Credits != 100 || s.AmountCents != 9215 {
			t.Errorf("session params = %+v", s)
		}
	}
	distinct := slices.Compact(slices.Clone(customers))
	if len(customers) != callers || len(distinct) != 1 || distinct[0] != stored {
		t.Errorf("sessions used customers %v, stored %q", customers, stored)
	}
	// The stored customer now resolves the account for webhooks.
	if acc, found, err := r.store.AccountByCustomer(t.Context(), stored); err != nil || !found || acc != m.account {
		t.Errorf("AccountByCustomer = %q, %v, %v", acc, found, err)
	}
	if _, err := svc.Checkout(t.Context(), m.principal(), billing.CheckoutRequest{Credits: 10}); err != nil || payments.customers.Load() != 1 {
		t.Errorf("a later checkout: %v, %d customers", err, payments.customers.Load())
	}
}
