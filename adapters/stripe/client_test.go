package stripe_test

import (
	"errors"
	"github.com/oslira/oslira/adapters/stripe/stripetest"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

const acc = "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"

func newClient(t *testing.T, f *stripetest.Fake, retries int) *stripe.Client {
	t.Helper()
	c, err := stripe.New(stripe.Config{SecretKey: testKey, APIURL: f.URL, Timeout: 5 * time.Second, MaxNetworkRetries: retries})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantForm checks form fields of a recorded request.
func wantForm(t *testing.T, r stripetest.Request, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := r.Form.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", r.Path, k, got, v)
		}
	}
}

func TestCreateCustomerIsIdempotentPerKey(t *testing.T) {
	t.Parallel()
	f := stripetest.New(t, testKey)
	c := newClient(t, f, -1)
	nc := billing.NewCustomer{AccountID: acc, Email: "buyer@example.com", IdempotencyKey: "oslira-customer-" + acc}
	first, err := c.CreateCustomer(t.Context(), nc)
	if err != nil || !strings.HasPrefix(first, "cus_") {
		t.Fatalf("CreateCustomer = %q, %v", first, err)
	}
	again, err := c.CreateCustomer(t.Context(), nc)
	if err != nil || again != first {
		t.Fatalf("repeated CreateCustomer = %q, %v; want %q", again, err, first)
	}
	calls := f.Calls("/v1/customers")
	if len(calls) != 2 || calls[0].IdempotencyKey != nc.IdempotencyKey || calls[1].IdempotencyKey != nc.IdempotencyKey {
		t.Fatalf("requests = %+v", calls)
	}
	wantForm(t, calls[0], map[string]string{"email": "buyer@example.com", "metadata[account_id]": acc})
}

func TestCheckoutSessionForACreditPack(t *testing.T) {
	t.Parallel()
	f := stripetest.New(t, testKey)
	c := newClient(t, f, -1)
	q, _ := credit.PriceCredits(500)
	s, err := c.CreateCheckoutSession(t.Context(), billing.CheckoutParams{
		Mode: billing.ModePayment, AccountID: acc, CustomerID: "cus_1", Credits: q.Credits, AmountCents: q.TotalCents,
		SuccessURL: "https://app.test/ok?s={CHECKOUT_SESSION_ID}", CancelURL: "https://app.test/no",
	})
	if err != nil || !strings.HasPrefix(s.ID, "cs_test_") || s.URL != "https://checkout.stripe.com/c/pay/"+s.ID {
		t.Fatalf("session = %+v, %v", s, err)
	}
	calls := f.Calls("/v1/checkout/sessions")
	if len(calls) != 1 {
		t.Fatalf("%d requests", len(calls))
	}
	wantForm(t, calls[0], map[string]string{
		"mode": "payment", "customer": "cus_1", "client_reference_id": acc,
		"success_url": "https://app.test/ok?s={CHECKOUT_SESSION_ID}", "cancel_url": "https://app.test/no",
		"line_items[0][quantity]":                        "1",
		"line_items[0][price_data][currency]":            "usd",
		"line_items[0][price_data][unit_amount]":         "43650",
		"line_items[0][price_data][product_data][name]":  "500 Oslira credits",
		"metadata[account_id]":                           acc,
		"metadata[credits]":                              "500",
		"metadata[kind]":                                 "credit_pack",
		"payment_intent_data[metadata][account_id]":      acc,
		"payment_intent_data[metadata][credits]":         "500",
		"line_items[0][price_data][recurring][interval]": "",
		"subscription_data[metadata][account_id]":        "",
	})
}

