package billing

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/billingmock/ports_mock.go -package=billingmock

import (
	"context"

	"github.com/oslira/oslira/core/tenant"
)

// Store keeps plans, subscriptions, Stripe customers and webhook event records. Methods that
// take a Principal read through the user scope (row-level security limits them to the
// principal's accounts); every other method is system work (admin scope). Failures to reach
// the database are apperr.Unavailable.
type Store interface {
	// Plans lists every plan, active or not, cheapest first.
	Plans(ctx context.Context) ([]Plan, error)
	// Plan returns the plan with this name; found is false when there is none.
	Plan(ctx context.Context, name string) (p Plan, found bool, err error)
	// PlanByPrice returns the plan whose StripePriceID is priceID; found is false when none.
	PlanByPrice(ctx context.Context, priceID string) (p Plan, found bool, err error)

	// CurrentSubscription returns p.AccountID's subscription, read as p; found is false when
	// the account never subscribed (or is not visible to p).
	CurrentSubscription(ctx context.Context, p tenant.Principal) (s Subscription, found bool, err error)
	// SubscriptionByStripeID returns the subscription row holding this Stripe subscription id.
	SubscriptionByStripeID(ctx context.Context, stripeSubscriptionID string) (s Subscription, found bool, err error)
	// ChangeSubscription calls decide with the account's current subscription (nil when none)
	// and stores the row it returns when apply is true; it returns the row now stored (or the
	// unchanged one) and apply. Calls for one account are serialised by a lock on the account,
	// held from the read to the write, so decide always sees the latest committed state.
	// Returns NotFound when the account does not exist.
	ChangeSubscription(ctx context.Context, accountID string, decide func(current *Subscription) (next Subscription, apply bool)) (Subscription, bool, error)

	// ChangeCredits makes one credit change of an account's billing in one transaction (see
	// "Payments and refunds" in the package documentation): under the account's billing lock
	// (the one ChangeSubscription takes), it locks the payment paymentKey (a new one when none
	// is stored; no payment when paymentKey is "") and the account's other payments that owe
	// credits, reads the balance, and calls decide with them. It then applies decide's entries
	// to the ledger in order and stores decide's payments, all in the same transaction. When
	// decide reports a replay, or the first entry already exists (a concurrent or earlier run
	// made the change), nothing is written and the result says Replay. decide's error is
	// returned unchanged and nothing is written. Returns NotFound (resource.not-found, as the
	// ledger does) when the account or its balance does not exist, and billing.webhook-payload
	// (Invalid) when the stored payment belongs to another account.
	ChangeCredits(ctx context.Context, accountID, paymentKey string, decide func(CreditState) (CreditChange, error)) (CreditResult, error)
	// Payment returns a stored payment; found is false when none.
	Payment(ctx context.Context, key string) (p Payment, found bool, err error)

	// AccountByCustomer returns the account whose Stripe customer is customerID.
	AccountByCustomer(ctx context.Context, customerID string) (accountID string, found bool, err error)
	// EnsureCustomer returns the account's Stripe customer id, calling create to make one when
	// the account has none and storing its result. Concurrent calls for one account are
	// serialised by a lock on the account, so create runs at most once per account even under
	// concurrency (a failed create stores nothing). Returns NotFound when the account does not
	// exist, and create's error unchanged.
	EnsureCustomer(ctx context.Context, accountID string, create func(ctx context.Context) (customerID string, err error)) (string, error)

	// RecordEvent stores a webhook delivery once; inserted is false when the event id is
	// already stored (the stored row is left unchanged).
	RecordEvent(ctx context.Context, e ReceivedEvent) (inserted bool, err error)
	// EventRecord returns the stored state of an event; found is false when none.
	EventRecord(ctx context.Context, eventID string) (r EventRecord, found bool, err error)
	// FinishEvent marks an event processed with its outcome, creating the record (without a
	// payload) when the event never went through RecordEvent. The first finish wins: a later
	// call for an already processed event changes nothing.
	FinishEvent(ctx context.Context, e Event, o Outcome) error
	// FailEvent stores the reason the last processing attempt failed, creating the record when
	// needed; the event stays unprocessed.
	FailEvent(ctx context.Context, e Event, reason string) error
}

