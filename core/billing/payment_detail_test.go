package billing_test

import (
	"context"
	"testing"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

// TestPaymentOutcomeDetails: the outcome an operator reads for a purchase or a refund says exactly
// what was granted, already refunded, taken back, owed and settled — each clause only when its
// figure is not zero, with the figure itself.
func TestPaymentOutcomeDetails(t *testing.T) {
	t.Parallel()
	purchaseEv := billing.Event{ID: "evt_buy", Type: billing.TypeCheckoutCompleted, AccountID: accountID, ObjectID: "cs_1",
		PaymentIntentID: "pi_1", Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 100}
	refundEv := billing.Event{ID: "evt_r1", Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
		PaymentIntentID: "pi_1", Credits: 100, Amount: 9215, AmountRefunded: 4608} // half: 50 credits
	bought := billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Purchased: true, Granted: 100, Events: []string{"evt_buy"}}
	debt := billing.Payment{Key: "pi_a", AccountID: accountID, Credits: 40, Purchased: true, Granted: 40, Owed: 40}
	cases := []struct {
		name, detail string
		ev           billing.Event
		st           billing.CreditState
	}{
		{"a plain purchase", "credit pack of 100", purchaseEv,
			billing.CreditState{Payment: billing.Payment{Key: "pi_1", AccountID: accountID}}},
		{"a purchase after a partial refund", "credit pack of 100, 32 already refunded", purchaseEv, // floor(100·3000/9215)
			billing.CreditState{Payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 3000}}},
		{"a purchase settling a debt", "credit pack of 100, 40 settled an earlier refund's debt", purchaseEv,
			billing.CreditState{Payment: billing.Payment{Key: "pi_1", AccountID: accountID}, Debts: []billing.Payment{debt}}},
		{"a refund the balance covers exactly", "refund takes back 50", refundEv,
			billing.CreditState{Payment: bought, Balance: 50}},
		{"a refund the balance covers in part", "refund takes back 20, 30 owed (the balance could not cover them)", refundEv,
			billing.CreditState{Payment: bought, Balance: 20}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t)
			stored := b.fresh(tc.ev)
			b.decided("pi_1", tc.st)
			out, err := b.proc.Handle(context.Background(), tc.ev)
			if err != nil || out.Detail != tc.detail || stored.Detail != tc.detail {
				t.Fatalf("Handle = %+v, %v (stored %q); want detail %q", out, err, stored.Detail, tc.detail)
			}
		})
	}
}

// TestRefundAfterADebtTakesOnlyTheNewShare: a payment whose first refund could not be covered
// (owed) counts what it owes as already cancelled, so a second refund takes only the credits its
// own increase cancels — never the owed ones a second time.
func TestRefundAfterADebtTakesOnlyTheNewShare(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_r2", Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
		PaymentIntentID: "pi_1", Credits: 100, Amount: 9215, AmountRefunded: 9215}
	b.fresh(ev)
	// After evt_r1 refunded half at a zero balance: 50 owed, nothing taken back.
	owing := billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 4608,
		Purchased: true, Granted: 100, Owed: 50, Events: []string{"evt_buy", "evt_r1"}}
	ch := b.decided("pi_1", billing.CreditState{Payment: owing, Balance: 500})
	if _, err := b.proc.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got, want := entries(ch), []entry{{credit.Chargeback, 50, "evt_r2"}}; !equalEntries(got, want) {
		t.Errorf("entries %v, want %v (the other 50 are still owed)", got, want)
	}
	if len(ch.Payments) != 1 || ch.Payments[0].TakenBack != 50 || ch.Payments[0].Owed != 50 {
		t.Errorf("payment stored as %+v, want 50 taken back and 50 still owed", ch.Payments)
	}
}

// TestRefundedCreditsWithoutAnAmount: a payment with no charge amount recorded cancels nothing,
// whatever its refunded figure says (the ratio is undefined; it must not divide by zero), and
// nothing is cancelled without credits or without a refund.
func TestRefundedCreditsWithoutAnAmount(t *testing.T) {
	t.Parallel()
	for _, p := range []billing.Payment{
		{Credits: 100, Amount: 0, AmountRefunded: 500},
		{Credits: 100, Amount: -1, AmountRefunded: 500},
		{Credits: 100, Amount: 9215, AmountRefunded: 0},
		{Credits: 0, Amount: 9215, AmountRefunded: 9215},
	} {
		if got := p.RefundedCredits(); got != 0 {
			t.Errorf("%+v: RefundedCredits = %d, want 0", p, got)
		}
	}
	if got := (billing.Payment{Credits: 100, Amount: 9215, AmountRefunded: 9215}).RefundedCredits(); got != 100 {
		t.Errorf("a full refund cancels %d credits, want 100", got)
	}
}
