package billing_test

import (
	"testing"
	"time"

	"github.com/oslira/oslira/core/billing"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func stored(sub string, status billing.Status, plan string, at time.Time) *billing.Subscription {
	return &billing.Subscription{
		AccountID: accountID, Plan: plan, Status: status, StripeSubscriptionID: sub,
		StripeCustomerID: "cus_1", StripePriceID: "price_" + plan, StripeUpdatedAt: at,
		CurrentPeriodStart: t0, CurrentPeriodEnd: t0.AddDate(0, 1, 0), CreatedAt: t0.Add(-time.Hour),
	}
}

func TestApplyOrdering(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		current *billing.Subscription
		u       billing.Update
		apply   bool
		reason  string
		plan    string
		status  billing.Status
	}{
		{"first state", nil,
			billing.Update{At: t0, StripeSubscriptionID: "sub_1", Plan: "pro", Status: billing.StatusActive},
			true, "", "pro", billing.StatusActive},
		{"newer update of the same subscription", stored("sub_1", billing.StatusActive, "pro", t0),
			billing.Update{At: t0.Add(time.Minute), StripeSubscriptionID: "sub_1", Plan: "pro", Status: billing.StatusPastDue},
			true, "", "pro", billing.StatusPastDue},
		{"same second applies", stored("sub_1", billing.StatusActive, "pro", t0),
			billing.Update{At: t0, StripeSubscriptionID: "sub_1", Plan: "agency", Status: billing.StatusActive},
			true, "", "agency", billing.StatusActive},
		{"older update of the same subscription is stale", stored("sub_1", billing.StatusPastDue, "pro", t0),
			billing.Update{At: t0.Add(-time.Second), StripeSubscriptionID: "sub_1", Plan: "pro", Status: billing.StatusActive},
			false, billing.ReasonStale, "pro", billing.StatusPastDue},
		{"a canceled subscription is not revived in the same second", stored("sub_1", billing.StatusCanceled, billing.FreePlan, t0),
			billing.Update{At: t0, StripeSubscriptionID: "sub_1", Plan: "pro", Status: billing.StatusActive},
			false, billing.ReasonEnded, billing.FreePlan, billing.StatusCanceled},
		{"deletion falls back to free", stored("sub_1", billing.StatusActive, "pro", t0),
			billing.Update{At: t0.Add(time.Hour), StripeSubscriptionID: "sub_1", Status: billing.StatusCanceled, CancelAtPeriodEnd: true},
			true, "", billing.FreePlan, billing.StatusCanceled},
		{"late deletion of a replaced subscription is ignored", stored("sub_2", billing.StatusActive, "growth", t0),
			billing.Update{At: t0.Add(time.Hour), StripeSubscriptionID: "sub_1", Status: billing.StatusCanceled},
			false, billing.ReasonOtherEnded, "growth", billing.StatusActive},
		{"an older live subscription does not replace a newer one", stored("sub_2", billing.StatusActive, "growth", t0),
			billing.Update{At: t0.Add(-time.Hour), StripeSubscriptionID: "sub_1", Plan: "pro", Status: billing.StatusActive},
			false, billing.ReasonOtherIsOlder, "growth", billing.StatusActive},
		{"a new subscription replaces a canceled one", stored("sub_1", billing.StatusCanceled, billing.FreePlan, t0),
			billing.Update{At: t0.Add(-time.Hour), StripeSubscriptionID: "sub_2", Plan: "pro", Status: billing.StatusActive},
			true, "", "pro", billing.StatusActive},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			next, ok, reason := billing.Apply(tc.current, accountID, tc.u)
			if ok != tc.apply || reason != tc.reason {
				t.Fatalf("Apply = %v %q, want %v %q", ok, reason, tc.apply, tc.reason)
			}
			if next.Plan != tc.plan || next.Status != tc.status {
				t.Errorf("row = plan %q status %q, want %q %q", next.Plan, next.Status, tc.plan, tc.status)
			}
			if ok && (next.AccountID != accountID || next.StripeSubscriptionID != tc.u.StripeSubscriptionID) {
				t.Errorf("row identity = %+v", next)
			}
			if tc.current != nil && next.StripeUpdatedAt.Before(tc.current.StripeUpdatedAt) && tc.current.StripeSubscriptionID == next.StripeSubscriptionID {
				t.Errorf("StripeUpdatedAt moved backwards: %v < %v", next.StripeUpdatedAt, tc.current.StripeUpdatedAt)
			}
		})
	}
}

