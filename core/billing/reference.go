package billing

// References that tie several Stripe events to one thing of ours.

// paymentKey is the key of the payment an event concerns (see Payment): the PaymentIntent when
// the event names one, else the event's object (the charge, or the checkout session).
func paymentKey(ev Event) string {
	if ev.PaymentIntentID != "" {
		return ev.PaymentIntentID
	}
	return ev.ObjectID
}

// FirstPeriodReference is the ledger reference of a subscription's first paid period. Both
// paths that grant it agree on it: checkout.session.completed (mode subscription) always names
// the subscription but not always its first invoice, and the first invoice's invoice.paid /
// invoice.payment_succeeded (billing_reason subscription_create) names the subscription too.
func FirstPeriodReference(subscriptionID string) string {
	return "subscription:" + subscriptionID + ":first"
}

// periodReference is the ledger reference of the period a checkout or invoice event grants:
//
//   - the creation period (a subscription checkout, or an invoice with billing_reason
//     subscription_create): FirstPeriodReference of the subscription;
//   - a renewal (subscription_cycle): the invoice id, which both invoice events of that period
//     carry (invoice.paid and invoice.payment_succeeded) and no other path grants;
//   - without a subscription id (never seen from Stripe, kept as a last resort): the invoice id,
//     else the event's object (cs_…, in_…), else the event id.
func periodReference(ev Event) string {
	creation := ev.Type == TypeCheckoutCompleted || ev.Type == TypeCheckoutAsyncSucceeded ||
		ev.BillingReason == ReasonSubscriptionCreate
	switch {
	case creation && ev.SubscriptionID != "":
		return FirstPeriodReference(ev.SubscriptionID)
	case ev.InvoiceID != "":
		return ev.InvoiceID
	case ev.ObjectID != "":
		return ev.ObjectID
	default:
		return ev.ID
	}
}
