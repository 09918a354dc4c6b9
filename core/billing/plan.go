package billing

import "github.com/oslira/oslira/core/credit"

// FreePlan is the name of the plan every account has without a paid subscription. It must exist
// in the plans table (the migration seeds it).
const FreePlan = "free"

// Plan is a subscription tier. Plans live in storage (table plans), not in code, so prices and
// quotas change without a release; this type only carries them.
type Plan struct {
	Name            string // stable key: free, growth, pro, agency, enterprise
	DisplayName     string
	PriceCents      int64         // per month, in US cents; 0 for the free plan
	CreditsPerMonth credit.Amount // granted once per paid period
	BulkLimit       int           // most handles one bulk analysis request may carry
	// StripePriceID is the recurring Stripe price of the plan in this environment; "" when not
	// configured, in which case checkout sends an inline monthly price of PriceCents.
	StripePriceID string
	Active        bool // offered for new subscriptions
}

// IsFree reports whether the plan costs nothing (and so is never bought through Checkout).
func (p Plan) IsFree() bool { return p.PriceCents == 0 }
