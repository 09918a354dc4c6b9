package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/workflow"
)

func postJSON(target, token, body string) req {
	return req{method: http.MethodPost, target: target, token: token, body: body}
}

// testBillingRoutes drives /v1/billing/* through the real service, the real Stripe client and a
// fake Stripe API, with the contract validating every answer (TestContract runs it).
func testBillingRoutes(t *testing.T, f *apiFixture) {
	u := newUser(t, false)
	acct := f.me(t, u).Account.ID
	get := req{method: http.MethodGet, target: "/v1/billing/subscription", token: u.token}

	e := decode[entitlementResponse](t, f.do(t, get), http.StatusOK)
	if e.Plan.Name != billing.FreePlan || e.Plan.BulkLimit != 5 || e.Subscription != nil {
		t.Errorf("entitlement of a new account = %+v", e)
	}

	pack := decode[checkoutResponse](t, f.do(t, postJSON("/v1/billing/checkout", u.token, `{"credits": 500}`)), http.StatusCreated)
	if pack.Mode != "payment" || pack.Credits == nil || *pack.Credits != 500 || pack.Plan != nil || pack.AmountCents != 43650 ||
		!strings.HasPrefix(pack.URL, "https://checkout.stripe.com/") || !strings.HasPrefix(pack.SessionID, "cs_") {
		t.Errorf("pack checkout = %+v", pack)
	}
	sub := decode[checkoutResponse](t, f.do(t, postJSON("/v1/billing/checkout", u.token, `{"plan": "growth"}`)), http.StatusCreated)
	if sub.Mode != "subscription" || sub.Plan == nil || *sub.Plan != "growth" || sub.Credits != nil || sub.AmountCents != 2900 {
		t.Errorf("subscription checkout = %+v", sub)
	}
	portal := decode[portalResponse](t, f.do(t, req{method: http.MethodPost, target: "/v1/billing/portal", token: u.token}), http.StatusOK)
	if !strings.HasPrefix(portal.URL, "https://billing.stripe.com/") {
		t.Errorf("portal = %+v", portal)
	}
	// One Stripe customer for the account, created once and reused by all three sessions.
	if n := len(stripeCalls(f.stripe, "/v1/customers", "metadata[account_id]", acct)); n != 1 {
		t.Errorf("%d customers created for the account, want 1", n)
	}
	if n := len(stripeCalls(f.stripe, "/v1/checkout/sessions", "client_reference_id", acct)); n != 2 {
		t.Errorf("%d checkout sessions, want 2", n)
	}

	for body, want := range map[string][2]string{
		`{"plan": "growth", "credits": 100}`: {billing.CodeInvalidCheckout, "plan"},
		`{}`:                                 {billing.CodeInvalidCheckout, "plan"},
		`{"plan": "free"}`:                   {billing.CodeUnknownPlan, "plan"},
		`{"plan": "platinum"}`:               {billing.CodeUnknownPlan, "plan"},
		`{"credits": 5}`:                     {credit.CodePackOutOfRange, "credits"},
		`{"plans": "growth"}`:                {apperr.CodeInvalidRequest, "plans"},
		`{"credits": "ten"}`:                 {apperr.CodeInvalidRequest, "credits"},
	} {
		p := wantProblem(t, f.do(t, postJSON("/v1/billing/checkout", u.token, body)), http.StatusBadRequest, want[0])
		if len(p.Errors) == 0 || p.Errors[0].Field != want[1] {
			t.Errorf("%s: field errors %+v", body, p.Errors)
		}
	}
	// With an Idempotency-Key a retried checkout is the same session, created once.
	key := uniqueID("co-")
	keyed := postJSON("/v1/billing/checkout", u.token, `{"credits": 200}`)
	keyed.header = map[string]string{HeaderIdempotencyKey: key}
	first := f.do(t, keyed)
	second := f.do(t, keyed)
	a, b := decode[checkoutResponse](t, first, http.StatusCreated), decode[checkoutResponse](t, second, http.StatusCreated)
	if a.SessionID != b.SessionID || second.Header().Get(HeaderIdempotentReplayed) != "true" {
		t.Errorf("keyed checkout twice: %s / %s (%v)", a.SessionID, b.SessionID, second.Header())
	}
	if n := len(stripeCalls(f.stripe, "/v1/checkout/sessions", "client_reference_id", acct)); n != 3 {
		t.Errorf("%d checkout sessions after the keyed pair, want 3", n)
	}
	keyed.body = `{"credits": 300}`
	wantProblem(t, f.do(t, keyed), http.StatusUnprocessableEntity, idempotency.CodeMismatch)
	plain := postJSON("/v1/billing/checkout", u.token, `{"credits": 100}`)
	plain.header = map[string]string{"Content-Type": "text/plain"}
	wantProblem(t, f.do(t, plain), http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType)

	for status, code := range map[int]string{
		http.StatusServiceUnavailable:  billing.CodeProviderUnavailable,
		http.StatusTooManyRequests:     billing.CodeProviderRateLimited,
		http.StatusInternalServerError: billing.CodeProviderRejected,
	} {
		stripeStatus := map[int]int{http.StatusServiceUnavailable: 500, http.StatusTooManyRequests: 429, http.StatusInternalServerError: 400}[status]
		f.stripe.FailNext("/v1/checkout/sessions", stripeStatus)
		wantProblem(t, f.do(t, postJSON("/v1/billing/checkout", u.token, `{"credits": 100}`)), status, code)
	}
	f.stripe.FailNext("/v1/billing_portal/sessions", 500)
	wantProblem(t, f.do(t, req{method: http.MethodPost, target: "/v1/billing/portal", token: u.token}), http.StatusServiceUnavailable, billing.CodeProviderUnavailable)
	for _, r := range []req{get, postJSON("/v1/billing/checkout", "", `{"credits": 100}`), {method: http.MethodPost, target: "/v1/billing/portal"}} {
		r.token = ""
		wantProblem(t, f.do(t, r), http.StatusUnauthorized, identity.CodeTokenMissing)
	}

	// Once subscribed (as the webhook workflow would record it), the entitlement shows the plan
	// and a second subscription checkout is refused.
	start, end := time.Now().UTC().Truncate(time.Second), time.Now().UTC().Truncate(time.Second).AddDate(0, 1, 0)
	_, _, err := postgres.NewBillingStore(f.db).ChangeSubscription(context.Background(), acct, func(*billing.Subscription) (billing.Subscription, bool) {
		return billing.Subscription{AccountID: acct, Plan: "growth", Status: billing.StatusActive, StripeSubscriptionID: uniqueID("sub_"),
			CurrentPeriodStart: start, CurrentPeriodEnd: end, CancelAtPeriodEnd: true, StripeUpdatedAt: start}, true
	})
	if err != nil {
		t.Fatal(err)
	}
	e = decode[entitlementResponse](t, f.do(t, get), http.StatusOK)
	if e.Plan.Name != "growth" || e.Plan.CreditsPerMonth != 250 || e.Subscription == nil || e.Subscription.Status != "active" ||
		!e.Subscription.CancelAtPeriodEnd || e.Subscription.CurrentPeriodEnd == nil || !e.Subscription.CurrentPeriodEnd.Equal(end) ||
		e.Subscription.CanceledAt != nil {
		t.Errorf("entitlement of a subscriber = %+v", e)
	}
	wantProblem(t, f.do(t, postJSON("/v1/billing/checkout", u.token, `{"plan": "pro"}`)), http.StatusConflict, billing.CodeAlreadySubscribed)
}

