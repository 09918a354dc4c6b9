package httpapi

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/oslira/oslira/adapters/stripe/stripetest"
)

// The billing routes reach Stripe through adapters/stripe pointed at stripetest's fake server;
// webhook deliveries are signed with stripe-go's own test helper.

const (
	testStripeKey = "sk_test_httpapi_0123456789"
	testWhsec     = "whsec_httpapi_test_secret"
	// stripeAPIVersion is the API version the test events are rendered in.
	stripeAPIVersion = "2025-08-27.basil"
)

// stripeCalls returns the requests the fake Stripe got at path whose form field key has value.
func stripeCalls(f *stripetest.Fake, path, key, value string) []stripetest.Request {
	var out []stripetest.Request
	for _, r := range f.Calls(path) {
		if r.Form.Get(key) == value {
			out = append(out, r)
		}
	}
	return out
}

// stripeEvent renders an event envelope around a data object, as Stripe delivers it.
func stripeEvent(id, typ string, created time.Time, object string) string {
	return fmt.Sprintf(`{"id":%q,"object":"event","api_version":%q,"created":%d,"livemode":false,`+
		`"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":%q,"data":{"object":%s}}`,
		id, stripeAPIVersion, created.Unix(), typ, object)
}

// signature signs body at t with stripe-go's own test helper.
func signature(body string, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: secret, Timestamp: t}).Header
}

// webhookReq is a delivery of body with the given Stripe-Signature ("" sends none).
func webhookReq(body, sig string) req {
	h := map[string]string{}
	if sig != "" {
		h[HeaderStripeSignature] = sig
	}
	return req{method: http.MethodPost, target: "/v1/webhooks/stripe", body: body, header: h}
}

// signedDelivery is a delivery of body signed now with the test secret.
func signedDelivery(body string) req { return webhookReq(body, signature(body, testWhsec, time.Now())) }

// packSession is a paid credit-pack Checkout Session of account for credits.
func packSession(sessionID, account string, credits int) string {
	return fmt.Sprintf(`{"id":%q,"object":"checkout.session","mode":"payment","status":"complete","payment_status":"paid",`+
		`"client_reference_id":%q,"customer":null,"subscription":null,"invoice":null,`+
		`"metadata":{"account_id":%q,"credits":"%d","kind":"credit_pack"}}`, sessionID, account, account, credits)
}

// subscriptionSession is a paid subscription Checkout Session whose first invoice is invoiceID.
func subscriptionSession(sessionID, account, plan, subID, invoiceID string) string {
	return fmt.Sprintf(`{"id":%q,"object":"checkout.session","mode":"subscription","status":"complete","payment_status":"paid",`+
		`"client_reference_id":%q,"customer":"cus_ooo","subscription":%q,"invoice":%q,`+
		`"metadata":{"account_id":%q,"plan":%q,"kind":"subscription"}}`, sessionID, account, subID, invoiceID, account, plan)
}

// subscriptionInvoice is a paid invoice of subscription subID (basil shape).
func subscriptionInvoice(invoiceID, account, plan, subID, reason string) string {
	return fmt.Sprintf(`{"id":%q,"object":"invoice","billing_reason":%q,"customer":"cus_ooo","status":"paid",`+
		`"parent":{"type":"subscription_details","subscription_details":{"subscription":%q,"metadata":{"account_id":%q,"plan":%q}}},`+
		`"lines":{"object":"list","data":[]}}`, invoiceID, reason, subID, account, plan)
}

// subscriptionObject is a subscription (basil shape: the period on the item).
func subscriptionObject(subID, account, plan, status string, cancelAtPeriodEnd bool, start, end time.Time) string {
	return fmt.Sprintf(`{"id":%q,"object":"subscription","customer":"cus_ooo","status":%q,"cancel_at_period_end":%t,`+
		`"metadata":{"account_id":%q,"plan":%q},"items":{"object":"list","data":[{"price":{"id":"price_inline_%s"},`+
		`"current_period_start":%d,"current_period_end":%d}]}}`, subID, status, cancelAtPeriodEnd, account, plan, plan, start.Unix(), end.Unix())
}

// uniqueID returns prefix followed by random characters.
func uniqueID(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:12])
}
