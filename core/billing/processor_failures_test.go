package billing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

// down is a storage outage, as the postgres adapter reports one.
var down = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "database down")

// failing expects the event to be unprocessed and its failure to be stored (never its outcome);
// it returns a pointer that receives the stored reason.
func (b *procBundle) failing(ev billing.Event) *string {
	reason := new(string)
	b.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, nil)
	b.store.EXPECT().FailEvent(gomock.Any(), ev, gomock.Any()).DoAndReturn(
		func(_ context.Context, _ billing.Event, r string) error { *reason = r; return nil })
	return reason
}

// TestStorageOutagesFailEventsRetryably: wherever processing reads or writes storage, an outage
// fails the event with the outage itself (Unavailable, so the workflow retries it), stores the
// failure with the event, and stops: nothing after the failed call runs (the mocks expect no
// further call) and no outcome is recorded.
func TestStorageOutagesFailEventsRetryably(t *testing.T) {
	t.Parallel()
	checkout := billing.Event{Type: billing.TypeCheckoutCompleted, CustomerID: "cus_1", SubscriptionID: "sub_1",
		Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid, Plan: "growth"}
	invoice := billing.Event{Type: billing.TypeInvoicePaid, CustomerID: "cus_1", SubscriptionID: "sub_1",
		InvoiceID: "in_1", PriceID: "price_inline", BillingReason: billing.ReasonSubscriptionCycle}
	update := billing.Event{Type: billing.TypeSubscriptionUpdated, CustomerID: "cus_1", SubscriptionID: "sub_1",
		PriceID: "price_growth", Status: billing.StatusActive}
	refund := billing.Event{Type: billing.TypeChargeRefunded, CustomerID: "cus_1", ObjectID: "ch_1", Credits: 100,
		Amount: 9215, AmountRefunded: 9215}
	withAccount := func(ev billing.Event) billing.Event { ev.AccountID = accountID; return ev }

	cases := []struct {
		name    string
		ev      billing.Event
		expect  func(b *procBundle)
		context string // what the recorded failure says was being done
	}{{
		name:    "checkout: finding the customer's account",
		ev:      checkout,
		expect:  func(b *procBundle) { b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return("", false, down) },
		context: "find account of customer",
	}, {
		name: "checkout: finding the subscription's account",
		ev:   checkout,
		expect: func(b *procBundle) {
			b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return("", false, nil)
			b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(billing.Subscription{}, false, down)
		},
		context: "find account of subscription",
	}, {
		name:    "checkout: reading the plan bought",
		ev:      withAccount(checkout),
		expect:  func(b *procBundle) { b.store.EXPECT().Plan(gomock.Any(), "growth").Return(billing.Plan{}, false, down) },
		context: "find plan",
	}, {
		name: "checkout: activating the subscription",
		ev:   withAccount(checkout),
		expect: func(b *procBundle) {
			b.store.EXPECT().Plan(gomock.Any(), "growth").Return(growth, true, nil)
			b.store.EXPECT().ChangeSubscription(gomock.Any(), accountID, gomock.Any()).Return(billing.Subscription{}, false, down)
		},
		context: "activate subscription",
	}, {
		name:    "invoice: finding the customer's account",
		ev:      invoice,
		expect:  func(b *procBundle) { b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return("", false, down) },
		context: "find account of customer",
	}, {
		name: "invoice: reading the plan by price",
		ev:   withAccount(invoice),
		expect: func(b *procBundle) {
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_inline").Return(billing.Plan{}, false, down)
		},
		context: "find plan",
	}, {
		name: "invoice: reading the stored subscription for an inline price",
		ev:   withAccount(invoice),
		expect: func(b *procBundle) {
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_inline").Return(billing.Plan{}, false, nil)
			b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(billing.Subscription{}, false, down)
		},
		context: "find subscription",
	}, {
		name: "invoice: reading the stored subscription's plan",
		ev:   withAccount(invoice),
		expect: func(b *procBundle) {
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_inline").Return(billing.Plan{}, false, nil)
			b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(*stored("sub_1", billing.StatusActive, "pro", t0), true, nil)
			b.store.EXPECT().Plan(gomock.Any(), "pro").Return(billing.Plan{}, false, down)
		},
		context: "find plan",
	}, {
		name:    "subscription: finding the account",
		ev:      update,
		expect:  func(b *procBundle) { b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return("", false, down) },
		context: "find account of customer",
	}, {
		name: "subscription: reading the plan by price",
		ev:   withAccount(update),
		expect: func(b *procBundle) {
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_growth").Return(billing.Plan{}, false, down)
		},
		context: "find plan",
	}, {
		name: "subscription: storing the change",
		ev:   withAccount(update),
		expect: func(b *procBundle) {
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_growth").Return(growth, true, nil)
			b.store.EXPECT().ChangeSubscription(gomock.Any(), accountID, gomock.Any()).Return(billing.Subscription{}, false, down)
		},
		context: "change subscription",
	}, {
		name:    "refund: finding the customer's account",
		ev:      refund,
		expect:  func(b *procBundle) { b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return("", false, down) },
		context: "find account of customer",
	}}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t)
			ev := tc.ev
			ev.ID = "evt_down_" + string(rune('a'+i))
			reason := b.failing(ev)
			tc.expect(b)
			out, err := b.proc.Handle(context.Background(), ev)
			if !errors.Is(err, down) || apperr.KindOf(err) != apperr.Unavailable || !apperr.KindOf(err).Retryable() {
				t.Fatalf("Handle = %+v, %v; want the outage, retryable", out, err)
			}
			if out != (billing.Outcome{}) {
				t.Errorf("a failed event returned the outcome %+v", out)
			}
			if !strings.HasPrefix(*reason, apperr.CodeUnavailable+": ") || !strings.Contains(*reason, tc.context) {
				t.Errorf("stored failure %q, want %s: …%s…", *reason, apperr.CodeUnavailable, tc.context)
			}
		})
	}
}

