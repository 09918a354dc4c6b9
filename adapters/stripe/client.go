package stripe

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/oslira/oslira/core/billing"
)

// Client implements billing.Payments with stripe-go. It is safe for concurrent use.
type Client struct {
	sc *stripego.Client
}

var _ billing.Payments = (*Client)(nil)

// New builds a Client. It makes no request; a wrong key shows on the first call
// (billing.ErrProviderRejected).
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	backend := stripego.GetBackendWithConfig(stripego.APIBackend, &stripego.BackendConfig{
		URL:               stripego.String(cfg.APIURL),
		HTTPClient:        &http.Client{Timeout: cfg.Timeout},
		MaxNetworkRetries: stripego.Int64(int64(cfg.MaxNetworkRetries)),
		// Failures are returned, mapped, and logged once by the caller; stripe-go's own logger
		// would print them a second time, unstructured.
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	})
	backends := &stripego.Backends{API: backend, Connect: backend, Uploads: backend, MeterEvents: backend}
	return &Client{sc: stripego.NewClient(cfg.SecretKey, stripego.WithBackends(backends))}, nil
}

// CreateCustomer implements billing.Payments.
func (c *Client) CreateCustomer(ctx context.Context, nc billing.NewCustomer) (string, error) {
	params := &stripego.CustomerCreateParams{
		Metadata: map[string]string{billing.MetaAccountID: nc.AccountID},
	}
	if nc.Email != "" {
		params.Email = stripego.String(nc.Email)
	}
	if nc.IdempotencyKey != "" {
		params.SetIdempotencyKey(nc.IdempotencyKey)
	}
	cus, err := c.sc.V1Customers.Create(ctx, params)
	if err != nil {
		return "", mapError("create customer", err)
	}
	return cus.ID, nil
}

// CreateCheckoutSession implements billing.Payments. Prices are in USD. A subscription line is
// the plan's Stripe price, or an inline monthly price of Plan.PriceCents when the plan has
// none; a credit pack is one inline line of AmountCents. The session's metadata is copied to
// the subscription (subscription_data.metadata, which Stripe copies to its invoices) or to the
// PaymentIntent (payment_intent_data.metadata, which Stripe copies to its charge), so every
// later event names the account and what was bought.
func (c *Client) CreateCheckoutSession(ctx context.Context, p billing.CheckoutParams) (billing.CheckoutSession, error) {
	meta := map[string]string{billing.MetaAccountID: p.AccountID}
	params := &stripego.CheckoutSessionCreateParams{
		ClientReferenceID: stripego.String(p.AccountID),
		SuccessURL:        stripego.String(p.SuccessURL),
		CancelURL:         stripego.String(p.CancelURL),
		Metadata:          meta,
	}
	if p.CustomerID != "" {
		params.Customer = stripego.String(p.CustomerID)
	}
	switch p.Mode {
	case billing.ModeSubscription:
		meta[billing.MetaKind], meta[billing.MetaPlan] = billing.KindSubscription, p.Plan.Name
		line := &stripego.CheckoutSessionCreateLineItemParams{Quantity: stripego.Int64(1)}
		if p.Plan.StripePriceID != "" {
			line.Price = stripego.String(p.Plan.StripePriceID)
		} else {
			line.PriceData = &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(string(stripego.CurrencyUSD)),
				UnitAmount:  stripego.Int64(p.Plan.PriceCents),
				Recurring:   &stripego.CheckoutSessionCreateLineItemPriceDataRecurringParams{Interval: stripego.String("month")},
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String("Oslira " + p.Plan.DisplayName)},
			}
		}
		params.Mode = stripego.String(string(stripego.CheckoutSessionModeSubscription))
		params.LineItems = []*stripego.CheckoutSessionCreateLineItemParams{line}
		params.SubscriptionData = &stripego.CheckoutSessionCreateSubscriptionDataParams{Metadata: copyMap(meta)}
	case billing.ModePayment:
		credits := strconv.FormatInt(p.Credits, 10)
		meta[billing.MetaKind], meta[billing.MetaCredits] = billing.KindCreditPack, credits
		params.Mode = stripego.String(string(stripego.CheckoutSessionModePayment))
		params.LineItems = []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(string(stripego.CurrencyUSD)),
				UnitAmount:  stripego.Int64(p.AmountCents),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String(credits + " Oslira credits")},
			},
		}}
		params.PaymentIntentData = &stripego.CheckoutSessionCreatePaymentIntentDataParams{Metadata: copyMap(meta)}
	default:
		return billing.CheckoutSession{}, fmt.Errorf("stripe: checkout mode %q is not supported", p.Mode)
	}
	s, err := c.sc.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return billing.CheckoutSession{}, mapError("create checkout session", err)
	}
	return billing.CheckoutSession{ID: s.ID, URL: s.URL}, nil
}

// CreatePortalSession implements billing.Payments.
func (c *Client) CreatePortalSession(ctx context.Context, customerID, returnURL string) (string, error) {
	s, err := c.sc.V1BillingPortalSessions.Create(ctx, &stripego.BillingPortalSessionCreateParams{
		Customer:  stripego.String(customerID),
		ReturnURL: stripego.String(returnURL),
	})
	if err != nil {
		return "", mapError("create portal session", err)
	}
	return s.URL, nil
}

func copyMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
