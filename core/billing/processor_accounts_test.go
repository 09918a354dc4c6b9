package billing_test

import (
	"context"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

// TestEventAccountResolution: an event concerns the account in our metadata when it names a
// valid one; else the account that stores its Stripe customer; else the account of the stored
// subscription it belongs to. Each lookup runs only when the previous one found nothing and the
// event carries what it needs (the mocks refuse any other call).
func TestEventAccountResolution(t *testing.T) {
	t.Parallel()
	const viaCustomer = "3e2d1c0b-aaaa-4bbb-8ccc-0123456789ab"
	const viaSubscription = "7f6e5d4c-dddd-4eee-8fff-ba9876543210"
	renewal := billing.Event{Type: billing.TypeInvoicePaid, SubscriptionID: "sub_1", ObjectID: "in_2", InvoiceID: "in_2",
		PriceID: "price_growth", BillingReason: billing.ReasonSubscriptionCycle}
	cases := []struct {
		name     string
		metadata string // the event's account_id metadata
		customer string
		lookups  func(b *procBundle)
		want     string
	}{{
		name:     "metadata names the account: no lookup",
		metadata: accountID, customer: "cus_1",
		lookups: func(*procBundle) {},
		want:    accountID,
	}, {
		name:     "metadata that is not an account id is not trusted: the customer decides",
		metadata: "acct_legacy", customer: "cus_1",
		lookups: func(b *procBundle) {
			b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return(viaCustomer, true, nil)
		},
		want: viaCustomer,
	}, {
		name:     "the customer's account wins over the subscription's",
		customer: "cus_1",
		lookups: func(b *procBundle) {
			b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return(viaCustomer, true, nil)
		},
		want: viaCustomer,
	}, {
		name:     "a customer known only through the stored subscription",
		customer: "cus_unknown",
		lookups: func(b *procBundle) {
			b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_unknown").Return("", false, nil)
			sub := stored("sub_1", billing.StatusActive, "growth", t0)
			sub.AccountID = viaSubscription
			b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(*sub, true, nil)
		},
		want: viaSubscription,
	}, {
		name: "no customer: straight to the subscription",
		lookups: func(b *procBundle) {
			sub := stored("sub_1", billing.StatusActive, "growth", t0)
			sub.AccountID = viaSubscription
			b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(*sub, true, nil)
		},
		want: viaSubscription,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t)
			ev := renewal
			ev.ID, ev.AccountID, ev.CustomerID = "evt_"+tc.name, tc.metadata, tc.customer
			recorded := b.fresh(ev)
			tc.lookups(b)
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_growth").Return(growth, true, nil)
			b.granted(credit.EntryRequest{AccountID: tc.want, Kind: credit.SubscriptionGrant, Amount: credit.MustAmount(250), Reference: "in_2"}, 250)
			out, err := b.proc.Handle(context.Background(), ev)
			if err != nil || out.Result != billing.ResultGranted || out.AccountID != tc.want || out.Credits != 250 {
				t.Fatalf("Handle = %+v, %v; want 250 granted to %s", out, err, tc.want)
			}
			if recorded.AccountID != tc.want {
				t.Errorf("recorded for account %q", recorded.AccountID)
			}
		})
	}
}

// TestEventsOfUnknownAccountsAreIgnored: the Stripe account may serve other products, so an
// event whose account cannot be found is acknowledged as ignored — recorded as processed, not
// failed and not retried — and changes nothing.
func TestEventsOfUnknownAccountsAreIgnored(t *testing.T) {
	t.Parallel()
	cases := map[string]billing.Event{
		"a credit pack checkout": {Type: billing.TypeCheckoutCompleted, Mode: billing.ModePayment,
			PaymentStatus: billing.PaymentPaid, Credits: 100, ObjectID: "cs_1"},
		"a subscription checkout": {Type: billing.TypeCheckoutAsyncSucceeded, Mode: billing.ModeSubscription,
			PaymentStatus: billing.PaymentPaid, Plan: "growth", SubscriptionID: "sub_other"},
		"a renewal invoice": {Type: billing.TypeInvoicePaymentSucceeded, SubscriptionID: "sub_other", InvoiceID: "in_1",
			PriceID: "price_growth", BillingReason: billing.ReasonSubscriptionCycle},
		"a subscription update": {Type: billing.TypeSubscriptionCreated, SubscriptionID: "sub_other",
			PriceID: "price_growth", Status: billing.StatusActive},
		"a refunded credit pack": {Type: billing.TypeChargeRefunded, ObjectID: "ch_1", Credits: 100,
			Amount: 9215, AmountRefunded: 9215},
	}
	for name, ev := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t) // no plan, subscription or credit change expected
			ev.ID, ev.AccountID, ev.CustomerID = "evt_"+name, "not-an-account", "cus_other"
			recorded := b.fresh(ev)
			b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_other").Return("", false, nil)
			if ev.SubscriptionID != "" {
				b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), ev.SubscriptionID).Return(billing.Subscription{}, false, nil)
			}
			out, err := b.proc.Handle(context.Background(), ev)
			if err != nil || out.Result != billing.ResultIgnored || out.AccountID != "" || out.Credits != 0 {
				t.Fatalf("Handle = %+v, %v; want ignored", out, err)
			}
			if *recorded != out {
				t.Errorf("recorded %+v, returned %+v", *recorded, out)
			}
		})
	}
}