// EventInbox is the transaction boundary of webhook intake and of its re-drives (implemented by
// the postgres adapter). It exists so that storing a delivery, choosing its processing attempt
// and starting that attempt's workflow run are one atomic act, without billing knowing about
// transactions. See Inbox for the rules that choose the attempt.
type EventInbox interface {
	// Accept stores e in the webhook inbox, once per event id (a repeated delivery leaves the
	// stored row as it is), locks the event's row until the transaction ends, and calls start in
	// that transaction with a context carrying it (workflow.WithTx) and the row's InboxEntry:
	// a workflow start made with that context exists if and only if the transaction commits.
	// start runs on every call, for a repeated delivery too, and returns the attempt it chose:
	// entry.Attempt, or entry.Attempt+1 — stored on the row in the same transaction — when it
	// started a new one (any other value is an error). Concurrent calls for one event therefore
	// run start one after the other, each seeing the attempt the previous one committed. When
	// start fails, or the commit does, nothing is stored and the error is returned. The result is
	// the entry start was given, with Attempt set to start's answer. Errors: Unavailable when
	// the database cannot be reached; Invalid for a payload that is not a JSON object; start's
	// error unchanged.
	Accept(ctx context.Context, e ReceivedEvent, start AttemptStart) (InboxEntry, error)
	// Redrive is Accept for an event already stored, on an operator's request: it locks the row
	// of eventID and calls start exactly as Accept does (entry.Inserted is false, entry.Payload
	// is the stored payload). ErrWebhookNotFound when no event has this id.
	Redrive(ctx context.Context, eventID string, start AttemptStart) (InboxEntry, error)
	// InboxEvents lists stored events, newest first (by receipt, then id), for operators.
	InboxEvents(ctx context.Context, q InboxQuery) ([]InboxEvent, error)
}

// Payments is the payment provider's API (Stripe). Implementations never log or return the
// API key. Errors: ErrProviderUnavailable (network failure, timeout, 5xx after the client's
// retries), ErrProviderRateLimited (429), ErrProviderRejected (any other refusal: our request or
// configuration is wrong); the context's cancellation ends a call.
type Payments interface {
	// CreateCustomer creates a customer for an account, with metadata account_id, and returns
	// its id (cus_…). Calls with the same IdempotencyKey within 24 hours return the same
	// customer (Stripe's Idempotency-Key), so a retry after a lost response creates no twin.
	CreateCustomer(ctx context.Context, c NewCustomer) (customerID string, err error)
	// CreateCheckoutSession creates a hosted Checkout Session and returns its id and URL. The
	// session, and the subscription or PaymentIntent it creates, carry metadata MetaAccountID,
	// MetaKind and MetaPlan (subscriptions) or MetaCredits (packs); client_reference_id is the
	// account id. See CheckoutParams for prices.
	CreateCheckoutSession(ctx context.Context, p CheckoutParams) (CheckoutSession, error)
	// CreatePortalSession creates a customer-portal session and returns its URL.
	CreatePortalSession(ctx context.Context, customerID, returnURL string) (url string, err error)
}

// NewCustomer describes a customer to create.
type NewCustomer struct {
	AccountID      string
	Email          string // may be ""
	IdempotencyKey string
}

// CheckoutParams describes a Checkout Session. Amounts are in US cents.
type CheckoutParams struct {
	Mode       Mode // ModeSubscription or ModePayment
	AccountID  string
	CustomerID string
	// Plan is the plan of a subscription checkout: its StripePriceID when set, else an inline
	// monthly price of PriceCents named after DisplayName.
	Plan Plan
	// Credits and AmountCents describe a credit pack (ModePayment): one line of AmountCents.
	Credits     int64
	AmountCents int64
	SuccessURL  string
	CancelURL   string
}

// CheckoutSession is a created Checkout Session.
type CheckoutSession struct {
	ID  string // cs_…
	URL string // where to send the customer
}
