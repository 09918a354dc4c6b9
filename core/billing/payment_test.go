package billing_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

// decided expects one ChangeCredits for key, runs decide on st and answers as the store does
// when every entry is new. It returns the change decided.
func (b *procBundle) decided(key string, st billing.CreditState) *billing.CreditChange {
	got := new(billing.CreditChange)
	b.store.EXPECT().ChangeCredits(gomock.Any(), accountID, key, gomock.Any()).DoAndReturn(
		func(_ context.Context, _, _ string, decide func(billing.CreditState) (billing.CreditChange, error)) (billing.CreditResult, error) {
			ch, err := decide(st)
			*got = ch
			return appliedResult(ch), err
		})
	return got
}

// entry is the short form of an entry request, for comparisons.
type entry struct {
	kind   credit.EntryKind
	amount int64
	ref    string
}

func entries(ch *billing.CreditChange) []entry {
	var out []entry
	for _, e := range ch.Entries {
		out = append(out, entry{e.Kind, e.Amount.Int64(), e.Reference})
	}
	return out
}

func TestPaymentRules(t *testing.T) {
	t.Parallel()
	// A pack of 100 credits for 9215 cents, paid with pi_1.
	purchaseEv := billing.Event{ID: "evt_buy", Type: billing.TypeCheckoutCompleted, AccountID: accountID, ObjectID: "cs_1",
		PaymentIntentID: "pi_1", Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 100}
	refundEv := func(id string, refunded int64) billing.Event {
		return billing.Event{ID: id, Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
			PaymentIntentID: "pi_1", Credits: 100, Amount: 9215, AmountRefunded: refunded}
	}
	bought := billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Purchased: true, Granted: 100, Events: []string{"evt_buy"}}
	debtA := billing.Payment{Key: "pi_a", AccountID: accountID, Credits: 100, Amount: 100, AmountRefunded: 100, Purchased: true, Granted: 100, TakenBack: 10, Owed: 90}
	debtB := billing.Payment{Key: "pi_b", AccountID: accountID, Credits: 50, Amount: 50, AmountRefunded: 50, Purchased: true, Granted: 50, TakenBack: 30, Owed: 20}
	debtC := billing.Payment{Key: "pi_c", AccountID: accountID, Credits: 10, Amount: 10, AmountRefunded: 10, Purchased: true, Granted: 10, Owed: 10}

	cases := []struct {
		name    string
		ev      billing.Event
		st      billing.CreditState
		entries []entry
		payment billing.Payment // the event's payment as stored afterwards (Key "" when none is stored)
		debts   map[string]int64
		replay  bool
	}{{
		name:    "a refund before its purchase takes nothing from the balance",
		ev:      refundEv("evt_r1", 9215),
		st:      billing.CreditState{Payment: billing.Payment{Key: "pi_1", AccountID: accountID}, Balance: 25},
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 9215, Events: []string{"evt_r1"}},
	}, {
		name: "a purchase after its full refund grants nothing",
		ev:   purchaseEv,
		st: billing.CreditState{Balance: 25, Payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100,
			Amount: 9215, AmountRefunded: 9215, Events: []string{"evt_r1"}}},
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 9215,
			Purchased: true, Events: []string{"evt_r1", "evt_buy"}},
	}, {
		name: "a purchase after a partial refund grants what is left",
		ev:   purchaseEv,
		st: billing.CreditState{Balance: 25, Payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100,
			Amount: 9215, AmountRefunded: 3000, Events: []string{"evt_r1"}}},
		entries: []entry{{credit.Purchase, 68, "evt_buy"}}, // 100 − floor(100·3000/9215) = 100 − 32
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 3000,
			Purchased: true, Granted: 68, Events: []string{"evt_r1", "evt_buy"}},
	}, {
		name:    "a refund the balance cannot cover is owed",
		ev:      refundEv("evt_r1", 9215),
		st:      billing.CreditState{Balance: 10, Payment: bought},
		entries: []entry{{credit.Chargeback, 10, "evt_r1"}},
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 9215,
			Purchased: true, Granted: 100, TakenBack: 10, Owed: 90, Events: []string{"evt_buy", "evt_r1"}},
	}, {
		name: "at a zero balance everything is owed and no entry is written",
		ev:   refundEv("evt_r1", 4608),
		st:   billing.CreditState{Balance: 0, Payment: bought},
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 4608,
			Purchased: true, Granted: 100, Owed: 50, Events: []string{"evt_buy", "evt_r1"}},
	}, {
		name: "an older refund delivered after a newer one takes nothing more",
		ev:   refundEv("evt_r1", 3000),
		st: billing.CreditState{Balance: 50, Payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215,
			AmountRefunded: 9215, Purchased: true, Granted: 100, TakenBack: 100, Events: []string{"evt_buy", "evt_r2"}}},
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Amount: 9215, AmountRefunded: 9215,
			Purchased: true, Granted: 100, TakenBack: 100, Events: []string{"evt_buy", "evt_r2", "evt_r1"}},
	}, {
		name:   "the same refund again is a replay",
		ev:     refundEv("evt_r1", 9215),
		st:     billing.CreditState{Balance: 50, Payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Purchased: true, Granted: 100, TakenBack: 100, Events: []string{"evt_buy", "evt_r1"}}},
		replay: true,
	}, {
		name:   "a second purchase of one payment is a replay",
		ev:     purchaseEv,
		st:     billing.CreditState{Balance: 50, Payment: bought},
		replay: true,
	}, {
		name: "a purchase settles the account's debts, oldest first, from what it granted",
		ev:   purchaseEv,
		st:   billing.CreditState{Balance: 0, Payment: billing.Payment{Key: "pi_1", AccountID: accountID}, Debts: []billing.Payment{debtA, debtB}},
		entries: []entry{{credit.Purchase, 100, "evt_buy"}, {credit.Chargeback, 90, "evt_buy:settles:pi_a"},
			{credit.Chargeback, 10, "evt_buy:settles:pi_b"}},
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Purchased: true, Granted: 100, Events: []string{"evt_buy"}},
		debts:   map[string]int64{"pi_a": 0, "pi_b": 10},
	}, {
		name: "debts the grant cannot reach stay owed, untouched",
		ev:   purchaseEv,
		st: billing.CreditState{Balance: 0, Payment: billing.Payment{Key: "pi_1", AccountID: accountID},
			Debts: []billing.Payment{debtA, debtB, debtC}},
		entries: []entry{{credit.Purchase, 100, "evt_buy"}, {credit.Chargeback, 90, "evt_buy:settles:pi_a"},
			{credit.Chargeback, 10, "evt_buy:settles:pi_b"}},
		payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100, Purchased: true, Granted: 100, Events: []string{"evt_buy"}},
		debts:   map[string]int64{"pi_a": 0, "pi_b": 10}, // pi_c is not stored again
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t)
			b.fresh(tc.ev)
			ch := b.decided("pi_1", tc.st)
			out, err := b.proc.Handle(context.Background(), tc.ev)
			if err != nil || out.Replay != tc.replay {
				t.Fatalf("Handle = %+v, %v", out, err)
			}
			if got := entries(ch); !equalEntries(got, tc.entries) {
				t.Errorf("entries %v, want %v", got, tc.entries)
			}
			if tc.replay {
				if len(ch.Payments) != 0 {
					t.Errorf("a replay stores %+v", ch.Payments)
				}
				return
			}
			if len(ch.Payments) == 0 || !equalPayment(ch.Payments[0], tc.payment) {
				t.Fatalf("payment stored %+v, want %+v", ch.Payments, tc.payment)
			}
			for _, d := range ch.Payments[1:] {
				if owed, ok := tc.debts[d.Key]; !ok || d.Owed != owed {
					t.Errorf("debt %s stored with %d owed, want %d (%v)", d.Key, d.Owed, owed, ok)
				}
			}
			if len(ch.Payments)-1 != len(tc.debts) {
				t.Errorf("%d debts stored, want %d", len(ch.Payments)-1, len(tc.debts))
			}
		})
	}
}

