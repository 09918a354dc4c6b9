package postgres_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
)

// A credit pack and its refunds, as the stripe adapter maps them: the checkout session and the
// charge both name the PaymentIntent.
type packPayment struct {
	account, intent string
	credits, amount int64
}

func newPackPayment(account string, credits, amount int64) packPayment {
	return packPayment{account: account, intent: "pi_" + newUUID(), credits: credits, amount: amount}
}

func (p packPayment) purchase() billing.Event {
	return billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeCheckoutCompleted, Created: time.Now().UTC(),
		AccountID: p.account, ObjectID: "cs_" + newUUID(), PaymentIntentID: p.intent, Mode: billing.ModePayment,
		PaymentStatus: billing.PaymentPaid, Credits: p.credits}
}

// refund is a charge.refunded event with the cumulative amount refunded; like Stripe's own, it
// carries no previous_attributes that the processing could lean on.
func (p packPayment) refund(cumulative int64) billing.Event {
	return billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeChargeRefunded, Created: time.Now().UTC(),
		AccountID: p.account, ObjectID: "ch_" + p.intent[3:], PaymentIntentID: p.intent,
		Credits: p.credits, Amount: p.amount, AmountRefunded: cumulative}
}

// payState is a payment's order-independent state: what was bought and refunded, its net
// effect on the balance, and what it still owes.
type payState struct {
	credits, refunded, refundedCredits, net, owed int64
	purchased                                     bool
}

func (r *billingRig) payState(t *testing.T, key string) payState {
	t.Helper()
	p, found, err := r.store.Payment(t.Context(), key)
	if err != nil || !found {
		t.Fatalf("Payment(%s) = %v, %v", key, found, err)
	}
	return payState{credits: p.Credits, refunded: p.AmountRefunded, refundedCredits: p.RefundedCredits(),
		net: p.Net(), owed: p.Owed, purchased: p.Purchased}
}

// ledgerSum is the sum of an account's ledger deltas (equal to its balance).
func ledgerSum(t *testing.T, r *billingRig, accountID string) int64 {
	t.Helper()
	var n int64
	if err := r.pool.QueryRow(t.Context(), "select coalesce(sum(delta), 0) from public.credit_ledger where account_id = $1", accountID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// forget deletes the processing records of events, as if every run had stopped after its
// effects and before FinishEvent: a redelivery then reaches the payment again.
func (r *billingRig) forget(t *testing.T, evs []billing.Event) {
	t.Helper()
	ids := make([]string, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	if _, err := r.pool.Exec(t.Context(), "delete from public.webhook_events where stripe_event_id = any($1)", ids); err != nil {
		t.Fatal(err)
	}
}

// permutations returns every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := slices.Insert(slices.Clone(p), i, n-1)
			out = append(out, q)
		}
	}
	return out
}

// TestPaymentOutcomeIndependentOfDeliveryOrder is the property of issue 7: for a purchase with
// up to three partial or full refunds, every order of the deliveries, each delivered twice at
// once and once more after all the others with its processing record gone, ends in the same
// balance, ledger sum and payment state as delivery in order — which is the signup bonus plus
// the credits bought less floor(credits·refunded/amount).
func TestPaymentOutcomeIndependentOfDeliveryOrder(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, contendedPool(t, 8))
	const bonus, credits, amount = 25, 100, 9215
	scenarios := [][]int64{ // cumulative amount_refunded of each refund, in Stripe's order
		{},
		{amount},
		{3000},
		{4608, amount},
		{3000, 6000, amount},
		{50, 120, 4608}, // increments worth less than a credit each
	}
	covered := 0
	for _, refunds := range scenarios {
		t.Run(fmt.Sprint(refunds), func(t *testing.T) {
			// deliver runs one delivery order and returns the balance and the payment's state.
			deliver := func(t *testing.T, order []int, storm bool) (int64, payState) {
				m := provision(t, r.db, bonus)
				pay := newPackPayment(m.account, credits, amount)
				evs := []billing.Event{pay.purchase()}
				for _, cum := range refunds {
					evs = append(evs, pay.refund(cum))
				}
				delivered := make([]billing.Event, len(order))
				for i, idx := range order {
					delivered[i] = evs[idx]
				}
				for _, ev := range delivered {
					if !storm {
						if _, err := r.proc.Handle(t.Context(), ev); err != nil {
							t.Fatalf("%s: %v", ev.Type, err)
						}
						continue
					}
					r.handleConcurrently(t, ev, ev)
				}
				if storm {
					r.forget(t, delivered)
					for _, ev := range delivered {
						if _, err := r.proc.Handle(t.Context(), ev); err != nil {
							t.Fatalf("redelivery of %s: %v", ev.Type, err)
						}
					}
				}
				bal := storedBalance(t, r.pool, m.account)
				if sum := ledgerSum(t, r, m.account); sum != bal {
					t.Errorf("order %v: ledger sums to %d, balance %d", order, sum, bal)
				}
				if n := count(t, r.pool, "select count(*) from public.credit_ledger where account_id = $1 and delta = 0", m.account); n != 0 {
					t.Errorf("order %v: %d empty ledger entries", order, n)
				}
				return bal, r.payState(t, pay.intent)
			}

			inOrder := make([]int, len(refunds)+1)
			for i := range inOrder {
				inOrder[i] = i
			}
			wantBal, want := deliver(t, inOrder, false)
			var refunded int64
			if len(refunds) > 0 {
				refunded = refunds[len(refunds)-1]
			}
			if formula := int64(bonus + credits - credits*refunded/amount); wantBal != formula {
				t.Errorf("in order: balance %d, want bonus + credits − floor(credits·refunded/amount) = %d", wantBal, formula)
			}
			for _, order := range permutations(len(refunds) + 1) {
				bal, st := deliver(t, order, true)
				if bal != wantBal || st != want {
					t.Errorf("order %v: balance %d, payment %+v; in order: %d, %+v", order, bal, st, wantBal, want)
				}
				covered++
			}
		})
	}
	t.Logf("%d delivery orders covered, each event delivered twice at once and once more after the others", covered)
	if covered != 1+2+2+6+24+24 {
		t.Errorf("covered %d orders", covered)
	}
}

