package billing

import "github.com/oslira/oslira/core/apperr"

// Error codes of the billing feature.
const (
	CodeWebhookSignature    = "billing.webhook-signature"
	CodeWebhookPayload      = "billing.webhook-payload"
	CodeInvalidEvent        = "billing.invalid-event"
	CodeInvalidCheckout     = "billing.invalid-checkout"
	CodeUnknownPlan         = "billing.unknown-plan"
	CodeAlreadySubscribed   = "billing.already-subscribed"
	CodeProviderUnavailable = "billing.provider-unavailable"
	CodeProviderRateLimited = "billing.provider-rate-limited"
	CodeProviderRejected    = "billing.provider-rejected"
	CodeNotConfigured       = "billing.not-configured"
)

var (
	// ErrWebhookSignature means a webhook's Stripe-Signature header is missing, malformed, does
	// not match the body, or is outside the tolerance window. Nothing may be stored.
	ErrWebhookSignature = apperr.New(apperr.Invalid, CodeWebhookSignature, "the Stripe signature of this webhook is missing or invalid")
	// ErrWebhookPayload means a correctly signed body is not an event we can read.
	ErrWebhookPayload = apperr.New(apperr.Invalid, CodeWebhookPayload, "the webhook body is not a readable Stripe event")
	// ErrInvalidEvent means an Event lacks its id or type.
	ErrInvalidEvent = apperr.New(apperr.Invalid, CodeInvalidEvent, "the event has no id or type")
	// ErrAlreadySubscribed refuses a second subscription checkout while one is entitled: plan
	// changes go through the customer portal, which prorates.
	ErrAlreadySubscribed = apperr.New(apperr.Conflict, CodeAlreadySubscribed, "the account already has a subscription; change plans in the billing portal")
	// ErrProviderUnavailable means Stripe could not be reached or failed (after the client's
	// own retries); the same request may succeed later.
	ErrProviderUnavailable = apperr.New(apperr.Unavailable, CodeProviderUnavailable, "the payment provider is temporarily unavailable")
	// ErrProviderRateLimited means Stripe asked us to slow down.
	ErrProviderRateLimited = apperr.New(apperr.RateLimited, CodeProviderRateLimited, "the payment provider is busy; try again shortly")
	// ErrProviderRejected means Stripe refused our request (a bug or a configuration error such
	// as a bad key or price); retrying will not help.
	ErrProviderRejected = apperr.New(apperr.Internal, CodeProviderRejected, "internal error")
	// ErrNotConfigured means this server has no payment provider (a development machine without
	// Stripe keys): checkouts, portal sessions and webhooks are refused as unavailable — never
	// answered with a pretend success — so a webhook sent meanwhile is retried by Stripe.
	ErrNotConfigured = apperr.New(apperr.Unavailable, CodeNotConfigured, "billing is not configured on this server")
)

// errUnknownPlan reports a plan name or Stripe price no plan matches.
func errUnknownPlan(field, message string) error {
	return apperr.Validation(CodeUnknownPlan, "unknown plan", apperr.FieldError{Field: field, Message: message})
}