func TestSubscriptionGrantSettlesDebts(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_renew", Type: billing.TypeInvoicePaid, AccountID: accountID, SubscriptionID: "sub_1",
		ObjectID: "in_2", InvoiceID: "in_2", PriceID: "price_growth", BillingReason: billing.ReasonSubscriptionCycle}
	b.fresh(ev)
	b.store.EXPECT().PlanByPrice(gomock.Any(), "price_growth").Return(growth, true, nil)
	debt := billing.Payment{Key: "pi_a", AccountID: accountID, Credits: 1000, Purchased: true, Granted: 1000, TakenBack: 600, Owed: 400}
	ch := b.decided("", billing.CreditState{Debts: []billing.Payment{debt}})
	out, err := b.proc.Handle(context.Background(), ev)
	if err != nil || out.Result != billing.ResultGranted || out.Credits != 0 { // +250 granted, −250 settled
		t.Fatalf("Handle = %+v, %v", out, err)
	}
	want := []entry{{credit.SubscriptionGrant, 250, "in_2"}, {credit.Chargeback, 250, "in_2:settles:pi_a"}}
	if got := entries(ch); !equalEntries(got, want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	if len(ch.Payments) != 1 || ch.Payments[0].Owed != 150 || ch.Payments[0].TakenBack != 850 {
		t.Errorf("debt stored as %+v", ch.Payments)
	}
}

func equalEntries(a, b []entry) bool { return slices.Equal(a, b) }

func equalPayment(a, b billing.Payment) bool {
	if !slices.Equal(a.Events, b.Events) {
		return false
	}
	a.Events, b.Events = nil, nil
	return reflect.DeepEqual(a, b)
}
