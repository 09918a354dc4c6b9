// Package billing turns Stripe's view of an account (subscriptions, payments, refunds) into
// plans and ledger entries, and starts the checkouts that lead there.
//
// It knows Stripe's vocabulary (event types, statuses, checkout modes, the metadata we attach)
// but not stripe-go: the stripe adapter maps webhooks into Event and implements Payments.
//
// # Processing rules (Processor.Handle)
//
// Every credit change is a credit.Ledger entry, idempotent per (account, kind, reference), so an
// event delivered any number of times, in parallel or not, changes a balance at most once:
//
//   - checkout.session.completed (and .async_payment_succeeded, for delayed payment methods),
//     once the session is paid:
//     mode subscription: the subscription row becomes the plan in metadata "plan", status
//     active, and the plan's monthly credits are granted (subscription_grant);
//     mode payment with metadata "credits": the pack is granted (purchase), reference = event id.
//   - invoice.paid and invoice.payment_succeeded, billing_reason subscription_create or
//     subscription_cycle: the plan's monthly credits are granted (subscription_grant).
//     Other billing reasons (subscription_update prorations, manual invoices) grant nothing.
//   - customer.subscription.created/.updated/.deleted: status, plan, current period and cancel
//     flags, under the ordering rule below; a deleted (or canceled) subscription falls back to
//     the free plan.
//   - charge.refunded: a chargeback of the credits the refunded money bought (metadata
//     "credits" on the charge, copied by Stripe from the PaymentIntent of a credit pack),
//     floored at zero by the ledger. Reference = event id.
//   - any other type: recorded and acknowledged with the outcome "ignored".
//
// # One grant per paid period: the invoice id is the reference
//
// Stripe sends both invoice.paid and invoice.payment_succeeded for one paid invoice, and a
// subscription's first invoice is also announced by checkout.session.completed. All three
// would grant the same period, so subscription grants use the id of the paid invoice (in_…) as
// the ledger reference — the checkout session names its first invoice — instead of the event
// id: whichever of the three arrives first grants, the others find the entry and change
// nothing, in any order. This replaces a rule such as "skip billing_reason
// subscription_create", which would lose the first grant of a subscription created outside
// Checkout (Dashboard, API) and still double-grant through the paid/payment_succeeded pair.
// A checkout session without an invoice falls back to its event id.
//
// # Ordering
//
// Stripe does not order deliveries. A subscription change carries its event's Created time;
// the stored row remembers the newest applied one (StripeUpdatedAt) and an older change is
// reported as "stale" and not applied (see Subscription.Apply). Grants do not depend on order.
//
// # Partial refunds
//
// charge.refunded carries the cumulative amount_refunded and, in previous_attributes, the
// amount refunded before. The chargeback of one event is
// floor(credits·refunded/amount) − floor(credits·previously_refunded/amount), so a series of
// partial refunds takes exactly the credits of the total refunded, whatever the order.
// Subscription charges carry no credits metadata: refunding one takes nothing automatically
// (cancel the subscription; an operator may charge back by hand).
package billing