// testWebhookRoute drives POST /v1/webhooks/stripe: stored and started once per event, and
// refused without a valid signature (TestContract runs it; runs are enqueued, not executed).
func testWebhookRoute(t *testing.T, f *apiFixture) {
	ctx := context.Background()
	acct := f.me(t, newUser(t, false)).Account.ID
	id := uniqueID("evt_contract_")
	body := stripeEvent(id, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), acct, 100))

	first := decode[webhookResponse](t, f.do(t, signedDelivery(body)), http.StatusOK)
	again := decode[webhookResponse](t, f.do(t, signedDelivery(body)), http.StatusOK)
	if !first.Received || first.EventID != id || first.Duplicate || !again.Duplicate || again.EventID != id {
		t.Errorf("deliveries = %+v, %+v", first, again)
	}
	if n := webhookRows(t, f.pool, id); n != 1 {
		t.Errorf("%d stored rows, want 1", n)
	}
	st, err := f.workflows.Status(ctx, billing.EventWorkflowID(id))
	if err != nil || st.Definition != billing.EventWorkflow || st.State != workflow.StateEnqueued {
		t.Errorf("run = %+v, %v", st, err)
	}

	// Refusals store nothing.
	other := uniqueID("evt_refused_")
	good := stripeEvent(other, billing.TypeCheckoutCompleted, time.Now(), packSession(uniqueID("cs_"), acct, 100))
	tampered := strings.Replace(good, `"credits":"100"`, `"credits":"10000"`, 1)
	notJSON := "not json"
	for name, tc := range map[string]struct {
		r    req
		code string
	}{
		"tampered body":     {webhookReq(tampered, signature(good, testWhsec, time.Now())), billing.CodeWebhookSignature},
		"no signature":      {webhookReq(good, ""), billing.CodeWebhookSignature},
		"other secret":      {webhookReq(good, signature(good, "whsec_someone_else", time.Now())), billing.CodeWebhookSignature},
		"signed 6 min ago":  {webhookReq(good, signature(good, testWhsec, time.Now().Add(-6*time.Minute))), billing.CodeWebhookSignature},
		"signed, not JSON":  {webhookReq(notJSON, signature(notJSON, testWhsec, time.Now())), billing.CodeWebhookPayload},
		"garbage signature": {webhookReq(good, "t=1,v1=00"), billing.CodeWebhookSignature},
	} {
		p := wantProblem(t, f.do(t, tc.r), http.StatusBadRequest, tc.code)
		if p.Detail == "" {
			t.Errorf("%s: empty detail", name)
		}
	}
	if n := webhookRows(t, f.pool, other); n != 0 {
		t.Errorf("refused deliveries stored %d rows", n)
	}
	if _, err := f.workflows.Status(ctx, billing.EventWorkflowID(other)); err == nil {
		t.Error("a refused delivery started a run")
	}
	huge := `{"id":"evt_huge","pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	wantProblem(t, f.do(t, signedDelivery(huge)), http.StatusRequestEntityTooLarge, apperr.CodeBodyTooLarge)
}

// TestBillingValidatesBeforeNotConfigured: without Stripe keys, invalid checkout input is still
// a 400 (a developer can try validation locally), and only valid input is 503
// billing.not-configured.
func TestBillingValidatesBeforeNotConfigured(t *testing.T) {
	t.Parallel()
	f := newAPIFixtureWith(t, fixtureConfig{noStripe: true})
	u := newUser(t, false)
	f.me(t, u)
	for body, want := range map[string][2]string{
		`{}`:                                 {billing.CodeInvalidCheckout, "plan"},
		`{"plan": "growth", "credits": 100}`: {billing.CodeInvalidCheckout, "plan"},
		`{"credits": 5}`:                     {credit.CodePackOutOfRange, "credits"},
		`{"plan": "platinum"}`:               {billing.CodeUnknownPlan, "plan"},
		`{"credits": "ten"}`:                 {apperr.CodeInvalidRequest, "credits"},
		`null`:                               {apperr.CodeInvalidRequest, "body"},
	} {
		p := wantProblem(t, f.do(t, postJSON("/v1/billing/checkout", u.token, body)), http.StatusBadRequest, want[0])
		if len(p.Errors) == 0 || p.Errors[0].Field != want[1] {
			t.Errorf("%s: field errors %+v", body, p.Errors)
		}
	}
	for _, body := range []string{`{"credits": 100}`, `{"plan": "growth"}`} {
		wantProblem(t, f.do(t, postJSON("/v1/billing/checkout", u.token, body)), http.StatusServiceUnavailable, billing.CodeNotConfigured)
	}
	wantProblem(t, f.do(t, req{method: http.MethodPost, target: "/v1/billing/portal", token: u.token}), http.StatusServiceUnavailable, billing.CodeNotConfigured)
	if len(f.stripe.Calls("/v1/customers")) != 0 {
		t.Error("Stripe was called without a key")
	}
}
