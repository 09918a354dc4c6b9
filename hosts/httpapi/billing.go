package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/billing"
)

// checkoutRequest is the body of POST /v1/billing/checkout (schema CheckoutRequest): exactly one
// of plan (a subscription) or credits (a credit pack).
type checkoutRequest struct {
	Plan    string `json:"plan"`
	Credits int64  `json:"credits"`
}

// checkoutResponse is its answer (schema Checkout).
type checkoutResponse struct {
	SessionID   string  `json:"session_id"`
	URL         string  `json:"url"`
	Mode        string  `json:"mode"`
	Plan        *string `json:"plan"`
	Credits     *int64  `json:"credits"`
	AmountCents int64   `json:"amount_cents"`
	Currency    string  `json:"currency"`
}

// planJSON is a plan on the wire (schema Plan).
type planJSON struct {
	Name            string `json:"name"`
	DisplayName     string `json:"display_name"`
	PriceCents      int64  `json:"price_cents"`
	CreditsPerMonth int64  `json:"credits_per_month"`
	BulkLimit       int    `json:"bulk_limit"`
}

// subscriptionJSON is the stored Stripe subscription (schema Subscription).
type subscriptionJSON struct {
	Plan               string     `json:"plan"`
	Status             string     `json:"status"`
	CurrentPeriodStart *time.Time `json:"current_period_start"`
	CurrentPeriodEnd   *time.Time `json:"current_period_end"`
	CancelAtPeriodEnd  bool       `json:"cancel_at_period_end"`
	CanceledAt         *time.Time `json:"canceled_at"`
}

// entitlementResponse is the body of GET /v1/billing/subscription (schema Entitlement).
type entitlementResponse struct {
	Plan         planJSON          `json:"plan"`
	Subscription *subscriptionJSON `json:"subscription"`
}

// portalResponse is the body of POST /v1/billing/portal (schema PortalSession).
type portalResponse struct {
	URL string `json:"url"`
}

// webhookResponse is the body of POST /v1/webhooks/stripe (schema WebhookReceipt).
type webhookResponse struct {
	Received  bool   `json:"received"`
	EventID   string `json:"event_id"`
	Duplicate bool   `json:"duplicate"`
}

// checkout answers POST /v1/billing/checkout: a Stripe Checkout Session for a subscription or a
// credit pack, 201 with its URL. The body is read and validated before anything can answer
// billing.not-configured, so invalid input is a 400 on every server. An optional
// Idempotency-Key (the idempotency middleware) makes a retry return the same session.
func (a *API) checkout(c *gin.Context) {
	var in checkoutRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	if a.billing.Service == nil {
		_ = c.Error(billing.ErrNotConfigured)
		return
	}
	co, err := a.billing.Service.Checkout(c.Request.Context(), principal(c), billing.CheckoutRequest{Plan: in.Plan, Credits: in.Credits})
	if err != nil {
		_ = c.Error(err)
		return
	}
	out := checkoutResponse{SessionID: co.SessionID, URL: co.URL, Mode: string(co.Mode), AmountCents: co.AmountCents, Currency: "usd"}
	if co.Plan != "" {
		out.Plan = &co.Plan
	}
	if co.Credits != 0 {
		out.Credits = &co.Credits
	}
	c.JSON(http.StatusCreated, out)
}

// subscription answers GET /v1/billing/subscription: the plan in effect and the stored Stripe
// subscription (null for an account that never subscribed). It reads storage only, so it works
// on a server without Stripe keys too.
func (a *API) subscription(c *gin.Context) {
	if a.billing.Service == nil {
		_ = c.Error(billing.ErrNotConfigured)
		return
	}
	e, err := a.billing.Service.Subscription(c.Request.Context(), principal(c))
	if err != nil {
		_ = c.Error(err)
		return
	}
	out := entitlementResponse{Plan: planJSON{
		Name: e.Plan.Name, DisplayName: e.Plan.DisplayName, PriceCents: e.Plan.PriceCents,
		CreditsPerMonth: e.Plan.CreditsPerMonth.Int64(), BulkLimit: e.Plan.BulkLimit,
	}}
	if s := e.Subscription; s.StripeSubscriptionID != "" {
		out.Subscription = &subscriptionJSON{
			Plan: s.Plan, Status: string(s.Status), CancelAtPeriodEnd: s.CancelAtPeriodEnd,
			CurrentPeriodStart: timeOrNil(s.CurrentPeriodStart), CurrentPeriodEnd: timeOrNil(s.CurrentPeriodEnd),
			CanceledAt: timeOrNil(s.CanceledAt),
		}
	}
	c.JSON(http.StatusOK, out)
}

// portal answers POST /v1/billing/portal: a Stripe customer-portal URL for the caller's account.
func (a *API) portal(c *gin.Context) {
	if a.billing.Service == nil {
		_ = c.Error(billing.ErrNotConfigured)
		return
	}
	url, err := a.billing.Service.Portal(c.Request.Context(), principal(c))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, portalResponse{URL: url})
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
