package billing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/billingmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

const accountID = "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"

var (
	growth = billing.Plan{Name: "growth", DisplayName: "Growth", PriceCents: 2900, CreditsPerMonth: credit.MustAmount(250), BulkLimit: 25, StripePriceID: "price_growth", Active: true}
	pro    = billing.Plan{Name: "pro", DisplayName: "Pro", PriceCents: 9900, CreditsPerMonth: credit.MustAmount(1500), BulkLimit: 100, Active: true}
	free   = billing.Plan{Name: billing.FreePlan, DisplayName: "Free", BulkLimit: 5, Active: true}
)

type procBundle struct {
	store *billingmock.MockStore
	proc  *billing.Processor
}

func newProc(t *testing.T) *procBundle {
	t.Helper()
	b := &procBundle{store: billingmock.NewMockStore(gomock.NewController(t))}
	b.proc = billing.NewProcessor(b.store)
	return b
}

// fresh expects the event to be unprocessed and its outcome to be stored once; it returns a
// pointer that receives the stored outcome.
func (b *procBundle) fresh(ev billing.Event) *billing.Outcome {
	got := new(billing.Outcome)
	b.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, nil)
	b.store.EXPECT().FinishEvent(gomock.Any(), ev, gomock.Any()).DoAndReturn(
		func(_ context.Context, _ billing.Event, o billing.Outcome) error { *got = o; return nil })
	return got
}

// credited expects one ChangeCredits for paymentKey, runs decide on st, checks that its first
// entry is want, and answers as the store does when every entry is new (a chargeback's delta is
// minus its amount: decide already limited it to the balance). It returns the change decided.
func (b *procBundle) credited(paymentKey string, st billing.CreditState, want credit.EntryRequest) *billing.CreditChange {
	got := new(billing.CreditChange)
	b.store.EXPECT().ChangeCredits(gomock.Any(), want.AccountID, paymentKey, gomock.Any()).DoAndReturn(
		func(_ context.Context, _, _ string, decide func(billing.CreditState) (billing.CreditChange, error)) (billing.CreditResult, error) {
			ch, err := decide(st)
			if err != nil {
				return billing.CreditResult{}, err
			}
			*got = ch
			if len(ch.Entries) == 0 {
				return billing.CreditResult{}, errors.New("no entry decided")
			}
			if req := ch.Entries[0]; req.AccountID != want.AccountID || req.Kind != want.Kind || req.Amount != want.Amount || req.Reference != want.Reference {
				return billing.CreditResult{}, errors.New("unexpected entry " + req.Reference + " " + string(req.Kind) + " " + req.Amount.String())
			}
			return appliedResult(ch), nil
		})
	return got
}

// granted expects one ChangeCredits (for any payment) whose first entry is want, decided on a
// payment never seen before with a large balance, and answers it as applied with delta.
func (b *procBundle) granted(want credit.EntryRequest, delta int64) {
	b.store.EXPECT().ChangeCredits(gomock.Any(), want.AccountID, gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, _, key string, decide func(billing.CreditState) (billing.CreditChange, error)) (billing.CreditResult, error) {
			ch, err := decide(newPayment(key, credit.MaxAmount))
			if err != nil || len(ch.Entries) == 0 {
				return billing.CreditResult{}, errors.Join(err, errors.New("no entry decided"))
			}
			if req := ch.Entries[0]; req.AccountID != want.AccountID || req.Kind != want.Kind || req.Amount != want.Amount || req.Reference != want.Reference {
				return billing.CreditResult{}, errors.New("unexpected entry " + req.Reference + " " + string(req.Kind) + " " + req.Amount.String())
			}
			res := appliedResult(ch)
			res.Results[0].Entry.Delta = delta
			return res, nil
		})
}

