package httpapi

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
)

// Copied, reduced, from adapters/stripe's tests: a local server speaking Stripe's API wire format
// for the three endpoints the billing routes reach (form-encoded POSTs, Bearer key,
// Idempotency-Key, JSON objects, the {"error": {...}} envelope), with failures queued per path.

const (
	testStripeKey = "sk_test_httpapi_0123456789"
	testWhsec     = "whsec_httpapi_test_secret"
	// stripeAPIVersion is the API version the test events are rendered in.
	stripeAPIVersion = "2025-08-27.basil"
)

type fakeStripe struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []fakeRequest
	fail     map[string][]int
	byKey    map[string]string
	next     int
}

type fakeRequest struct {
	Path           string
	Form           url.Values
	IdempotencyKey string
}

func newFakeStripe(t *testing.T) *fakeStripe {
	t.Helper()
	f := &fakeStripe{fail: map[string][]int{}, byKey: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// failNext makes the next requests to path fail with these statuses, in order.
func (f *fakeStripe) failNext(path string, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[path] = append(f.fail[path], statuses...)
}

// calls returns the requests to path whose form field key has value.
func (f *fakeStripe) calls(path, key, value string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Path == path && r.Form.Get(key) == value {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeStripe) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	if r.Header.Get("Authorization") != "Bearer "+testStripeKey {
		stripeError(w, http.StatusUnauthorized, "invalid_request_error", "", "Invalid API Key provided")
		return
	}
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		stripeError(w, http.StatusBadRequest, "invalid_request_error", "", "expected a form-encoded POST")
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{Path: r.URL.Path, Form: r.PostForm, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	var status int
	if q := f.fail[r.URL.Path]; len(q) > 0 {
		status, f.fail[r.URL.Path] = q[0], q[1:]
	}
	f.next++
	n := f.next
	f.mu.Unlock()

	switch status {
	case 0:
	case http.StatusTooManyRequests:
		stripeError(w, status, "invalid_request_error", "rate_limit", "Request rate limit exceeded.")
		return
	case http.StatusBadRequest:
		stripeError(w, status, "invalid_request_error", "resource_missing", "No such price: 'price_gone'")
		return
	default:
		stripeError(w, status, "api_error", "", "An unknown error occurred")
		return
	}
	switch r.URL.Path {
	case "/v1/customers":
		key := r.Header.Get("Idempotency-Key")
		f.mu.Lock()
		id, seen := f.byKey[key]
		if !seen {
			id = fmt.Sprintf("cus_fake%d", n)
			f.byKey[key] = id
		}
		f.mu.Unlock()
		stripeJSON(w, map[string]any{"id": id, "object": "customer", "metadata": map[string]string{"account_id": r.PostForm.Get("metadata[account_id]")}})
	case "/v1/checkout/sessions":
		id := fmt.Sprintf("cs_test_fake%d", n)
		stripeJSON(w, map[string]any{"id": id, "object": "checkout.session", "mode": r.PostForm.Get("mode"), "status": "open",
			"url": "https://checkout.stripe.com/c/pay/" + id})
	case "/v1/billing_portal/sessions":
		stripeJSON(w, map[string]any{"id": fmt.Sprintf("bps_fake%d", n), "object": "billing_portal.session",
			"customer": r.PostForm.Get("customer"), "url": fmt.Sprintf("https://billing.stripe.com/p/session/test_fake%d", n)})
	default:
		stripeError(w, http.StatusNotFound, "invalid_request_error", "resource_missing", "Unrecognized request URL")
	}
}

func stripeJSON(w http.ResponseWriter, v any) {
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func stripeError(w http.ResponseWriter, status int, typ, code, message string) {
	body := map[string]any{"type": typ, "message": message}
	if code != "" {
		body["code"] = code
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
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
