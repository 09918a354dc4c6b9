package bootstrap

import (
	"net/url"
	"strings"

	"github.com/oslira/oslira/core/billing"
)

// loadBilling reads STRIPE_API_URL and the three return URLs Stripe sends customers to. The
// Stripe keys are secrets, read through the secret provider (see billing.go).
func (c *Config) loadBilling(l *loader, strict bool) {
	c.StripeAPIURL = strings.TrimSuffix(l.get("STRIPE_API_URL"), "/")
	if v := c.StripeAPIURL; v != "" && !absoluteHTTPURL(v) {
		l.bad("STRIPE_API_URL", "must be an absolute http(s) URL")
	}
	for _, u := range []struct {
		name, def string
		dst       *string
	}{
		{"BILLING_SUCCESS_URL", DefaultBillingSuccessURL, &c.BillingSuccessURL},
		{"BILLING_CANCEL_URL", DefaultBillingCancelURL, &c.BillingCancelURL},
		{"BILLING_PORTAL_RETURN_URL", DefaultBillingPortalReturnURL, &c.BillingPortalReturnURL},
	} {
		v := l.get(u.name)
		switch {
		case v == "" && strict:
			l.bad(u.name, "is required in "+string(c.Env)+": the front-end page Stripe sends customers back to")
		case v == "":
			v = u.def
		case !absoluteHTTPURL(strings.ReplaceAll(v, "{CHECKOUT_SESSION_ID}", "x")):
			l.bad(u.name, "must be an absolute http(s) URL ({CHECKOUT_SESSION_ID} is allowed)")
		}
		*u.dst = v
	}
}

// Billing is the billing use cases' configuration.
func (c Config) Billing() billing.Config {
	return billing.Config{
		SuccessURL:      c.BillingSuccessURL,
		CancelURL:       c.BillingCancelURL,
		PortalReturnURL: c.BillingPortalReturnURL,
	}
}

// absoluteHTTPURL accepts http(s)://host[...] without user info.
func absoluteHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}
