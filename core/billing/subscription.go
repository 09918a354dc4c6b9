package billing

import "time"

// Status is a Stripe subscription status.
type Status string

// Stripe's subscription statuses.
const (
	StatusIncomplete        Status = "incomplete"
	StatusIncompleteExpired Status = "incomplete_expired"
	StatusTrialing          Status = "trialing"
	StatusActive            Status = "active"
	StatusPastDue           Status = "past_due"
	StatusCanceled          Status = "canceled"
	StatusUnpaid            Status = "unpaid"
	StatusPaused            Status = "paused"
)

// Statuses lists every status (the storage CHECK constraint mirrors it).
func Statuses() []Status {
	return []Status{StatusIncomplete, StatusIncompleteExpired, StatusTrialing, StatusActive,
		StatusPastDue, StatusCanceled, StatusUnpaid, StatusPaused}
}

// Valid reports whether s is one of Stripe's statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses() {
		if s == v {
			return true
		}
	}
	return false
}

// Entitled reports whether a subscription in this status gives the account its plan: active,
// trialing, and past_due (Stripe is still retrying the payment: a grace period). Every other
// status means the free plan.
func (s Status) Entitled() bool {
	return s == StatusActive || s == StatusTrialing || s == StatusPastDue
}

// Ended reports whether Stripe will never revive a subscription in this status.
func (s Status) Ended() bool { return s == StatusCanceled || s == StatusIncompleteExpired }

// Subscription is an account's current subscription: one per account. An account that never
// subscribed has none (see Entitlement for what it is entitled to).
type Subscription struct {
	AccountID            string
	Plan                 string // plan name; FreePlan after a cancellation
	Status               Status
	StripeCustomerID     string
	StripeSubscriptionID string
	StripePriceID        string
	CurrentPeriodStart   time.Time // zero when unknown
	CurrentPeriodEnd     time.Time // zero when unknown
	CancelAtPeriodEnd    bool
	CanceledAt           time.Time // zero when not canceled
	// StripeUpdatedAt is the Created time of the newest Stripe event applied to the row; an
	// event older than it is stale.
	StripeUpdatedAt time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Update is a change of subscription state reported by Stripe at At (the event's Created).
// Zero fields keep the stored value, except the cancel flags, which Stripe always reports.
type Update struct {
	At                   time.Time
	StripeSubscriptionID string
	StripeCustomerID     string
	Plan                 string // "" keeps the stored plan
	StripePriceID        string
	Status               Status
	CurrentPeriodStart   time.Time
	CurrentPeriodEnd     time.Time
	CancelAtPeriodEnd    bool
	CanceledAt           time.Time
}

// Reasons an Update is not applied (Outcome.Detail).
const (
	ReasonStale          = "older than the stored subscription state"
	ReasonEnded          = "the stored subscription has ended; Stripe never revives it"
	ReasonOtherEnded     = "concerns an ended subscription that is no longer the account's"
	ReasonOtherIsOlder   = "concerns another subscription and is older than the current one"
	reasonNoSubscription = "the update names no Stripe subscription"
)

// Apply decides whether u may change current (nil when the account has none) and returns the
// resulting row. The rules, in order:
//
//  1. u must name a Stripe subscription.
//  2. No stored Stripe subscription: u applies.
//  3. Same subscription: u applies unless it is older than StripeUpdatedAt (out of order), or
//     the stored one has ended and u does not end it (a canceled subscription never returns;
//     a late "active" must not revive it).
//  4. Another subscription: an ended one is a leftover of a replaced subscription and is
//     ignored; a live one replaces the stored state unless the stored one is still entitled
//     and newer.
//
// Events at the same second as the stored state apply (Stripe's clock has one-second
// resolution; rule 3's second half keeps a same-second update from undoing a cancellation). An
// ended status sets the plan to FreePlan. StripeUpdatedAt never moves backwards.
func Apply(current *Subscription, accountID string, u Update) (Subscription, bool, string) {
	if u.StripeSubscriptionID == "" {
		return Subscription{}, false, reasonNoSubscription
	}
	var next Subscription
	switch {
	case current == nil || current.StripeSubscriptionID == "":
		if current != nil {
			next = *current
		}
	case current.StripeSubscriptionID == u.StripeSubscriptionID:
		if u.At.Before(current.StripeUpdatedAt) {
			return *current, false, ReasonStale
		}
		if current.Status.Ended() && !u.Status.Ended() {
			return *current, false, ReasonEnded
		}
		next = *current
	default:
		if u.Status.Ended() {
			return *current, false, ReasonOtherEnded
		}
		if current.Status.Entitled() && u.At.Before(current.StripeUpdatedAt) {
			return *current, false, ReasonOtherIsOlder
		}
		// A new subscription: nothing of the old one carries over but the row's identity.
		next = Subscription{CreatedAt: current.CreatedAt}
	}
	next.AccountID = accountID
	next.StripeSubscriptionID = u.StripeSubscriptionID
	if u.StripeCustomerID != "" {
		next.StripeCustomerID = u.StripeCustomerID
	}
	if u.Plan != "" {
		next.Plan = u.Plan
	}
	if u.StripePriceID != "" {
		next.StripePriceID = u.StripePriceID
	}
	if u.Status != "" {
		next.Status = u.Status
	}
	if !u.CurrentPeriodStart.IsZero() {
		next.CurrentPeriodStart = u.CurrentPeriodStart
	}
	if !u.CurrentPeriodEnd.IsZero() {
		next.CurrentPeriodEnd = u.CurrentPeriodEnd
	}
	next.CancelAtPeriodEnd = u.CancelAtPeriodEnd
	if !u.CanceledAt.IsZero() {
		next.CanceledAt = u.CanceledAt
	}
	if next.Status.Ended() {
		next.Plan = FreePlan
		next.CancelAtPeriodEnd = false
	}
	if next.Plan == "" {
		next.Plan = FreePlan
	}
	if u.At.After(next.StripeUpdatedAt) {
		next.StripeUpdatedAt = u.At
	}
	return next, true, ""
}

// Entitlement is what an account has right now.
type Entitlement struct {
	// Plan is the plan in effect: the subscribed plan while the status entitles to it, else
	// the free plan.
	Plan Plan
	// Subscription is the stored row; for an account that never subscribed it is a synthetic
	// free subscription (Plan FreePlan, Status active, no Stripe ids, zero times).
	Subscription Subscription
}
