package httpapi

import "github.com/gin-gonic/gin"

// routes lists every route the API serves, in one screen.
//
// Routes are default-deny: everything goes on the authenticated group unless it is registered on
// the public group, and putting a route there is a deliberate, reviewed decision (health probes,
// the contract, prices, webhooks, which carry their own signatures, and later the anonymous
// analysis). A test requests every non-public route without a token and expects 401.
func routes(r *gin.Engine, health *Health, api *API, spec *OpenAPI) {
	public := r.Group("")
	{
		public.GET("/health/live", health.Live)               // process is up
		public.GET("/health/ready", health.Ready)             // critical dependencies work
		public.GET("/health", health.Full)                    // per-dependency status and latency
		public.GET("/openapi.json", spec.serve)               // this API's contract
		public.GET("/v1/credits/pricing", api.pricing)        // price of a credit pack
		public.POST("/v1/webhooks/stripe", api.stripeWebhook) // Stripe-Signature is the credential
	}

	authed := r.Group("", api.authenticate)
	{
		authed.GET("/v1/me", api.me)
		authed.GET("/v1/credits/balance", api.balance)
		authed.GET("/v1/credits/transactions", api.transactions)
		authed.POST("/v1/billing/checkout", api.checkout)
		authed.GET("/v1/billing/subscription", api.subscription)
		authed.POST("/v1/billing/portal", api.portal)

		admin := authed.Group("/v1/admin", requireOperator)
		admin.POST("/accounts/:id/credits", api.adminGrantCredits)
	}
}
