package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/ratelimit"
)

// routes lists every route the API serves, in one screen.
//
// Routes are default-deny: everything goes on the authenticated group unless it is registered on
// the public group, and putting a route there is a deliberate, reviewed decision (health probes,
// the contract, prices, webhooks, which carry their own signatures, and later the anonymous
// analysis). A test requests every non-public route without a token and expects 401.
//
// Every GET route also answers HEAD (get registers both; uptime monitors and load balancers probe
// with HEAD). Every route that creates something takes an Idempotency-Key: keys is the
// mechanism (idempotency.go), after authentication so keys are scoped to the caller.
//
// Rate limits (ratelimit.go, the numbers in core/ratelimit): every authenticated route spends
// the caller's General budget (60 a minute) and the expensive ones a budget of their own on top
// (checkout, onboarding generation; the analysis routes in routes_analysis.go), before the
// Idempotency-Key mechanism so a flood of retries is limited too. Public routes are limited per
// client IP: the price list under General, the Stripe webhook under its own 100 a minute; the
// health probes and the contract are not limited (load balancers poll them).
func routes(r *gin.Engine, health *Health, api *API, spec *OpenAPI, keys gin.HandlerFunc) {
	public := r.Group("")
	{
		get(public, "/health/live", health.Live)                                                  // process is up
		get(public, "/health/ready", health.Ready)                                                // critical dependencies work
		get(public, "/health", health.Full)                                                       // per-dependency status and latency
		get(public, "/openapi.json", spec.serve)                                                  // this API's contract
		get(public, "/v1/credits/pricing", api.limit(ratelimit.General), api.pricing)             // price of a credit pack
		public.POST("/v1/webhooks/stripe", api.limit(ratelimit.StripeWebhook), api.stripeWebhook) // Stripe-Signature is the credential
	}

	authed := r.Group("", api.authenticate, api.limit(ratelimit.General))
	{
		get(authed, "/v1/me", api.me)
		get(authed, "/v1/credits/balance", api.balance)
		get(authed, "/v1/credits/transactions", api.transactions)
		authed.POST("/v1/billing/checkout", api.limit(ratelimit.BillingPurchase), keys, api.checkout)
		get(authed, "/v1/billing/subscription", api.subscription)
		authed.POST("/v1/billing/portal", api.portal)
		authed.POST("/v1/business-profiles", keys, api.createBusinessProfile)
		get(authed, "/v1/business-profiles", api.listBusinessProfiles)
		get(authed, "/v1/business-profiles/:id", api.getBusinessProfile)
		authed.PATCH("/v1/business-profiles/:id", api.patchBusinessProfile)
		authed.DELETE("/v1/business-profiles/:id", api.deleteBusinessProfile)
		authed.POST("/v1/business-profiles/:id/context", api.limit(ratelimit.OnboardingGeneration), keys, api.generateBusinessContext) // starts onboarding (202)
		get(authed, "/v1/business-profiles/:id/context", api.businessContext)

		analysisRoutes(public, authed, api, keys) // analyses, batches, leads (routes_analysis.go)

		admin := authed.Group("/v1/admin", requireOperator)
		admin.POST("/accounts/:id/credits", keys, api.adminGrantCredits)
		analyticsRoutes(admin, api) // GET /v1/admin/analytics/* (admin_analytics.go)
	}
}

// get registers a GET route and its HEAD twin (headWithoutBody drops the body).
func get(g *gin.RouterGroup, path string, handlers ...gin.HandlerFunc) {
	g.GET(path, handlers...)
	g.HEAD(path, handlers...)
}
