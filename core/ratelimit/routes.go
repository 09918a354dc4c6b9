package ratelimit

import "time"

// The route table: every limit the API enforces (hosts/httpapi/routes.go and
// routes_analysis.go put them on routes). The numbers are the original API's (its route
// configuration), now actually enforced.
var (
	// General covers every authenticated route (reads and everything without a policy of its
	// own, on top of it) and the public price list, per user (or client IP).
	General = Policy{Name: "general", Limit: 60, Period: time.Minute, Window: Rolling, FailOpen: true}
	// AnalysisCreate: POST /v1/analyses, per user.
	AnalysisCreate = Policy{Name: "analysis.create", Limit: 30, Period: time.Hour, Window: Rolling, FailOpen: true}
	// AnalysisBulk: POST /v1/analyses/bulk, per user.
	AnalysisBulk = Policy{Name: "analysis.bulk", Limit: 10, Period: time.Hour, Window: Rolling, FailOpen: true}
	// Anonymous: POST /v1/analyses/anonymous, per client IP; fails closed (paid work anyone can
	// trigger). Checked before AnonymousDaily, so a burst of refused requests spends no quota.
	Anonymous = Policy{Name: "anonymous", Limit: 5, Period: time.Hour, Window: Rolling}
	// AnonymousDaily: the anonymous analysis's quota, one per client IP per UTC day; fails
	// closed; given back when the analysis fails for reasons that are not the caller's.
	AnonymousDaily = Policy{Name: "anonymous.daily", Limit: 1, Period: 24 * time.Hour, Window: CalendarUTC, RefundOnFailure: true}
	// StripeWebhook: POST /v1/webhooks/stripe, per client IP (Stripe's senders).
	StripeWebhook = Policy{Name: "stripe.webhook", Limit: 100, Period: time.Minute, Window: Rolling, FailOpen: true}
	// BillingPurchase: POST /v1/billing/checkout (credit packs and plans), per user.
	BillingPurchase = Policy{Name: "billing.purchase", Limit: 10, Period: time.Hour, Window: Rolling, FailOpen: true}
	// OnboardingGeneration: POST /v1/business-profiles/:id/context (model calls), per user.
	OnboardingGeneration = Policy{Name: "onboarding.generation", Limit: 50, Period: time.Hour, Window: Rolling, FailOpen: true}
)

// Policies lists the route table, for validation at start and in tests.
func Policies() []Policy {
	return []Policy{General, AnalysisCreate, AnalysisBulk, Anonymous, AnonymousDaily, StripeWebhook,
		BillingPurchase, OnboardingGeneration}
}
