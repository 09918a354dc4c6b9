package bootstrap

import (
	"context"

	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/hosts/httpapi"
)

// StripeHealthName is the name under which the Stripe health check reports.
const StripeHealthName = "stripe"

// stripeHealth tells /health whether this server has Stripe keys. It makes no call to Stripe
// (every /health poll would cost an API request): a configured server reports "ok", and Stripe
// outages show in the billing routes' 503 billing.provider-unavailable. Without
// STRIPE_SECRET_KEY (development only) it reports "not_configured". Not critical: the rest of
// the API works without billing.
type stripeHealth struct{ configured bool }

var _ observe.HealthChecker = stripeHealth{}

// newStripeHealth reports on b's billing service.
func newStripeHealth(b httpapi.Billing) observe.HealthChecker {
	return stripeHealth{configured: b.Service != nil && b.Service.PaymentsConfigured()}
}

func (stripeHealth) Name() string   { return StripeHealthName }
func (stripeHealth) Critical() bool { return false }

func (h stripeHealth) Check(context.Context) error {
	if !h.configured {
		return observe.ErrNotConfigured
	}
	return nil
}