// appliedResult is the store's answer to a change whose entries are all new.
func appliedResult(ch billing.CreditChange) billing.CreditResult {
	res := billing.CreditResult{Change: ch, Replay: ch.Replay}
	for _, req := range ch.Entries {
		d := req.Amount.Int64()
		if req.Kind.IsDebit() {
			d = -d
		}
		res.Results = append(res.Results, credit.Result{Entry: credit.Entry{AccountID: req.AccountID, Kind: req.Kind, Delta: d, Reference: req.Reference}, Applied: true})
	}
	return res
}

// newPayment is the state of a payment never seen before, with a balance.
func newPayment(key string, balance int64) billing.CreditState {
	return billing.CreditState{Payment: billing.Payment{Key: key, AccountID: accountID}, Balance: balance}
}

// subscriptionRow answers ChangeSubscription by running decide on current.
func (b *procBundle) subscriptionRow(current *billing.Subscription) *billing.Subscription {
	stored := new(billing.Subscription)
	b.store.EXPECT().ChangeSubscription(gomock.Any(), accountID, gomock.Any()).DoAndReturn(
		func(_ context.Context, _ string, decide func(*billing.Subscription) (billing.Subscription, bool)) (billing.Subscription, bool, error) {
			next, ok := decide(current)
			if !ok {
				return *current, false, nil
			}
			*stored = next
			return next, true, nil
		})
	return stored
}

func TestHandleCreditPack(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_pack", Type: billing.TypeCheckoutCompleted, AccountID: strings.ToUpper(accountID),
		ObjectID: "cs_1", PaymentIntentID: "pi_1", Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 500}
	recorded := b.fresh(ev)
	ch := b.credited("pi_1", newPayment("pi_1", 25), credit.EntryRequest{AccountID: accountID, Kind: credit.Purchase, Amount: credit.MustAmount(500), Reference: "evt_pack"})

	out, err := b.proc.Handle(context.Background(), ev)
	if err != nil || out.Result != billing.ResultGranted || out.Credits != 500 || out.Replay || out.AccountID != accountID {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
	if *recorded != out {
		t.Errorf("stored outcome %+v, returned %+v", *recorded, out)
	}
	if len(ch.Payments) != 1 || ch.Payments[0].Key != "pi_1" || !ch.Payments[0].Purchased || ch.Payments[0].Granted != 500 || ch.Payments[0].Credits != 500 {
		t.Errorf("payments stored = %+v", ch.Payments)
	}
}

func TestHandleCheckoutSubscription(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_co", Type: billing.TypeCheckoutCompleted, Created: t0, AccountID: accountID,
		CustomerID: "cus_1", SubscriptionID: "sub_1", InvoiceID: "in_first", Plan: "growth",
		Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid}
	b.fresh(ev)
	b.store.EXPECT().Plan(gomock.Any(), "growth").Return(growth, true, nil)
	row := b.subscriptionRow(nil)
	// Keyed by the subscription's first period, so invoice.paid for it finds the grant done.
	b.credited("", billing.CreditState{}, credit.EntryRequest{AccountID: accountID, Kind: credit.SubscriptionGrant, Amount: credit.MustAmount(250), Reference: billing.FirstPeriodReference("sub_1")})

	out, err := b.proc.Handle(context.Background(), ev)
	if err != nil || out.Result != billing.ResultGranted || out.Credits != 250 {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
	if row.Plan != "growth" || row.Status != billing.StatusActive || row.StripeSubscriptionID != "sub_1" ||
		row.StripePriceID != "price_growth" || row.StripeCustomerID != "cus_1" || !row.StripeUpdatedAt.Equal(t0) {
		t.Errorf("stored subscription = %+v", *row)
	}
}

func TestHandleCheckoutIgnoresWhatIsNotPaid(t *testing.T) {
	t.Parallel()
	cases := map[string]billing.Event{
		"unpaid":     {PaymentStatus: "unpaid", Mode: billing.ModePayment, Credits: 10},
		"setup":      {PaymentStatus: billing.PaymentNoPaymentRequired, Mode: billing.ModeSetup},
		"no credits": {PaymentStatus: billing.PaymentPaid, Mode: billing.ModePayment},
	}
	for name, ev := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t) // no ChangeCredits expectation: a call fails the test
			ev.ID, ev.Type, ev.AccountID = "evt_"+name, billing.TypeCheckoutCompleted, accountID
			b.fresh(ev)
			out, err := b.proc.Handle(context.Background(), ev)
			if err != nil || out.Result != billing.ResultIgnored || out.AccountID != accountID {
				t.Fatalf("Handle = %+v, %v", out, err)
			}
		})
	}
}

