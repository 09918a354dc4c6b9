package stripe

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/oslira/oslira/core/billing"
)

// The event objects, reduced to the fields billing reads. Fields that moved between Stripe API
// versions are read from both places (see the package documentation).

// ref is an expandable reference: Stripe sends "cus_123", null, or the expanded object.
type ref string

func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*r = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = ref(s)
		return nil
	}
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*r = ref(o.ID)
	return nil
}

type metadata map[string]string

type checkoutSession struct {
	ID                string   `json:"id"`
	Mode              string   `json:"mode"`
	PaymentStatus     string   `json:"payment_status"`
	ClientReferenceID string   `json:"client_reference_id"`
	Customer          ref      `json:"customer"`
	Subscription      ref      `json:"subscription"`
	Invoice           ref      `json:"invoice"`
	PaymentIntent     ref      `json:"payment_intent"`
	Metadata          metadata `json:"metadata"`
}

type invoice struct {
	ID            string   `json:"id"`
	BillingReason string   `json:"billing_reason"`
	Customer      ref      `json:"customer"`
	Metadata      metadata `json:"metadata"`
	// Since 2025-03-31.basil.
	Parent *struct {
		SubscriptionDetails *struct {
			Subscription ref      `json:"subscription"`
			Metadata     metadata `json:"metadata"`
		} `json:"subscription_details"`
	} `json:"parent"`
	// Before basil.
	Subscription        ref `json:"subscription"`
	SubscriptionDetails *struct {
		Metadata metadata `json:"metadata"`
	} `json:"subscription_details"`
	Lines struct {
		Data []struct {
			Price   *struct{ ID string } `json:"price"` // before basil
			Pricing *struct {
				PriceDetails *struct {
					Price ref `json:"price"`
				} `json:"price_details"`
			} `json:"pricing"` // since basil
			Metadata metadata `json:"metadata"`
		} `json:"data"`
	} `json:"lines"`
}

type subscription struct {
	ID                string   `json:"id"`
	Customer          ref      `json:"customer"`
	Status            string   `json:"status"`
	CancelAtPeriodEnd bool     `json:"cancel_at_period_end"`
	CancelAt          int64    `json:"cancel_at"`
	CanceledAt        int64    `json:"canceled_at"`
	Metadata          metadata `json:"metadata"`
	// Before basil the period was on the subscription; since, it is on each item.
	CurrentPeriodStart int64 `json:"current_period_start"`
	CurrentPeriodEnd   int64 `json:"current_period_end"`
	Items              struct {
		Data []struct {
			Price              ref   `json:"price"`
			CurrentPeriodStart int64 `json:"current_period_start"`
			CurrentPeriodEnd   int64 `json:"current_period_end"`
		} `json:"data"`
	} `json:"items"`
}

type charge struct {
	ID             string   `json:"id"`
	Customer       ref      `json:"customer"`
	Amount         int64    `json:"amount"`
	AmountRefunded int64    `json:"amount_refunded"`
	PaymentIntent  ref      `json:"payment_intent"`
	Metadata       metadata `json:"metadata"`
}

type chargePrevious struct {
	AmountRefunded *int64 `json:"amount_refunded"`
}

// fillCheckout maps a Checkout Session. The account is our metadata, else the
// client_reference_id we set.
func fillCheckout(ev *billing.Event, raw json.RawMessage) error {
	var s checkoutSession
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	ev.ObjectID, ev.CustomerID, ev.SubscriptionID, ev.InvoiceID = s.ID, string(s.Customer), string(s.Subscription), string(s.Invoice)
	ev.Mode, ev.PaymentStatus, ev.PaymentIntentID = billing.Mode(s.Mode), s.PaymentStatus, string(s.PaymentIntent)
	ev.AccountID = first(s.Metadata[billing.MetaAccountID], s.ClientReferenceID)
	ev.Plan, ev.Credits = s.Metadata[billing.MetaPlan], credits(s.Metadata)
	return nil
}

