package billing

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

// Config holds the URLs Stripe sends customers back to. SuccessURL may contain Stripe's
// {CHECKOUT_SESSION_ID} placeholder.
type Config struct {
	SuccessURL      string
	CancelURL       string
	PortalReturnURL string
}

// Service holds the billing use cases the HTTP host calls.
type Service struct {
	store    Store
	payments Payments
	cfg      Config
}

// NewService builds the service over its ports. payments may be nil on a server without a
// payment provider: Checkout and Portal then fail with ErrNotConfigured (after validating their
// input), while Plans and Subscription, which only read storage, keep working.
func NewService(store Store, payments Payments, cfg Config) *Service {
	return &Service{store: store, payments: payments, cfg: cfg}
}

// CheckoutRequest asks for a Checkout Session: exactly one of Plan (a paid plan's name, for a
// subscription) or Credits (a pack size, for a one-off purchase).
type CheckoutRequest struct {
	Plan    string
	Credits int64
}

// Checkout is a created Checkout Session and what it sells.
type Checkout struct {
	SessionID   string
	URL         string
	Mode        Mode
	Plan        string // subscriptions
	Credits     int64  // credit packs
	AmountCents int64  // the pack's total, or the plan's monthly price
}

// Plans lists the plans offered for new subscriptions (and the free plan), cheapest first.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	all, err := s.store.Plans(ctx)
	if err != nil {
		return nil, err
	}
	offered := all[:0:0]
	for _, p := range all {
		if p.Active {
			offered = append(offered, p)
		}
	}
	return offered, nil
}

// Checkout creates a Checkout Session for the principal's account: a subscription to a paid,
// active plan, or a credit pack priced by credit.PriceCredits. The account's Stripe customer is
// created on first use and stored (once, even under concurrent calls). A subscription checkout
// is refused with ErrAlreadySubscribed while the account is entitled to a paid plan: plan
// changes go through the portal.
//
// The request is validated completely (plan or pack, the plan on offer, no subscription yet)
// before the payment provider is needed, so a server without one still answers invalid input
// with 400. Errors: ErrNotConfigured (a valid request, no payment provider); billing.invalid-checkout or
// billing.unknown-plan or credits.pack-out-of-range (Invalid), ErrAlreadySubscribed (Conflict),
// account.ErrNotFound for a principal without an account, and Payments' errors.
func (s *Service) Checkout(ctx context.Context, p tenant.Principal, req CheckoutRequest) (Checkout, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return Checkout{}, account.ErrNotFound
	}
	req.Plan = strings.TrimSpace(req.Plan)
	if (req.Plan == "") == (req.Credits == 0) {
		return Checkout{}, apperr.Validation(CodeInvalidCheckout, "invalid checkout request",
			apperr.FieldError{Field: "plan", Message: "give either a plan or a number of credits, not both"})
	}
	params := CheckoutParams{AccountID: accountID, SuccessURL: s.cfg.SuccessURL, CancelURL: s.cfg.CancelURL}
	out := Checkout{}
	if req.Plan != "" {
		plan, err := s.subscribable(ctx, p, req.Plan)
		if err != nil {
			return Checkout{}, err
		}
		params.Mode, params.Plan = ModeSubscription, plan
		out.Mode, out.Plan, out.AmountCents = ModeSubscription, plan.Name, plan.PriceCents
	} else {
		q, err := credit.PriceCredits(req.Credits)
		if err != nil {
			return Checkout{}, err
		}
		params.Mode, params.Credits, params.AmountCents = ModePayment, q.Credits, q.TotalCents
		out.Mode, out.Credits, out.AmountCents = ModePayment, q.Credits, q.TotalCents
	}
	if s.payments == nil { // only now: a request that is wrong anyway says so first
		return Checkout{}, ErrNotConfigured
	}
	customerID, err := s.customer(ctx, p, accountID)
	if err != nil {
		return Checkout{}, err
	}
	params.CustomerID = customerID
	session, err := s.payments.CreateCheckoutSession(ctx, params)
	if err != nil {
		return Checkout{}, fmt.Errorf("create checkout session: %w", err)
	}
	out.SessionID, out.URL = session.ID, session.URL
	return out, nil
}

// subscribable returns the named plan when it may be bought now by p's account.
func (s *Service) subscribable(ctx context.Context, p tenant.Principal, name string) (Plan, error) {
	plan, found, err := s.store.Plan(ctx, name)
	if err != nil {
		return Plan{}, err
	}
	if !found || !plan.Active || plan.IsFree() {
		return Plan{}, errUnknownPlan("plan", "must be one of the paid plans offered; "+strconv.Quote(name)+" is not")
	}
	cur, found, err := s.store.CurrentSubscription(ctx, p)
	if err != nil {
		return Plan{}, err
	}
	if found && cur.Status.Entitled() && cur.Plan != FreePlan {
		return Plan{}, ErrAlreadySubscribed
	}
	return plan, nil
}

// customer returns the account's Stripe customer, creating it on first use. The idempotency key
// makes a retry after a lost response return the same customer.
func (s *Service) customer(ctx context.Context, p tenant.Principal, accountID string) (string, error) {
	id, err := s.store.EnsureCustomer(ctx, accountID, func(ctx context.Context) (string, error) {
		return s.payments.CreateCustomer(ctx, NewCustomer{
			AccountID:      accountID,
			Email:          p.Email,
			IdempotencyKey: "oslira-customer-" + accountID,
		})
	})
	if err != nil {
		return "", fmt.Errorf("stripe customer: %w", err)
	}
	return id, nil
}

// Subscription returns what the principal's account is entitled to; an account that never
// subscribed gets the free plan. Errors: account.ErrNotFound for a principal without an
// account; Internal when the free plan is missing from storage.
func (s *Service) Subscription(ctx context.Context, p tenant.Principal) (Entitlement, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return Entitlement{}, account.ErrNotFound
	}
	sub, found, err := s.store.CurrentSubscription(ctx, p)
	if err != nil {
		return Entitlement{}, err
	}
	if !found {
		sub = Subscription{AccountID: accountID, Plan: FreePlan, Status: StatusActive}
	}
	name := sub.Plan
	if !sub.Status.Entitled() {
		name = FreePlan
	}
	plan, found, err := s.store.Plan(ctx, name)
	if err != nil {
		return Entitlement{}, err
	}
	if !found {
		return Entitlement{}, fmt.Errorf("plan %q is missing from storage", name)
	}
	return Entitlement{Plan: plan, Subscription: sub}, nil
}

// Portal returns a Stripe customer-portal URL for the principal's account (creating its Stripe
// customer on first use, like Checkout). Errors as in Checkout.
func (s *Service) Portal(ctx context.Context, p tenant.Principal) (string, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return "", account.ErrNotFound
	}
	if s.payments == nil {
		return "", ErrNotConfigured
	}
	customerID, err := s.customer(ctx, p, accountID)
	if err != nil {
		return "", err
	}
	url, err := s.payments.CreatePortalSession(ctx, customerID, s.cfg.PortalReturnURL)
	if err != nil {
		return "", fmt.Errorf("create portal session: %w", err)
	}
	return url, nil
}

// PaymentsConfigured reports whether the service has a payment provider (for /health).
func (s *Service) PaymentsConfigured() bool { return s.payments != nil }
