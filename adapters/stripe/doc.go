// Package stripe is the Stripe adapter: webhook verification (VerifyWebhook, ParseEvent) and
// billing.Payments over the Stripe API (Client), both built on stripe-go v82.
//
// # Webhooks
//
// The signature is checked by stripe-go (webhook.ConstructEventWithOptions): HMAC-SHA256 of
// "<t>.<raw body>" with the endpoint secret, any of several v1 signatures accepted (secret
// rolls). The 300-second window is checked here, against the caller's clock and in both
// directions, so tests control time and a far-future timestamp is refused too.
//
// IgnoreAPIVersionMismatch is set because the events' API version is a property of the Stripe
// account's webhook endpoint, not of this binary: an endpoint pinned to another version (the
// original product ran 2024-12-18.acacia) would otherwise have every event refused with a 400,
// and Stripe would retry them for days and then disable the endpoint. The version mismatch is
// harmless here because the event's object is not decoded with stripe-go's typed structs (which
// follow the library's pinned version) but with the small tolerant structs in objects.go, which
// read both shapes of the fields that moved in 2025-03-31.basil: the invoice's subscription
// (top level → parent.subscription_details), the subscription's current period (top level →
// items), and the invoice line's price (price → pricing.price_details).
//
// # API calls and their tests
//
// Client implements billing.Payments with stripe-go's client, pointed at Config.APIURL (the
// real API by default). stripe-go retries failed connections itself (Config.MaxNetworkRetries,
// with one Idempotency-Key for all attempts, so a retried POST is applied once). Measured on
// v82.5.1: it does not retry an HTTP answer that carries Stripe's JSON error body — not a 429
// (billing.ErrProviderRateLimited), and not a 5xx either, because its typed error decides
// "no retry" before the status is looked at (only 429 lock_timeout is retried). A 5xx therefore
// surfaces at once as billing.ErrProviderUnavailable, and the caller (a browser behind a 503,
// or a workflow step) retries.
//
// The tests run the client against an httptest server of our own that speaks Stripe's wire
// format (form-encoded requests with bracketed keys, Bearer key, Idempotency-Key header; JSON
// objects and the {"error": {"type": …}} envelope), rather than stripe-mock. stripe-mock is a
// separate binary every machine running `make test` would need installed, it is stateless (it
// cannot show that a repeated Idempotency-Key returns the same customer, or that a 500 is
// retried and then succeeds), and it cannot be told to answer a 429 or an error for one call.
// Its strength — validating parameter names against Stripe's OpenAPI spec — matters less here
// because stripe-go's typed params produce the names; the fake asserts the exact form fields we
// depend on (metadata, prices, modes) instead.
package stripe