func TestApplyMergesFields(t *testing.T) {
	t.Parallel()
	cur := stored("sub_1", billing.StatusActive, "pro", t0)
	cur.CancelAtPeriodEnd = true
	end := t0.AddDate(0, 2, 0)
	next, ok, _ := billing.Apply(cur, accountID, billing.Update{
		At: t0.Add(time.Minute), StripeSubscriptionID: "sub_1", CurrentPeriodEnd: end, CancelAtPeriodEnd: false,
	})
	if !ok {
		t.Fatal("not applied")
	}
	// Zero fields keep the stored values; the cancel flag is always reported, so it is taken.
	if next.Plan != "pro" || next.Status != billing.StatusActive || next.StripePriceID != "price_pro" ||
		next.StripeCustomerID != "cus_1" || !next.CurrentPeriodStart.Equal(t0) || !next.CurrentPeriodEnd.Equal(end) ||
		next.CancelAtPeriodEnd || !next.StripeUpdatedAt.Equal(t0.Add(time.Minute)) || !next.CreatedAt.Equal(cur.CreatedAt) {
		t.Errorf("merged row = %+v", next)
	}
	if _, ok, _ := billing.Apply(cur, accountID, billing.Update{At: t0}); ok {
		t.Error("an update without a subscription id applied")
	}
	// A replacing subscription keeps nothing of the old one but the row's creation time.
	repl, ok, _ := billing.Apply(stored("sub_1", billing.StatusCanceled, billing.FreePlan, t0), accountID,
		billing.Update{At: t0.Add(time.Hour), StripeSubscriptionID: "sub_2", Plan: "growth", Status: billing.StatusTrialing})
	if !ok || repl.StripePriceID != "" || !repl.CurrentPeriodEnd.IsZero() || !repl.CreatedAt.Equal(t0.Add(-time.Hour)) {
		t.Errorf("replacement row = %+v", repl)
	}
}

func TestStatuses(t *testing.T) {
	t.Parallel()
	entitled := map[billing.Status]bool{billing.StatusActive: true, billing.StatusTrialing: true, billing.StatusPastDue: true}
	ended := map[billing.Status]bool{billing.StatusCanceled: true, billing.StatusIncompleteExpired: true}
	for _, s := range billing.Statuses() {
		if !s.Valid() || s.Entitled() != entitled[s] || s.Ended() != ended[s] {
			t.Errorf("%s: valid %v entitled %v ended %v", s, s.Valid(), s.Entitled(), s.Ended())
		}
	}
	if billing.Status("cancelled").Valid() {
		t.Error(`"cancelled" (British spelling, a quirk of the original) must not be valid`)
	}
}

// TestApplyWithoutStoredStripeSubscription: a row that holds no Stripe subscription yet takes
// the first one and keeps what it stored (customer, creation time); a first state that names no
// plan is on the free plan.
func TestApplyWithoutStoredStripeSubscription(t *testing.T) {
	t.Parallel()
	bare := &billing.Subscription{AccountID: accountID, Plan: billing.FreePlan, Status: billing.StatusActive,
		StripeCustomerID: "cus_1", CreatedAt: t0.Add(-time.Hour)}
	next, ok, _ := billing.Apply(bare, accountID, billing.Update{At: t0, StripeSubscriptionID: "sub_1", Plan: "pro",
		Status: billing.StatusTrialing, CurrentPeriodStart: t0})
	if !ok || next.StripeSubscriptionID != "sub_1" || next.Plan != "pro" || next.Status != billing.StatusTrialing ||
		next.StripeCustomerID != "cus_1" || !next.CreatedAt.Equal(bare.CreatedAt) || !next.StripeUpdatedAt.Equal(t0) ||
		!next.CurrentPeriodStart.Equal(t0) {
		t.Errorf("row = %+v", next)
	}
	next, ok, _ = billing.Apply(nil, accountID, billing.Update{At: t0, StripeSubscriptionID: "sub_2", Status: billing.StatusIncomplete})
	if !ok || next.Plan != billing.FreePlan || next.Status != billing.StatusIncomplete {
		t.Errorf("first state without a plan = %+v", next)
	}
}