// TestConcurrentEventsOfOnePayment delivers a purchase and its three refunds, each twice, all at
// once: the row lock on the payment (under the account's billing lock) serialises them, and
// every round ends where in-order delivery does.
func TestConcurrentEventsOfOnePayment(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, contendedPool(t, 10))
	const rounds, bonus, credits, amount = 8, 25, 100, 9215
	for round := range rounds {
		m := provision(t, r.db, bonus)
		pay := newPackPayment(m.account, credits, amount)
		evs := []billing.Event{pay.purchase(), pay.refund(1000), pay.refund(5000), pay.refund(7000)}
		r.handleConcurrently(t, append(slices.Clone(evs), evs...)...)
		want := int64(bonus + credits - credits*7000/amount)
		if b := storedBalance(t, r.pool, m.account); b != want || ledgerSum(t, r, m.account) != b {
			t.Errorf("round %d: balance %d (ledger %d), want %d", round, b, ledgerSum(t, r, m.account), want)
		}
		if st := r.payState(t, pay.intent); st.net != credits-credits*7000/amount || st.owed != 0 || !st.purchased {
			t.Errorf("round %d: payment %+v", round, st)
		}
	}
}

// TestOwedCreditsAreSettledFromTheNextGrant: a refund of spent credits leaves a debt; the next
// paid grant (a credit pack or a subscription period) pays it first, oldest debt first — and
// the result does not depend on whether that grant arrives before or after the refund.
func TestOwedCreditsAreSettledFromTheNextGrant(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, pgtest.Pool(t))
	ledger := postgres.NewLedgerStore(r.db)

	// spentThenRefunded buys 100 credits, spends 90 and returns the pack's full refund, not yet
	// delivered.
	spentThenRefunded := func(t *testing.T) (member, packPayment, billing.Event) {
		m := provision(t, r.db, 0)
		a := newPackPayment(m.account, 100, 9215)
		if _, err := r.proc.Handle(t.Context(), a.purchase()); err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.Apply(t.Context(), debit(m.account, "analysis:"+newUUID(), 90)); err != nil {
			t.Fatal(err)
		}
		return m, a, a.refund(9215)
	}

	t.Run("by a later credit pack, in either order", func(t *testing.T) {
		type result struct {
			balance int64
			a, b    payState
		}
		var results []result
		for _, refundFirst := range []bool{true, false} {
			m, a, refund := spentThenRefunded(t)
			b := newPackPayment(m.account, 50, 4900)
			order := []billing.Event{refund, b.purchase()}
			if !refundFirst {
				order[0], order[1] = order[1], order[0]
			}
			for _, ev := range order {
				if _, err := r.proc.Handle(t.Context(), ev); err != nil {
					t.Fatal(err)
				}
			}
			res := result{storedBalance(t, r.pool, m.account), r.payState(t, a.intent), r.payState(t, b.intent)}
			if res.balance != ledgerSum(t, r, m.account) {
				t.Errorf("ledger sum %d, balance %d", ledgerSum(t, r, m.account), res.balance)
			}
			results = append(results, res)
		}
		// 100 − 90 spent − 100 refunded + 50 bought: 40 still owed, balance 0.
		for i, res := range results {
			if res.balance != 0 || res.a.owed+res.b.owed != 40 || res != results[0] {
				t.Errorf("order %d: %+v; first order %+v", i, res, results[0])
			}
		}
	})
	t.Run("by a subscription period", func(t *testing.T) {
		m, a, refund := spentThenRefunded(t)
		if _, err := r.proc.Handle(t.Context(), refund); err != nil {
			t.Fatal(err)
		}
		if st := r.payState(t, a.intent); st.owed != 90 {
			t.Fatalf("payment %+v, want 90 owed", st)
		}
		renewal := billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeInvoicePaid, Created: time.Now().UTC(),
			AccountID: m.account, SubscriptionID: "sub_" + newUUID(), ObjectID: "in_" + newUUID(), Plan: "growth",
			BillingReason: billing.ReasonSubscriptionCycle}
		renewal.InvoiceID = renewal.ObjectID
		for range 2 {
			r.forget(t, []billing.Event{renewal}) // the second run reaches the store again
			if out, err := r.proc.Handle(t.Context(), renewal); err != nil || out.Result != billing.ResultGranted {
				t.Fatalf("renewal = %+v, %v", out, err)
			}
		}
		if b := storedBalance(t, r.pool, m.account); b != 250-90 {
			t.Errorf("balance %d, want 250 granted − 90 owed", b)
		}
		if st := r.payState(t, a.intent); st.owed != 0 || st.net != 0 {
			t.Errorf("payment %+v, want the debt settled", st)
		}
	})
}

