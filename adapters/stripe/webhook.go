package stripe

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/oslira/oslira/core/billing"
)

// Tolerance is the largest accepted distance between a signature's timestamp and now.
const Tolerance = webhook.DefaultTolerance // 300 s

// VerifyWebhook checks a delivery's Stripe-Signature header against the endpoint secret and the
// raw body, then maps the event. payload must be the body exactly as received. It returns the
// event, the body as json.RawMessage (for the webhook_events row), and:
//
//   - billing.ErrWebhookSignature (Invalid) when the header is missing or malformed, no v1
//     signature matches, or its timestamp is more than Tolerance away from now (either way);
//   - billing.ErrWebhookPayload (Invalid) when a correctly signed body is not a readable event;
//   - a plain (Internal) error when secret is empty: a configuration error must not look like
//     the sender's fault, and a 5xx makes Stripe retry until it is fixed.
//
// Events of any API version are accepted (see the package documentation for why).
func VerifyWebhook(payload []byte, sigHeader, secret string, now time.Time) (billing.Event, json.RawMessage, error) {
	if secret == "" {
		return billing.Event{}, nil, errors.New("stripe: the webhook signing secret is not configured")
	}
	se, err := webhook.ConstructEventWithOptions(payload, sigHeader, secret, webhook.ConstructEventOptions{
		IgnoreTolerance:          true, // checked below against now, in both directions
		IgnoreAPIVersionMismatch: true,
	})
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader), errors.Is(err, webhook.ErrNoValidSignature):
		return billing.Event{}, nil, billing.ErrWebhookSignature.WithCause(err)
	case err != nil: // the signature matched but the body is not JSON
		return billing.Event{}, nil, billing.ErrWebhookPayload.WithCause(err)
	}
	signed, err := signedAt(sigHeader)
	if err != nil {
		return billing.Event{}, nil, billing.ErrWebhookSignature.WithCause(err)
	}
	if d := now.Sub(signed); d > Tolerance || d < -Tolerance {
		return billing.Event{}, nil, billing.ErrWebhookSignature.WithCause(
			fmt.Errorf("signature timestamp %s is %s away from now", signed.UTC().Format(time.RFC3339), d.Round(time.Second)))
	}
	ev, err := mapEvent(se)
	if err != nil {
		return billing.Event{}, nil, err
	}
	return ev, json.RawMessage(payload), nil
}

// signedAt reads the t= timestamp of a Stripe-Signature header (stripe-go has already verified
// the signature made with it).
func signedAt(header string) (time.Time, error) {
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && k == "t" {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, webhook.ErrInvalidHeader
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, webhook.ErrInvalidHeader
}

// ParseEvent maps a Stripe event body without checking any signature: for bodies already
// verified and stored (a processing workflow reading webhook_events.payload). Errors are
// billing.ErrWebhookPayload: not JSON, no id or type, a handled event whose object does not
// have the expected shape, or a timestamp after year 9999 (see checkTimes).
func ParseEvent(payload []byte) (billing.Event, error) {
	var se stripego.Event
	if err := json.Unmarshal(payload, &se); err != nil {
		return billing.Event{}, billing.ErrWebhookPayload.WithCause(err)
	}
	return mapEvent(se)
}

// mapEvent reduces a decoded Stripe event to a billing.Event.
func mapEvent(se stripego.Event) (billing.Event, error) {
	if se.ID == "" || se.Type == "" {
		return billing.Event{}, billing.ErrWebhookPayload.WithMessage("the event has no id or type")
	}
	ev := billing.Event{ID: se.ID, Type: string(se.Type), Livemode: se.Livemode}
	if se.Created > 0 {
		ev.Created = time.Unix(se.Created, 0).UTC()
	}
	if se.Data == nil || len(se.Data.Raw) == 0 {
		if err := checkTimes(ev); err != nil {
			return billing.Event{}, billing.ErrWebhookPayload.WithCause(fmt.Errorf("event %s (%s): %w", ev.ID, ev.Type, err))
		}
		return ev, nil
	}
	var err error
	switch ev.Type {
	case billing.TypeCheckoutCompleted, billing.TypeCheckoutAsyncSucceeded:
		err = fillCheckout(&ev, se.Data.Raw)
	case billing.TypeInvoicePaid, billing.TypeInvoicePaymentSucceeded:
		err = fillInvoice(&ev, se.Data.Raw)
	case billing.TypeSubscriptionCreated, billing.TypeSubscriptionUpdated, billing.TypeSubscriptionDeleted:
		err = fillSubscription(&ev, se.Data.Raw)
	case billing.TypeChargeRefunded:
		var previous json.RawMessage
		if se.Data.PreviousAttributes != nil {
			previous, _ = json.Marshal(se.Data.PreviousAttributes)
		}
		err = fillCharge(&ev, se.Data.Raw, previous)
	default:
		var o struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(se.Data.Raw, &o) // best effort: unknown objects may be anything
		ev.ObjectID = o.ID
	}
	if err == nil {
		err = checkTimes(ev)
	}
	if err != nil {
		return billing.Event{}, billing.ErrWebhookPayload.WithCause(fmt.Errorf("event %s (%s): %w", ev.ID, ev.Type, err))
	}
	return ev, nil
}

// lastTime is the latest instant an Event may carry: the event is the stripe.event.v1 workflow's
// JSON input, and JSON (RFC 3339) times end with year 9999.
var lastTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// checkTimes refuses an event whose timestamps cannot be stored as the workflow's input (a
// created or period end after year 9999 would otherwise fail every start of its run; found by
// FuzzVerifyWebhookBody's workflow round trip).
func checkTimes(ev billing.Event) error {
	for _, t := range []time.Time{ev.Created, ev.CurrentPeriodStart, ev.CurrentPeriodEnd, ev.CanceledAt} {
		if t.After(lastTime) {
			return fmt.Errorf("timestamp %d is after year 9999", t.Unix())
		}
	}
	return nil
}
