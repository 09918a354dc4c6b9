package stripe_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
)

const whsec = "whsec_test_secret"

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// eventJSON wraps a data object (and optional previous_attributes) in Stripe's envelope.
func eventJSON(id, typ, apiVersion, object, previous string) []byte {
	prev := ""
	if previous != "" {
		prev = `,"previous_attributes":` + previous
	}
	return []byte(fmt.Sprintf(`{"id":%q,"object":"event","api_version":%q,"created":%d,"livemode":false,
"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":%q,"data":{"object":%s%s}}`,
		id, apiVersion, now.Add(-time.Minute).Unix(), typ, object, prev))
}

// sign signs body at t with stripe-go's own test helper.
func sign(body []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: t}).Header
}

const packSession = `{"id":"cs_test_a1","object":"checkout.session","mode":"payment","status":"complete",
"payment_status":"paid","client_reference_id":"` + acc + `","customer":"cus_R2d2","amount_total":43650,
"currency":"usd","payment_intent":"pi_3A","subscription":null,"invoice":null,
"metadata":{"account_id":"` + acc + `","credits":"500","kind":"credit_pack"}}`

func TestVerifyWebhookAcceptsAValidSignature(t *testing.T) {
	t.Parallel()
	body := eventJSON("evt_1", "checkout.session.completed", "2025-08-27.basil", packSession, "")
	ev, raw, err := stripe.VerifyWebhook(body, sign(body, whsec, now.Add(-10*time.Second)), whsec, now)
	if err != nil {
		t.Fatal(err)
	}
	want := billing.Event{ID: "evt_1", Type: billing.TypeCheckoutCompleted, Created: now.Add(-time.Minute),
		AccountID: acc, CustomerID: "cus_R2d2", ObjectID: "cs_test_a1", PaymentIntentID: "pi_3A", Mode: billing.ModePayment,
		PaymentStatus: billing.PaymentPaid, Credits: 500}
	if ev != want {
		t.Errorf("event = %+v\nwant    %+v", ev, want)
	}
	if string(raw) != string(body) {
		t.Error("raw payload differs from the body")
	}
}

