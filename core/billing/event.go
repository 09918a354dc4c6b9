package billing

import "time"

// Stripe event types the Processor acts on. Any other type is recorded and ignored.
const (
	TypeCheckoutCompleted       = "checkout.session.completed"
	TypeCheckoutAsyncSucceeded  = "checkout.session.async_payment_succeeded"
	TypeInvoicePaid             = "invoice.paid"
	TypeInvoicePaymentSucceeded = "invoice.payment_succeeded"
	TypeSubscriptionCreated     = "customer.subscription.created"
	TypeSubscriptionUpdated     = "customer.subscription.updated"
	TypeSubscriptionDeleted     = "customer.subscription.deleted"
	TypeChargeRefunded          = "charge.refunded"
)

// Mode is a Checkout Session's mode.
type Mode string

// Checkout modes. Setup sessions (saving a card) buy nothing.
const (
	ModeSubscription Mode = "subscription"
	ModePayment      Mode = "payment"
	ModeSetup        Mode = "setup"
)

// Checkout payment statuses that mean the money is ours (Stripe's payment_status).
const (
	PaymentPaid              = "paid"
	PaymentNoPaymentRequired = "no_payment_required"
)

// Invoice billing reasons that open a new paid period (and so grant the plan's credits).
const (
	ReasonSubscriptionCreate = "subscription_create"
	ReasonSubscriptionCycle  = "subscription_cycle"
)

// Metadata keys Payments writes on checkout sessions and on the subscription or PaymentIntent
// they create (Stripe copies a PaymentIntent's metadata to its charge, and a subscription's to
// its invoices), and that the webhook mapping reads back into Event.
const (
	MetaAccountID = "account_id" // the account that pays
	MetaPlan      = "plan"       // subscription checkouts: the plan's name
	MetaCredits   = "credits"    // credit packs: the number of credits bought
	MetaKind      = "kind"       // "subscription" or "credit_pack", for people reading the Dashboard
)

// Values of MetaKind.
const (
	KindSubscription = "subscription"
	KindCreditPack   = "credit_pack"
)

// Event is a verified Stripe event reduced to what billing needs. The stripe adapter fills the
// fields that exist on the event's object and leaves the others zero; nothing here depends on
// the Stripe API version the event was rendered with.
//
// Event is also the input of the stripe.event.v1 workflow, stored as JSON with the run: the
// JSON names below are a durable format. Add fields freely; renaming or repurposing one breaks
// the runs in flight (that needs a new definition, see EventDefinition).
type Event struct {
	ID       string    `json:"id"`      // evt_…; the idempotency key of processing
	Type     string    `json:"type"`    // e.g. checkout.session.completed
	Created  time.Time `json:"created"` // when Stripe created the event; orders subscription changes
	Livemode bool      `json:"livemode"`

	// AccountID is the account named by our metadata (account_id, or a checkout's
	// client_reference_id); "" when the object carries none (then the customer decides).
	AccountID  string `json:"account_id,omitempty"`
	CustomerID string `json:"customer_id,omitempty"` // cus_…
	ObjectID   string `json:"object_id,omitempty"`   // id of the event's object: cs_…, in_…, sub_…, ch_…

	SubscriptionID string `json:"subscription_id,omitempty"` // sub_… the object belongs to (or is)
	InvoiceID      string `json:"invoice_id,omitempty"`      // the paid invoice: the invoice itself, or a checkout's first invoice
	// PaymentIntentID is the PaymentIntent (pi_…) a credit pack's checkout session or charge
	// names: the key that ties a purchase to its refunds (see Payment).
	PaymentIntentID string `json:"payment_intent_id,omitempty"`
	PriceID         string `json:"price_id,omitempty"` // the subscription's recurring price (first item or invoice line)
	Plan            string `json:"plan,omitempty"`     // metadata plan

	// Checkout sessions.
	Mode          Mode   `json:"mode,omitempty"`
	PaymentStatus string `json:"payment_status,omitempty"` // paid, unpaid, no_payment_required
	Credits       int64  `json:"credits,omitempty"`        // metadata credits (checkout sessions and charges of credit packs)

	// Invoices.
	BillingReason string `json:"billing_reason,omitempty"`

	// Subscriptions.
	Status             Status    `json:"status,omitempty"`
	CurrentPeriodStart time.Time `json:"current_period_start,omitzero"`
	CurrentPeriodEnd   time.Time `json:"current_period_end,omitzero"`
	CancelAtPeriodEnd  bool      `json:"cancel_at_period_end,omitempty"`
	CanceledAt         time.Time `json:"canceled_at,omitzero"`

	// Charges, in the charge's smallest currency unit.
	Amount         int64 `json:"amount,omitempty"`
	AmountRefunded int64 `json:"amount_refunded,omitempty"` // cumulative
	// PreviousAmountRefunded is amount_refunded before this event (previous_attributes), 0 when
	// absent. Not used since payments are tracked (a refund takes what its cumulative
	// AmountRefunded cancels beyond what was already taken); kept as a durable JSON field.
	PreviousAmountRefunded int64 `json:"previous_amount_refunded,omitempty"`
}

// ReceivedEvent is a webhook delivery as stored before processing.
type ReceivedEvent struct {
	ID        string
	Type      string
	AccountID string // "" when unknown; stored only when it is a UUID
	Payload   []byte // the raw JSON body, exactly as signed
}

// EventRecord is the stored state of one Stripe event.
type EventRecord struct {
	ID          string
	Type        string
	AccountID   string
	ReceivedAt  time.Time
	ProcessedAt time.Time // zero until processing finished
	Result      Result    // "" until processed
	Detail      string
	LastError   string // the last processing failure, "" when none
}

// Processed reports whether processing has finished (successfully) for this event.
func (r EventRecord) Processed() bool { return !r.ProcessedAt.IsZero() }