func TestPaymentOfAnotherAccountIsRefused(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, pgtest.Pool(t))
	owner, other := provision(t, r.db, 0), provision(t, r.db, 0)
	pay := newPackPayment(owner.account, 100, 9215)
	if _, err := r.proc.Handle(t.Context(), pay.purchase()); err != nil {
		t.Fatal(err)
	}
	refund := pay.refund(9215)
	refund.AccountID = other.account
	if _, err := r.proc.Handle(t.Context(), refund); apperr.CodeOf(err) != billing.CodeWebhookPayload {
		t.Fatalf("err = %v, want %s", err, billing.CodeWebhookPayload)
	}
	if b := storedBalance(t, r.pool, owner.account) + storedBalance(t, r.pool, other.account); b != 100 {
		t.Errorf("balances sum to %d, want the 100 bought", b)
	}
}

// TestFirstPeriodOnceWhenTheSessionNamesNoInvoice: a subscription checkout whose session has no
// invoice, and the first invoice's invoice.paid (subscription_create), grant the first period
// once, in either order.
func TestFirstPeriodOnceWhenTheSessionNamesNoInvoice(t *testing.T) {
	t.Parallel()
	r := newBillingRig(t, pgtest.Pool(t))
	for _, checkoutFirst := range []bool{true, false} {
		m := provision(t, r.db, 0)
		sub, at := "sub_"+newUUID(), time.Now().UTC().Truncate(time.Second)
		checkout := billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeCheckoutCompleted, Created: at,
			AccountID: m.account, CustomerID: "cus_" + newUUID(), ObjectID: "cs_" + newUUID(), SubscriptionID: sub,
			Plan: "growth", Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid}
		paid := billing.Event{ID: "evt_" + newUUID(), Type: billing.TypeInvoicePaid, Created: at,
			AccountID: m.account, SubscriptionID: sub, ObjectID: "in_" + newUUID(), Plan: "growth",
			PriceID: "price_inline_growth", BillingReason: billing.ReasonSubscriptionCreate}
		paid.InvoiceID = paid.ObjectID
		order := []billing.Event{checkout, paid}
		if !checkoutFirst {
			order = []billing.Event{paid, checkout}
		}
		for _, ev := range order {
			if _, err := r.proc.Handle(t.Context(), ev); err != nil {
				t.Fatalf("%s: %v", ev.Type, err)
			}
		}
		if b := storedBalance(t, r.pool, m.account); b != 250 {
			t.Errorf("checkout first %v: balance %d, want 250 (growth, once)", checkoutFirst, b)
		}
		if n := count(t, r.pool, "select count(*) from public.credit_ledger where account_id = $1 and kind = 'subscription_grant'", m.account); n != 1 {
			t.Errorf("checkout first %v: %d grants", checkoutFirst, n)
		}
	}
}