// TestPermanentEventFailures: events that can never succeed as they are fail with an Invalid
// error (not retried by the workflow), are recorded as failed, and change nothing.
func TestPermanentEventFailures(t *testing.T) {
	t.Parallel()
	tooMany := int64(credit.MaxAmount + 1)
	cases := []struct {
		name   string
		ev     billing.Event
		expect func(b *procBundle)
		code   string
	}{{
		name: "a credit pack whose credits metadata is out of range",
		ev: billing.Event{Type: billing.TypeCheckoutCompleted, AccountID: accountID, ObjectID: "cs_1",
			Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: tooMany},
		code: credit.CodeInvalidAmount,
	}, {
		name: "a refunded charge whose credits metadata is out of range",
		ev: billing.Event{Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
			Credits: tooMany, Amount: 100, AmountRefunded: 100},
		code: credit.CodeInvalidAmount,
	}, {
		name: "a refunded charge without an amount",
		ev: billing.Event{Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
			Credits: 100, AmountRefunded: 100},
		code: billing.CodeWebhookPayload,
	}, {
		name: "a refunded charge with a negative amount refunded",
		ev: billing.Event{Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
			Credits: 100, Amount: 9215, AmountRefunded: -1},
		code: billing.CodeWebhookPayload,
	}, {
		name: "a subscription event without a subscription id",
		ev:   billing.Event{Type: billing.TypeSubscriptionUpdated, AccountID: accountID, Status: billing.StatusActive},
		code: billing.CodeWebhookPayload,
	}, {
		name: "a subscription event with an unknown status",
		ev: billing.Event{Type: billing.TypeSubscriptionUpdated, AccountID: accountID, SubscriptionID: "sub_1",
			PriceID: "price_growth", Status: "cancelled"},
		code: billing.CodeWebhookPayload,
	}, {
		name: "a subscription checkout of a plan that does not exist",
		ev: billing.Event{Type: billing.TypeCheckoutCompleted, AccountID: accountID, SubscriptionID: "sub_1",
			Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid, Plan: "platinum"},
		expect: func(b *procBundle) {
			b.store.EXPECT().Plan(gomock.Any(), "platinum").Return(billing.Plan{}, false, nil)
		},
		code: billing.CodeUnknownPlan,
	}, {
		name: "an inline-priced invoice whose stored subscription belongs to another account",
		ev: billing.Event{Type: billing.TypeInvoicePaid, AccountID: accountID, SubscriptionID: "sub_1", InvoiceID: "in_1",
			PriceID: "price_inline", BillingReason: billing.ReasonSubscriptionCycle},
		expect: func(b *procBundle) {
			b.store.EXPECT().PlanByPrice(gomock.Any(), "price_inline").Return(billing.Plan{}, false, nil)
			theirs := stored("sub_1", billing.StatusActive, "pro", t0)
			theirs.AccountID = "9c1f4e7a-0d3b-4e55-8a61-2b7c9d0e4f22"
			b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(*theirs, true, nil)
			// no Plan("pro"): another account's plan never prices this account's invoice
		},
		code: billing.CodeUnknownPlan,
	}}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t) // no ChangeCredits or ChangeSubscription expectation: a call fails the test
			ev := tc.ev
			ev.ID = "evt_bad_" + string(rune('a'+i))
			reason := b.failing(ev)
			if tc.expect != nil {
				tc.expect(b)
			}
			_, err := b.proc.Handle(context.Background(), ev)
			if apperr.CodeOf(err) != tc.code || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("err = %v (%s), want %s (Invalid)", err, apperr.CodeOf(err), tc.code)
			}
			if !strings.HasPrefix(*reason, tc.code+": ") {
				t.Errorf("stored failure %q", *reason)
			}
		})
	}
}

