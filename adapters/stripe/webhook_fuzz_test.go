package stripe_test

import (
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
)

// FuzzVerifyWebhookBody: any body Stripe signed correctly is a billing.Event or
// billing.ErrWebhookPayload (never a signature refusal, never a panic), and:
//
//   - ParseEvent (the same body read back from webhook_events, unsigned) agrees: the same event,
//     or a payload error too;
//   - an event has an id and a type, the raw payload is the body unchanged, its credits are not
//     negative, and its times are zero or UTC instants after 1970;
//   - the event survives the trip through the workflow engine's input encoding (it is the
//     stripe.event.v1 input) and decodes to the same value;
//   - the same header over the body with its first byte changed is a signature refusal.
//
// Seeds: testdata/fuzz/FuzzVerifyWebhookBody (one event of each handled type in both API
// shapes, an unknown type, and broken envelopes).
func FuzzVerifyWebhookBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		header := sign(body, whsec, now)
		ev, raw, err := stripe.VerifyWebhook(body, header, whsec, now)
		parsed, parseErr := stripe.ParseEvent(body)
		if err != nil {
			if !errors.Is(err, billing.ErrWebhookPayload) || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("signed body %q: err = %v, want %s", body, err, billing.CodeWebhookPayload)
			}
			if !errors.Is(parseErr, billing.ErrWebhookPayload) {
				t.Fatalf("signed body %q refused (%v) but ParseEvent = %+v, %v", body, err, parsed, parseErr)
			}
			return
		}
		if parseErr != nil || parsed != ev {
			t.Fatalf("body %q: VerifyWebhook = %+v\nParseEvent = %+v, %v", body, ev, parsed, parseErr)
		}
		if ev.ID == "" || ev.Type == "" || string(raw) != string(body) || ev.Credits < 0 {
			t.Fatalf("body %q: event %+v (raw payload changed: %v)", body, ev, string(raw) != string(body))
		}
		for name, at := range map[string]time.Time{"created": ev.Created, "current_period_start": ev.CurrentPeriodStart,
			"current_period_end": ev.CurrentPeriodEnd, "canceled_at": ev.CanceledAt} {
			if !at.IsZero() && (at.Location() != time.UTC || at.Unix() <= 0) {
				t.Fatalf("body %q: %s = %v, want zero or a UTC instant after 1970", body, name, at)
			}
		}
		input, err := workflow.EncodeInput(ev)
		if err != nil {
			t.Fatalf("body %q: event %+v is not a workflow input: %v", body, ev, err)
		}
		back, err := workflow.Decode[billing.Event](input)
		if err != nil || back != ev {
			t.Fatalf("body %q: event %+v came back from the workflow input as %+v, %v", body, ev, back, err)
		}
		if len(body) > 0 {
			tampered := append([]byte(nil), body...)
			tampered[0] ^= 0x01
			if _, _, err := stripe.VerifyWebhook(tampered, header, whsec, now); !errors.Is(err, billing.ErrWebhookSignature) {
				t.Fatalf("body %q with its first byte changed: err = %v, want %s", body, err, billing.CodeWebhookSignature)
			}
		}
	})
}