func TestVerifyWebhookRefusals(t *testing.T) {
	t.Parallel()
	body := eventJSON("evt_2", "checkout.session.completed", "2025-08-27.basil", packSession, "")
	good := sign(body, whsec, now)
	goodSig := strings.SplitN(good, "v1=", 2)[1]
	cases := []struct {
		name, header string
		body         []byte
		code         string
	}{
		{"missing header", "", body, billing.CodeWebhookSignature},
		{"wrong secret", sign(body, "whsec_other", now), body, billing.CodeWebhookSignature},
		{"tampered body", good, []byte(strings.Replace(string(body), `"500"`, `"50000"`, 1)), billing.CodeWebhookSignature},
		{"malformed header", "garbage", body, billing.CodeWebhookSignature},
		{"no v1 signature", fmt.Sprintf("t=%d,v0=%s", now.Unix(), goodSig), body, billing.CodeWebhookSignature},
		{"older than 300 s", sign(body, whsec, now.Add(-301*time.Second)), body, billing.CodeWebhookSignature},
		{"more than 300 s ahead", sign(body, whsec, now.Add(301*time.Second)), body, billing.CodeWebhookSignature},
		{"signed but not JSON", sign([]byte("not json"), whsec, now), []byte("not json"), billing.CodeWebhookPayload},
		{"signed but without id", sign([]byte(`{"object":"event","type":"x"}`), whsec, now), []byte(`{"object":"event","type":"x"}`), billing.CodeWebhookPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, raw, err := stripe.VerifyWebhook(tc.body, tc.header, whsec, now)
			if apperr.CodeOf(err) != tc.code || apperr.KindOf(err) != apperr.Invalid || raw != nil {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
	t.Run("a missing secret is our configuration error, not the sender's", func(t *testing.T) {
		t.Parallel()
		if _, _, err := stripe.VerifyWebhook(body, good, "", now); err == nil || apperr.KindOf(err) != apperr.Internal {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestVerifyWebhookAccepts(t *testing.T) {
	t.Parallel()
	body := eventJSON("evt_3", "customer.created", "2024-12-18.acacia", `{"id":"cus_1","object":"customer"}`, "")
	cases := map[string]string{
		// A secret roll: Stripe signs with the old and the new secret; either may be ours.
		"two v1 signatures, the second valid": fmt.Sprintf("t=%d,v1=%s,%s", now.Unix(),
			hex.EncodeToString(make([]byte, 32)), strings.SplitN(sign(body, whsec, now), ",", 2)[1]),
		"299 s old":           sign(body, whsec, now.Add(-299*time.Second)),
		"another API version": sign(body, whsec, now),
	}
	for name, header := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ev, _, err := stripe.VerifyWebhook(body, header, whsec, now)
			if err != nil || ev.ID != "evt_3" || ev.Type != "customer.created" || ev.ObjectID != "cus_1" {
				t.Fatalf("event = %+v, %v", ev, err)
			}
		})
	}
}

func TestParseEventMapsEachShape(t *testing.T) {
	t.Parallel()
	start, end := now.Add(-time.Hour).Unix(), now.AddDate(0, 1, 0).Unix()
	cases := []struct {
		name, typ, version, object, previous string
		want                                 billing.Event
	}{
		{"subscription checkout with an expanded customer", billing.TypeCheckoutCompleted, "2025-08-27.basil",
			`{"id":"cs_2","object":"checkout.session","mode":"subscription","payment_status":"paid",
			  "client_reference_id":"` + acc + `","customer":{"id":"cus_X","object":"customer"},
			  "subscription":"sub_1","invoice":"in_first","metadata":{"plan":"growth"}}`, "",
			billing.Event{AccountID: acc, CustomerID: "cus_X", ObjectID: "cs_2", SubscriptionID: "sub_1",
				InvoiceID: "in_first", Plan: "growth", Mode: billing.ModeSubscription, PaymentStatus: billing.PaymentPaid}},
		{"basil invoice", billing.TypeInvoicePaid, "2025-08-27.basil",
			`{"id":"in_2","object":"invoice","billing_reason":"subscription_cycle","customer":"cus_X","status":"paid",
			  "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_1",
			    "metadata":{"account_id":"` + acc + `","plan":"growth"}}},
			  "lines":{"object":"list","data":[{"id":"il_1","pricing":{"type":"price_details",
			    "price_details":{"price":"price_growth","product":"prod_1"}},"metadata":{}}]}}`, "",
			billing.Event{AccountID: acc, CustomerID: "cus_X", ObjectID: "in_2", InvoiceID: "in_2", SubscriptionID: "sub_1",
				PriceID: "price_growth", Plan: "growth", BillingReason: billing.ReasonSubscriptionCycle}},
		{"acacia invoice", billing.TypeInvoicePaymentSucceeded, "2024-12-18.acacia",
			`{"id":"in_3","object":"invoice","billing_reason":"subscription_create","customer":"cus_X",
			  "subscription":"sub_1","subscription_details":{"metadata":{"plan":"pro"}},
			  "lines":{"object":"list","data":[{"id":"il_1","price":{"id":"price_pro","object":"price"},
			    "metadata":{"account_id":"` + acc + `"}}]}}`, "",
			billing.Event{AccountID: acc, CustomerID: "cus_X", ObjectID: "in_3", InvoiceID: "in_3", SubscriptionID: "sub_1",
				PriceID: "price_pro", Plan: "pro", BillingReason: billing.ReasonSubscriptionCreate}},
		{"basil subscription: period on the item", billing.TypeSubscriptionUpdated, "2025-08-27.basil",
			fmt.Sprintf(`{"id":"sub_1","object":"subscription","customer":"cus_X","status":"active",
			  "cancel_at_period_end":true,"cancel_at":%d,"canceled_at":null,
			  "items":{"object":"list","data":[{"id":"si_1","price":{"id":"price_pro"},
			    "current_period_start":%d,"current_period_end":%d}]},
			  "metadata":{"account_id":"%s","plan":"pro"}}`, end, start, end, acc), `{"cancel_at_period_end":false}`,
			billing.Event{AccountID: acc, CustomerID: "cus_X", ObjectID: "sub_1", SubscriptionID: "sub_1", PriceID: "price_pro",
				Plan: "pro", Status: billing.StatusActive, CurrentPeriodStart: time.Unix(start, 0).UTC(),
				CurrentPeriodEnd: time.Unix(end, 0).UTC(), CancelAtPeriodEnd: true}},
		{"acacia subscription deleted: period at the top, cancel_at only", billing.TypeSubscriptionDeleted, "2024-12-18.acacia",
			fmt.Sprintf(`{"id":"sub_1","object":"subscription","customer":"cus_X","status":"canceled",
			  "cancel_at_period_end":false,"cancel_at":null,"canceled_at":%d,"current_period_start":%d,"current_period_end":%d,
			  "items":{"object":"list","data":[{"id":"si_1","price":{"id":"price_pro"}}]},"metadata":{}}`, start, start, end), "",
			billing.Event{CustomerID: "cus_X", ObjectID: "sub_1", SubscriptionID: "sub_1", PriceID: "price_pro",
				Status: billing.StatusCanceled, CanceledAt: time.Unix(start, 0).UTC(),
				CurrentPeriodStart: time.Unix(start, 0).UTC(), CurrentPeriodEnd: time.Unix(end, 0).UTC()}},
		{"partial refund of a pack", billing.TypeChargeRefunded, "2025-08-27.basil",
			`{"id":"ch_1","object":"charge","customer":"cus_X","amount":43650,"amount_refunded":43650,"refunded":true,
			  "payment_intent":"pi_3A","metadata":{"account_id":"` + acc + `","credits":"500","kind":"credit_pack"}}`,
			`{"amount_refunded":21825,"refunded":false}`,
			billing.Event{AccountID: acc, CustomerID: "cus_X", ObjectID: "ch_1", PaymentIntentID: "pi_3A", Credits: 500, Amount: 43650,
				AmountRefunded: 43650, PreviousAmountRefunded: 21825}},
		{"refund of a charge without metadata", billing.TypeChargeRefunded, "2025-08-27.basil",
			`{"id":"ch_2","object":"charge","customer":"cus_X","amount":2900,"amount_refunded":2900,"metadata":{"credits":"lots"}}`, "",
			billing.Event{CustomerID: "cus_X", ObjectID: "ch_2", Amount: 2900, AmountRefunded: 2900}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := stripe.ParseEvent(eventJSON("evt_x", tc.typ, tc.version, tc.object, tc.previous))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.ID, want.Type, want.Created = "evt_x", tc.typ, now.Add(-time.Minute)
			if ev != want {
				t.Errorf("event = %+v\nwant    %+v", ev, want)
			}
		})
	}
}

func TestParseEventRejectsMisshapenObjects(t *testing.T) {
	t.Parallel()
	for _, body := range [][]byte{
		eventJSON("evt_y", billing.TypeInvoicePaid, "2025-08-27.basil", `{"id":"in_1","lines":"not a list"}`, ""),
		eventJSON("evt_y", billing.TypeChargeRefunded, "2025-08-27.basil", `{"id":"ch_1"}`, `{"amount_refunded":"x"}`),
		[]byte(`{"id":"evt_y","type":"invoice.paid","data":{"object":"a string"}}`),
	} {
		_, err := stripe.ParseEvent(body)
		if !errors.Is(err, billing.ErrWebhookPayload) {
			t.Errorf("ParseEvent(%.60s…) err = %v, want %s", body, err, billing.CodeWebhookPayload)
		}
	}
}