// fillInvoice maps an invoice; the subscription's metadata (account, plan) is read from the
// invoice's snapshot of it, in either API shape, then from the lines (Stripe copies a
// subscription's metadata to its subscription lines).
func fillInvoice(ev *billing.Event, raw json.RawMessage) error {
	var in invoice
	if err := json.Unmarshal(raw, &in); err != nil {
		return err
	}
	ev.ObjectID, ev.InvoiceID, ev.CustomerID, ev.BillingReason = in.ID, in.ID, string(in.Customer), in.BillingReason
	sources := []metadata{in.Metadata}
	ev.SubscriptionID = string(in.Subscription)
	if in.Parent != nil && in.Parent.SubscriptionDetails != nil {
		ev.SubscriptionID = first(string(in.Parent.SubscriptionDetails.Subscription), ev.SubscriptionID)
		sources = append([]metadata{in.Parent.SubscriptionDetails.Metadata}, sources...)
	}
	if in.SubscriptionDetails != nil {
		sources = append(sources, in.SubscriptionDetails.Metadata)
	}
	for _, line := range in.Lines.Data {
		sources = append(sources, line.Metadata)
		if ev.PriceID != "" {
			continue
		}
		switch {
		case line.Pricing != nil && line.Pricing.PriceDetails != nil:
			ev.PriceID = string(line.Pricing.PriceDetails.Price)
		case line.Price != nil:
			ev.PriceID = line.Price.ID
		}
	}
	for _, m := range sources {
		ev.AccountID = first(ev.AccountID, m[billing.MetaAccountID])
		ev.Plan = first(ev.Plan, m[billing.MetaPlan])
	}
	return nil
}

// fillSubscription maps a subscription. CancelAtPeriodEnd means "a cancellation is
// scheduled": Stripe's cancel_at_period_end, or a cancel_at date (which newer portal flows set
// instead).
func fillSubscription(ev *billing.Event, raw json.RawMessage) error {
	var s subscription
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	ev.ObjectID, ev.SubscriptionID, ev.CustomerID = s.ID, s.ID, string(s.Customer)
	ev.Status = billing.Status(s.Status)
	ev.CancelAtPeriodEnd = s.CancelAtPeriodEnd || s.CancelAt > 0
	ev.CanceledAt = unix(s.CanceledAt)
	ev.AccountID, ev.Plan = s.Metadata[billing.MetaAccountID], s.Metadata[billing.MetaPlan]
	start, end := s.CurrentPeriodStart, s.CurrentPeriodEnd
	if len(s.Items.Data) > 0 {
		item := s.Items.Data[0]
		ev.PriceID = string(item.Price)
		if item.CurrentPeriodEnd > 0 {
			start, end = item.CurrentPeriodStart, item.CurrentPeriodEnd
		}
	}
	ev.CurrentPeriodStart, ev.CurrentPeriodEnd = unix(start), unix(end)
	return nil
}

// fillCharge maps a charge and, for charge.refunded, what was refunded before this event.
func fillCharge(ev *billing.Event, raw, previous json.RawMessage) error {
	var c charge
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	ev.ObjectID, ev.CustomerID = c.ID, string(c.Customer)
	ev.Amount, ev.AmountRefunded, ev.PaymentIntentID = c.Amount, c.AmountRefunded, string(c.PaymentIntent)
	ev.AccountID, ev.Credits = c.Metadata[billing.MetaAccountID], credits(c.Metadata)
	if len(previous) > 0 && !bytes.Equal(previous, []byte("null")) {
		var p chargePrevious
		if err := json.Unmarshal(previous, &p); err != nil {
			return err
		}
		if p.AmountRefunded != nil {
			ev.PreviousAmountRefunded = *p.AmountRefunded
		}
	}
	return nil
}

// credits reads metadata "credits"; anything but a positive integer is 0 (processing then
// reports the payment as carrying no credits).
func credits(m metadata) int64 {
	n, err := strconv.ParseInt(m[billing.MetaCredits], 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