// TestFinishEventFailureIsRetried: when the outcome cannot be recorded the event is not
// processed as far as anyone can tell, so Handle fails (retryably) and the workflow runs it
// again; the effects already made are idempotent, so the retry only records the outcome.
func TestFinishEventFailureIsRetried(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_finish", Type: billing.TypeCheckoutCompleted, AccountID: accountID, ObjectID: "cs_1",
		Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 10}
	b.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, nil)
	b.granted(credit.EntryRequest{AccountID: accountID, Kind: credit.Purchase, Amount: credit.MustAmount(10), Reference: ev.ID}, 10)
	b.store.EXPECT().FinishEvent(gomock.Any(), ev, gomock.Any()).Return(down)
	out, err := b.proc.Handle(context.Background(), ev)
	if !errors.Is(err, down) || !apperr.KindOf(err).Retryable() || !strings.Contains(err.Error(), ev.ID) {
		t.Fatalf("Handle = %+v, %v; want the outage, naming the event", out, err)
	}
	if out != (billing.Outcome{}) {
		t.Errorf("an unrecorded outcome was returned: %+v", out)
	}
}

// TestStoredFailureIsBounded: the failure stored with an event is cut to 1000 bytes, code first.
func TestStoredFailureIsBounded(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_long", Type: billing.TypeCheckoutCompleted, AccountID: accountID, ObjectID: "cs_1",
		Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 10}
	reason := b.failing(ev)
	long := apperr.Wrap(errors.New(strings.Repeat("x", 5000)), apperr.Unavailable, apperr.CodeUnavailable, "down")
	b.store.EXPECT().ChangeCredits(gomock.Any(), accountID, "cs_1", gomock.Any()).Return(billing.CreditResult{}, long)
	if _, err := b.proc.Handle(context.Background(), ev); !errors.Is(err, long) || len(err.Error()) <= 1000 {
		t.Fatalf("err = %.80s…, want the full error returned", err)
	}
	if len(*reason) != 1000 || !strings.HasPrefix(*reason, apperr.CodeUnavailable+": ") {
		t.Errorf("stored failure of %d bytes: %.60s…", len(*reason), *reason)
	}
}