// TestNothingToGrant: events that are valid but grant nothing are acknowledged without a credit
// change.
func TestNothingToGrant(t *testing.T) {
	t.Parallel()
	t.Run("an invoice outside any subscription", func(t *testing.T) {
		t.Parallel()
		b := newProc(t) // not even the account is looked up
		ev := billing.Event{ID: "evt_manual", Type: billing.TypeInvoicePaid, CustomerID: "cus_1", InvoiceID: "in_manual",
			BillingReason: "manual"}
		b.fresh(ev)
		if out, err := b.proc.Handle(context.Background(), ev); err != nil || out.Result != billing.ResultIgnored {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
	t.Run("a renewal of a plan without monthly credits", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_free_renew", Type: billing.TypeInvoicePaid, AccountID: accountID, SubscriptionID: "sub_1",
			InvoiceID: "in_3", PriceID: "price_free", BillingReason: billing.ReasonSubscriptionCycle}
		b.fresh(ev)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_free").Return(free, true, nil)
		out, err := b.proc.Handle(context.Background(), ev)
		if err != nil || out.Result != billing.ResultIgnored || out.AccountID != accountID || out.Credits != 0 {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
	t.Run("a subscription checkout of a plan without monthly credits activates it only", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		starter := billing.Plan{Name: "starter", DisplayName: "Starter", PriceCents: 500, Active: true}
		ev := billing.Event{ID: "evt_starter", Type: billing.TypeCheckoutCompleted, Created: t0, AccountID: accountID,
			SubscriptionID: "sub_s", Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid, Plan: "starter"}
		b.fresh(ev)
		b.store.EXPECT().Plan(gomock.Any(), "starter").Return(starter, true, nil)
		row := b.subscriptionRow(nil)
		out, err := b.proc.Handle(context.Background(), ev)
		if err != nil || out.Result != billing.ResultUpdated || out.Credits != 0 || out.AccountID != accountID {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
		if row.Plan != "starter" || row.Status != billing.StatusActive {
			t.Errorf("stored subscription %+v", *row)
		}
	})
	t.Run("a refund with nothing refunded yet takes nothing", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_r0", Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
			PaymentIntentID: "pi_1", Credits: 100, Amount: 9215}
		b.fresh(ev)
		st := billing.CreditState{Balance: 100, Payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 100,
			Purchased: true, Granted: 100}}
		ch := b.decided("pi_1", st)
		out, err := b.proc.Handle(context.Background(), ev)
		if err != nil || out.Result != billing.ResultChargedBack || out.Credits != 0 || len(ch.Entries) != 0 {
			t.Fatalf("Handle = %+v, %v; entries %v", out, err, entries(ch))
		}
	})
}

// TestGrantReferenceFallbacks: a renewal is keyed by its invoice; an event that names none (never
// seen from Stripe) falls back to its object, then to the event itself — never to an empty
// reference, which would make every such grant one entry.
func TestGrantReferenceFallbacks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, invoice, object, want string
	}{
		{"the invoice", "in_7", "in_obj", "in_7"},
		{"the object without an invoice id", "", "in_obj", "in_obj"},
		{"the event without either", "", "", "evt_bare"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t)
			ev := billing.Event{ID: "evt_bare", Type: billing.TypeInvoicePaid, AccountID: accountID, SubscriptionID: "sub_1",
				InvoiceID: tc.invoice, ObjectID: tc.object, PriceID: "price_growth", BillingReason: billing.ReasonSubscriptionCycle}
			b.fresh(ev)
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_growth").Return(growth, true, nil)
			b.credited("", billing.CreditState{}, credit.EntryRequest{AccountID: accountID, Kind: credit.SubscriptionGrant,
				Amount: credit.MustAmount(250), Reference: tc.want})
			if out, err := b.proc.Handle(context.Background(), ev); err != nil || out.Result != billing.ResultGranted {
				t.Fatalf("Handle = %+v, %v", out, err)
			}
		})
	}
}