func TestHandleInvoice(t *testing.T) {
	t.Parallel()
	base := billing.Event{Type: billing.TypeInvoicePaid, CustomerID: "cus_1", SubscriptionID: "sub_1",
		ObjectID: "in_2", InvoiceID: "in_2", PriceID: "price_growth"}
	t.Run("a renewal grants the plan by price, keyed by the invoice", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := base
		ev.ID, ev.BillingReason = "evt_renew", billing.ReasonSubscriptionCycle
		b.fresh(ev)
		b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return(accountID, true, nil)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_growth").Return(growth, true, nil)
		b.credited("", billing.CreditState{}, credit.EntryRequest{AccountID: accountID, Kind: credit.SubscriptionGrant, Amount: credit.MustAmount(250), Reference: "in_2"})
		if out, err := b.proc.Handle(context.Background(), ev); err != nil || out.Result != billing.ResultGranted {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
	t.Run("an inline price falls back to the stored subscription's plan", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := base
		ev.ID, ev.Type, ev.AccountID, ev.PriceID, ev.BillingReason = "evt_inline", billing.TypeInvoicePaymentSucceeded, accountID, "price_inline", billing.ReasonSubscriptionCreate
		b.fresh(ev)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_inline").Return(billing.Plan{}, false, nil)
		b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(*stored("sub_1", billing.StatusActive, "pro", t0), true, nil)
		b.store.EXPECT().Plan(gomock.Any(), "pro").Return(pro, true, nil)
		// subscription_create: the first period, whichever event grants it.
		b.credited("", billing.CreditState{}, credit.EntryRequest{AccountID: accountID, Kind: credit.SubscriptionGrant, Amount: credit.MustAmount(1500), Reference: billing.FirstPeriodReference("sub_1")})
		if out, err := b.proc.Handle(context.Background(), ev); err != nil || out.Credits != 1500 {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
	t.Run("a proration invoice grants nothing", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := base
		ev.ID, ev.AccountID, ev.BillingReason = "evt_prorate", accountID, "subscription_update"
		b.fresh(ev)
		if out, err := b.proc.Handle(context.Background(), ev); err != nil || out.Result != billing.ResultIgnored {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
	t.Run("an unknown plan fails permanently and is recorded", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := base
		ev.ID, ev.AccountID, ev.PriceID, ev.BillingReason = "evt_unknown", accountID, "price_x", billing.ReasonSubscriptionCycle
		b.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, nil)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_x").Return(billing.Plan{}, false, nil)
		b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(billing.Subscription{}, false, nil)
		b.store.EXPECT().FailEvent(gomock.Any(), ev, gomock.Any()).DoAndReturn(
			func(_ context.Context, _ billing.Event, reason string) error {
				if !strings.HasPrefix(reason, billing.CodeUnknownPlan+": ") {
					t.Errorf("stored reason %q", reason)
				}
				return nil
			})
		_, err := b.proc.Handle(context.Background(), ev)
		if apperr.CodeOf(err) != billing.CodeUnknownPlan || apperr.KindOf(err).Retryable() {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestHandleSubscriptionChanges(t *testing.T) {
	t.Parallel()
	t.Run("an out-of-order update is stale and stores nothing", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_old", Type: billing.TypeSubscriptionUpdated, Created: t0.Add(-time.Minute),
			AccountID: accountID, SubscriptionID: "sub_1", PriceID: "price_growth", Status: billing.StatusActive}
		recorded := b.fresh(ev)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_growth").Return(growth, true, nil)
		b.subscriptionRow(stored("sub_1", billing.StatusPastDue, "growth", t0))
		out, err := b.proc.Handle(context.Background(), ev)
		if err != nil || out.Result != billing.ResultStale || out.Detail != billing.ReasonStale || recorded.Result != billing.ResultStale {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
	t.Run("deletion moves the account to the free plan", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_del", Type: billing.TypeSubscriptionDeleted, Created: t0.Add(time.Hour),
			CustomerID: "cus_1", SubscriptionID: "sub_1", PriceID: "price_growth", Status: billing.StatusActive,
			CanceledAt: t0.Add(time.Hour)}
		b.fresh(ev)
		b.store.EXPECT().AccountByCustomer(gomock.Any(), "cus_1").Return("", false, nil)
		b.store.EXPECT().SubscriptionByStripeID(gomock.Any(), "sub_1").Return(*stored("sub_1", billing.StatusActive, "growth", t0), true, nil)
		row := b.subscriptionRow(stored("sub_1", billing.StatusActive, "growth", t0))
		out, err := b.proc.Handle(context.Background(), ev)
		if err != nil || out.Result != billing.ResultUpdated {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
		if row.Plan != billing.FreePlan || row.Status != billing.StatusCanceled || !row.CanceledAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("row = %+v", *row)
		}
	})
	t.Run("an entitled subscription with an unknown price fails", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_x", Type: billing.TypeSubscriptionUpdated, AccountID: accountID,
			SubscriptionID: "sub_1", PriceID: "price_x", Status: billing.StatusActive}
		b.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, nil)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_x").Return(billing.Plan{}, false, nil)
		b.store.EXPECT().FailEvent(gomock.Any(), ev, gomock.Any()).Return(nil)
		if _, err := b.proc.Handle(context.Background(), ev); apperr.CodeOf(err) != billing.CodeUnknownPlan {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestHandleRefunds(t *testing.T) {
	t.Parallel()
	// A pack of 500 credits for 43650 cents, purchased, then refunded in parts. No event carries
	// previous_attributes: what was taken before comes from the stored payment.
	cases := []struct {
		name                  string
		refunded              int64 // the event's cumulative amount_refunded
		storedRefunded, taken int64 // the payment before the event
		take                  int64
	}{
		{"first half", 21825, 0, 0, 250},
		{"second half takes only the new part", 43650, 21825, 250, 250},
		{"full at once", 43650, 0, 0, 500},
		{"a third, floored", 14550, 0, 0, 166},
		{"the rest after a third", 43650, 14550, 166, 334},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t)
			ev := billing.Event{ID: "evt_" + tc.name, Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_1",
				PaymentIntentID: "pi_1", Credits: 500, Amount: 43650, AmountRefunded: tc.refunded}
			b.fresh(ev)
			st := billing.CreditState{Balance: 10_000, Payment: billing.Payment{Key: "pi_1", AccountID: accountID, Credits: 500,
				Amount: 43650, AmountRefunded: tc.storedRefunded, Purchased: true, Granted: 500, TakenBack: tc.taken}}
			ch := b.credited("pi_1", st, credit.EntryRequest{AccountID: accountID, Kind: credit.Chargeback, Amount: credit.MustAmount(tc.take), Reference: ev.ID})
			out, err := b.proc.Handle(context.Background(), ev)
			if err != nil || out.Result != billing.ResultChargedBack || out.Credits != -tc.take {
				t.Fatalf("Handle = %+v, %v", out, err)
			}
			if p := ch.Payments[0]; p.TakenBack != tc.taken+tc.take || p.AmountRefunded != tc.refunded || p.Owed != 0 {
				t.Errorf("payment stored = %+v", p)
			}
		})
	}
	t.Run("large amounts do not overflow", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		// credits·refunded would be 4e21, far past int64.
		ev := billing.Event{ID: "evt_big", Type: billing.TypeChargeRefunded, AccountID: accountID, ObjectID: "ch_big",
			Credits: credit.MaxAmount, Amount: 4_000_000_000_000, AmountRefunded: 3_999_999_999_999}
		b.fresh(ev)
		st := billing.CreditState{Balance: credit.MaxAmount, Payment: billing.Payment{Key: "ch_big", AccountID: accountID,
			Credits: credit.MaxAmount, Purchased: true, Granted: credit.MaxAmount}}
		b.credited("ch_big", st, credit.EntryRequest{AccountID: accountID, Kind: credit.Chargeback, Amount: credit.MustAmount(credit.MaxAmount - 1), Reference: ev.ID})
		if out, err := b.proc.Handle(context.Background(), ev); err != nil || out.Result != billing.ResultChargedBack {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
	t.Run("a charge without credits takes nothing", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_sub_refund", Type: billing.TypeChargeRefunded, AccountID: accountID, Amount: 2900, AmountRefunded: 2900}
		b.fresh(ev)
		if out, err := b.proc.Handle(context.Background(), ev); err != nil || out.Result != billing.ResultIgnored {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
	})
}

func TestHandleUnknownTypeIsRecordedAndIgnored(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_u", Type: "customer.created"}
	recorded := b.fresh(ev)
	out, err := b.proc.Handle(context.Background(), ev)
	if err != nil || out.Result != billing.ResultIgnored || recorded.Result != billing.ResultIgnored {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
}

func TestHandleProcessedEventIsAReplay(t *testing.T) {
	t.Parallel()
	b := newProc(t) // nothing but the record may be read
	b.store.EXPECT().EventRecord(gomock.Any(), "evt_done").Return(billing.EventRecord{
		ID: "evt_done", ProcessedAt: t0, Result: billing.ResultGranted, Detail: "credit pack of 10", AccountID: accountID,
	}, true, nil)
	out, err := b.proc.Handle(context.Background(), billing.Event{ID: "evt_done", Type: billing.TypeCheckoutCompleted})
	if err != nil || !out.Replay || out.Result != billing.ResultGranted || out.AccountID != accountID {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
}

func TestHandleReportsLedgerReplays(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_again", Type: billing.TypeCheckoutCompleted, AccountID: accountID, ObjectID: "cs_again",
		Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 10}
	b.fresh(ev)
	b.store.EXPECT().ChangeCredits(gomock.Any(), accountID, "cs_again", gomock.Any()).Return(billing.CreditResult{
		Results: []credit.Result{{Entry: credit.Entry{Delta: 10}, Applied: false}}, Replay: true}, nil)
	out, err := b.proc.Handle(context.Background(), ev)
	if err != nil || !out.Replay || out.Result != billing.ResultGranted || out.Credits != 10 {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
}

func TestHandleFailures(t *testing.T) {
	t.Parallel()
	t.Run("an event without id is invalid", func(t *testing.T) {
		t.Parallel()
		if _, err := newProc(t).proc.Handle(context.Background(), billing.Event{Type: "x"}); !errors.Is(err, billing.ErrInvalidEvent) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a ledger outage is returned, recorded, and retryable", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_down", Type: billing.TypeCheckoutCompleted, AccountID: accountID,
			Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 10}
		down := apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")
		b.store.EXPECT().EventRecord(gomock.Any(), ev.ID).Return(billing.EventRecord{}, false, nil)
		b.store.EXPECT().ChangeCredits(gomock.Any(), accountID, gomock.Any(), gomock.Any()).Return(billing.CreditResult{}, down)
		b.store.EXPECT().FailEvent(gomock.Any(), ev, gomock.Any()).Return(nil)
		_, err := b.proc.Handle(context.Background(), ev)
		if !apperr.KindOf(err).Retryable() {
			t.Fatalf("err = %v, want retryable", err)
		}
	})
	t.Run("an unreadable event record stops before any effect", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		b.store.EXPECT().EventRecord(gomock.Any(), "evt_1").Return(billing.EventRecord{}, false, apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down"))
		if _, err := b.proc.Handle(context.Background(), billing.Event{ID: "evt_1", Type: billing.TypeChargeRefunded}); apperr.KindOf(err) != apperr.Unavailable {
			t.Fatalf("err = %v", err)
		}
	})
}
