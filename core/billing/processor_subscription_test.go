package billing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

// TestSubscriptionChangesNotApplied: a change the ordering rule refuses is recorded as "stale"
// when it lost to newer state (it arrived out of order), and as "ignored" when it concerns a
// subscription the account has left behind; either way the stored row is not written.
func TestSubscriptionChangesNotApplied(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		current *billing.Subscription
		ev      billing.Event
		result  billing.Result
		reason  string
	}{{
		name:    "a late update of a canceled subscription is stale",
		current: stored("sub_1", billing.StatusCanceled, billing.FreePlan, t0),
		ev: billing.Event{Type: billing.TypeSubscriptionUpdated, Created: t0.Add(time.Minute), SubscriptionID: "sub_1",
			PriceID: "price_growth", Status: billing.StatusActive},
		result: billing.ResultStale, reason: billing.ReasonEnded,
	}, {
		name:    "an older subscription does not replace the newer one",
		current: stored("sub_2", billing.StatusActive, "growth", t0),
		ev: billing.Event{Type: billing.TypeSubscriptionCreated, Created: t0.Add(-time.Hour), SubscriptionID: "sub_1",
			PriceID: "price_growth", Status: billing.StatusActive},
		result: billing.ResultStale, reason: billing.ReasonOtherIsOlder,
	}, {
		name:    "the late deletion of a replaced subscription is ignored",
		current: stored("sub_2", billing.StatusActive, "growth", t0),
		ev: billing.Event{Type: billing.TypeSubscriptionDeleted, Created: t0.Add(time.Hour), SubscriptionID: "sub_1",
			Status: billing.StatusCanceled},
		result: billing.ResultIgnored, reason: billing.ReasonOtherEnded,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newProc(t)
			ev := tc.ev
			ev.ID, ev.AccountID = "evt_"+tc.name, accountID
			recorded := b.fresh(ev)
			if ev.PriceID != "" {
				b.store.EXPECT().PlanByPrice(gomock.Any(), ev.PriceID).Return(growth, true, nil)
			}
			row := b.subscriptionRow(tc.current)
			out, err := b.proc.Handle(context.Background(), ev)
			if err != nil || out.Result != tc.result || out.Detail != tc.reason || out.AccountID != accountID {
				t.Fatalf("Handle = %+v, %v; want %s (%s)", out, err, tc.result, tc.reason)
			}
			if *recorded != out || row.StripeSubscriptionID != "" {
				t.Errorf("recorded %+v; row written %+v", *recorded, *row)
			}
		})
	}
}

// TestSubscriptionUpdateWithoutStatusOrKnownPrice: a status is not required (the stored one is
// kept), and a price no plan matches is accepted while the status does not entitle to a plan
// (an incomplete subscription keeps the free plan).
func TestSubscriptionUpdateWithoutStatusOrKnownPrice(t *testing.T) {
	t.Parallel()
	t.Run("no status keeps the stored one", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_nostatus", Type: billing.TypeSubscriptionUpdated, Created: t0.Add(time.Minute),
			AccountID: accountID, SubscriptionID: "sub_1", PriceID: "price_pro", CancelAtPeriodEnd: true}
		b.fresh(ev)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_pro").Return(pro, true, nil)
		row := b.subscriptionRow(stored("sub_1", billing.StatusPastDue, "growth", t0))
		out, err := b.proc.Handle(context.Background(), ev)
		if err != nil || out.Result != billing.ResultUpdated {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
		if row.Status != billing.StatusPastDue || row.Plan != "pro" || !row.CancelAtPeriodEnd {
			t.Errorf("row = %+v", *row)
		}
	})
	t.Run("an incomplete subscription at an unknown price stays free", func(t *testing.T) {
		t.Parallel()
		b := newProc(t)
		ev := billing.Event{ID: "evt_incomplete", Type: billing.TypeSubscriptionCreated, Created: t0,
			AccountID: accountID, SubscriptionID: "sub_9", PriceID: "price_x", Status: billing.StatusIncomplete}
		b.fresh(ev)
		b.store.EXPECT().PlanByPrice(gomock.Any(), "price_x").Return(billing.Plan{}, false, nil)
		row := b.subscriptionRow(nil)
		out, err := b.proc.Handle(context.Background(), ev)
		if err != nil || out.Result != billing.ResultUpdated {
			t.Fatalf("Handle = %+v, %v", out, err)
		}
		if row.Plan != billing.FreePlan || row.Status != billing.StatusIncomplete || row.StripePriceID != "price_x" {
			t.Errorf("row = %+v", *row)
		}
	})
}

// TestCheckoutAfterNewerSubscriptionState: a subscription checkout delivered after a newer
// update of its subscription leaves the stored state alone but still grants the first period —
// grants do not depend on delivery order.
func TestCheckoutAfterNewerSubscriptionState(t *testing.T) {
	t.Parallel()
	b := newProc(t)
	ev := billing.Event{ID: "evt_co_late", Type: billing.TypeCheckoutCompleted, Created: t0.Add(-time.Minute), AccountID: accountID,
		SubscriptionID: "sub_1", Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid, Plan: "growth"}
	b.fresh(ev)
	b.store.EXPECT().Plan(gomock.Any(), "growth").Return(growth, true, nil)
	row := b.subscriptionRow(stored("sub_1", billing.StatusPastDue, "growth", t0))
	b.granted(credit.EntryRequest{AccountID: accountID, Kind: credit.SubscriptionGrant, Amount: credit.MustAmount(250),
		Reference: billing.FirstPeriodReference("sub_1")}, 250)
	out, err := b.proc.Handle(context.Background(), ev)
	if err != nil || out.Result != billing.ResultGranted || out.Credits != 250 || !strings.Contains(out.Detail, "newer") {
		t.Fatalf("Handle = %+v, %v", out, err)
	}
	if row.StripeSubscriptionID != "" {
		t.Errorf("the older checkout overwrote the stored state: %+v", *row)
	}
}