func TestCheckoutSessionForASubscription(t *testing.T) {
	t.Parallel()
	growth := billing.Plan{Name: "growth", DisplayName: "Growth", PriceCents: 2900, CreditsPerMonth: credit.MustAmount(250)}
	t.Run("with the plan's Stripe price", func(t *testing.T) {
		t.Parallel()
		f := stripetest.New(t, testKey)
		p := growth
		p.StripePriceID = "price_growth_monthly"
		if _, err := newClient(t, f, -1).CreateCheckoutSession(t.Context(), billing.CheckoutParams{
			Mode: billing.ModeSubscription, AccountID: acc, CustomerID: "cus_1", Plan: p, SuccessURL: "s", CancelURL: "c"}); err != nil {
			t.Fatal(err)
		}
		wantForm(t, f.Calls("/v1/checkout/sessions")[0], map[string]string{
			"mode": "subscription", "line_items[0][price]": "price_growth_monthly", "line_items[0][quantity]": "1",
			"line_items[0][price_data][unit_amount]": "",
			"metadata[plan]":                         "growth", "metadata[kind]": "subscription",
			"subscription_data[metadata][account_id]": acc, "subscription_data[metadata][plan]": "growth",
			"payment_intent_data[metadata][account_id]": "",
		})
	})
	t.Run("with an inline monthly price", func(t *testing.T) {
		t.Parallel()
		f := stripetest.New(t, testKey)
		if _, err := newClient(t, f, -1).CreateCheckoutSession(t.Context(), billing.CheckoutParams{
			Mode: billing.ModeSubscription, AccountID: acc, Plan: growth, SuccessURL: "s", CancelURL: "c"}); err != nil {
			t.Fatal(err)
		}
		wantForm(t, f.Calls("/v1/checkout/sessions")[0], map[string]string{
			"line_items[0][price]":                           "",
			"line_items[0][price_data][unit_amount]":         "2900",
			"line_items[0][price_data][recurring][interval]": "month",
			"line_items[0][price_data][product_data][name]":  "Oslira Growth",
			"customer": "",
		})
	})
	t.Run("an unknown mode is refused before any request", func(t *testing.T) {
		t.Parallel()
		f := stripetest.New(t, testKey)
		if _, err := newClient(t, f, -1).CreateCheckoutSession(t.Context(), billing.CheckoutParams{Mode: billing.ModeSetup}); err == nil || len(f.Calls("/v1/checkout/sessions")) != 0 {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestPortalSession(t *testing.T) {
	t.Parallel()
	f := stripetest.New(t, testKey)
	url, err := newClient(t, f, -1).CreatePortalSession(t.Context(), "cus_1", "https://app.test/billing")
	if err != nil || !strings.HasPrefix(url, "https://billing.stripe.com/p/session/") {
		t.Fatalf("portal = %q, %v", url, err)
	}
	wantForm(t, f.Calls("/v1/billing_portal/sessions")[0], map[string]string{"customer": "cus_1", "return_url": "https://app.test/billing"})
}

func TestAPIErrorsAreMapped(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		statuses []int
		want     *apperr.Error
		requests int
	}{
		{"400 invalid request: our bug, not retried", []int{http.StatusBadRequest}, billing.ErrProviderRejected, 1},
		{"429 rate limit: not retried by stripe-go", []int{http.StatusTooManyRequests}, billing.ErrProviderRateLimited, 1},
		{"500: unavailable, answered by stripe-go without a retry", []int{http.StatusInternalServerError}, billing.ErrProviderUnavailable, 1},
		{"503: unavailable", []int{http.StatusServiceUnavailable}, billing.ErrProviderUnavailable, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := stripetest.New(t, testKey)
			f.FailNext("/v1/billing_portal/sessions", tc.statuses...)
			_, err := newClient(t, f, 1).CreatePortalSession(t.Context(), "cus_1", "r")
			if !errors.Is(err, tc.want) || apperr.KindOf(err) != tc.want.Kind {
				t.Fatalf("err = %v, want %s", err, tc.want.Code)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the error reveals the key: %v", err)
			}
			if n := len(f.Calls("/v1/billing_portal/sessions")); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
	t.Run("a dropped connection is retried with the same idempotency key", func(t *testing.T) {
		t.Parallel()
		f := stripetest.New(t, testKey)
		f.FailNext("/v1/checkout/sessions", stripetest.DropConnection)
		_, err := newClient(t, f, 1).CreateCheckoutSession(t.Context(), billing.CheckoutParams{
			Mode: billing.ModePayment, AccountID: acc, Credits: 10, AmountCents: 970, SuccessURL: "s", CancelURL: "c"})
		calls := f.Calls("/v1/checkout/sessions")
		if err != nil || len(calls) != 2 || calls[0].IdempotencyKey == "" || calls[0].IdempotencyKey != calls[1].IdempotencyKey {
			t.Fatalf("err = %v, requests = %+v", err, calls)
		}
	})
	t.Run("a wrong key is rejected and not revealed", func(t *testing.T) {
		t.Parallel()
		f := stripetest.New(t, testKey)
		c, _ := stripe.New(stripe.Config{SecretKey: "sk_test_wrong_secret", APIURL: f.URL, MaxNetworkRetries: -1})
		_, err := c.CreateCustomer(t.Context(), billing.NewCustomer{AccountID: acc})
		if !errors.Is(err, billing.ErrProviderRejected) || strings.Contains(err.Error(), "sk_test_wrong_secret") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("an unreachable API is unavailable", func(t *testing.T) {
		t.Parallel()
		f := stripetest.New(t, testKey)
		f.Close()
		_, err := newClient(t, f, -1).CreateCustomer(t.Context(), billing.NewCustomer{AccountID: acc})
		if !errors.Is(err, billing.ErrProviderUnavailable) || !apperr.KindOf(err).Retryable() {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestConfig(t *testing.T) {
	t.Parallel()
	if _, err := stripe.New(stripe.Config{}); err == nil {
		t.Error("New without a key must fail")
	}
	d := stripe.Config{}.WithDefaults()
	if d.APIURL != stripe.DefaultAPIURL || d.Timeout != stripe.DefaultTimeout || d.MaxNetworkRetries != stripe.DefaultMaxNetworkRetries {
		t.Errorf("defaults = %+v", d)
	}
	if n := (stripe.Config{MaxNetworkRetries: -1}).WithDefaults().MaxNetworkRetries; n != 0 {
		t.Errorf("negative retries = %d, want 0", n)
	}
	if v := (stripe.Config{SecretKey: testKey}).LogValue().String(); strings.Contains(v, testKey) {
		t.Errorf("LogValue reveals the key: %s", v)
	}
}
