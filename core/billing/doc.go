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
//     mode payment with metadata "credits": the pack's purchase (see "Payments and refunds").
//   - invoice.paid and invoice.payment_succeeded, billing_reason subscription_create or
//     subscription_cycle: the plan's monthly credits are granted (subscription_grant).
//     Other billing reasons (subscription_update prorations, manual invoices) grant nothing.
//   - customer.subscription.created/.updated/.deleted: status, plan, current period and cancel
//     flags, under the ordering rule below; a deleted (or canceled) subscription falls back to
//     the free plan.
//   - charge.refunded of a credit pack (metadata "credits" on the charge, copied by Stripe
//     from the PaymentIntent): the refund of that payment (see "Payments and refunds").
//   - any other type: recorded and acknowledged with the outcome "ignored".
//
// # One grant per paid period
//
// Stripe sends both invoice.paid and invoice.payment_succeeded for one paid invoice, and a
// subscription's first period is also announced by checkout.session.completed. Subscription
// grants therefore use a reference of the period, not of the event (periodReference):
//
//   - the first period — a subscription checkout, or an invoice with billing_reason
//     subscription_create — is subscription:<sub_…>:first. Every one of those events names the
//     subscription, whereas a checkout session does not always name its first invoice (the
//     fallback to the event id then granted the period twice);
//   - a renewal (subscription_cycle) is the invoice id, which both of its invoice events carry.
//
// Whichever event arrives first grants; the others find the entry and change nothing, in any
// order. This replaces a rule such as "skip billing_reason subscription_create", which would
// lose the first grant of a subscription created outside Checkout (Dashboard, API).
//
// # Ordering
//
// Stripe does not order deliveries. A subscription change carries its event's Created time;
// the stored row remembers the newest applied one (StripeUpdatedAt) and an older change is
// reported as "stale" and not applied (see Subscription.Apply). Grants do not depend on order.
//
// # Payments and refunds
//
// Stripe may deliver a refund before the purchase it refunds (the purchase's delivery is
// retried for hours), several partial refunds in any order, and each of them more than once.
// So each payment of a credit pack is tracked (Payment, keyed by its PaymentIntent — which the
// checkout session and the charge both name — else by the charge or session id): the credits
// bought, the highest cumulative amount_refunded seen, the credits granted, taken back and owed.
// The rules, applied by Store.ChangeCredits under the account's billing lock and the payment's
// row lock, in the transaction of the ledger entries they write:
//
//   - The refunded credits are floor(credits·amount_refunded/amount), from the cumulative
//     amount_refunded (previous_attributes is not needed and not used): partial refunds add up
//     to exactly the credits of their total, rounding in the customer's favour.
//   - A purchase grants the credits bought less the refunded credits already known (a purchase
//     after its full refund grants nothing); a second purchase event of a payment is a replay.
//   - A refund before the purchase only records the amount refunded. After it, a refund takes
//     the refunded credits not yet taken back or owed (an older refund delivered late takes
//     nothing); what the balance cannot cover is recorded as owed.
//   - Owed credits are settled from the account's next paid grant — a credit pack or a
//     subscription period, in the grant's transaction, oldest debt first, as chargeback entries
//     referenced <grant reference>:settles:<payment key> — and from nothing else: free-plan and
//     operator grants are left whole. This keeps the result independent of delivery order
//     across payments too: a refund before or after the next purchase ends at the same balance.
//   - Each event is applied to its payment once (the payment remembers the event ids), and
//     every figure only grows, so a redelivery, a concurrent run, or a run repeated after a
//     crash changes nothing more.
//
// The end state — balance, ledger sum, per payment the credits net of refunds and the credits
// owed — depends only on the set of events delivered, not on their order
// (TestPaymentOutcomeIndependentOfDeliveryOrder runs every order of a purchase and up to three
// refunds). Subscription charges carry no credits metadata: refunding one takes nothing
// automatically (cancel the subscription; an operator may charge back by hand).
package billing
