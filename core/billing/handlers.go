package billing

import (
	"context"
	"fmt"
	"strconv"

	"github.com/oslira/oslira/core/credit"
)

// checkout handles a completed (or asynchronously paid) Checkout Session.
func (p *Processor) checkout(ctx context.Context, ev Event) (Outcome, error) {
	accountID, err := p.account(ctx, ev)
	if err != nil {
		return Outcome{}, err
	}
	if accountID == "" {
		return ignored("", "the checkout session names no known account"), nil
	}
	if ev.PaymentStatus != PaymentPaid && ev.PaymentStatus != PaymentNoPaymentRequired {
		return ignored(accountID, "payment status "+strconv.Quote(ev.PaymentStatus)+": waiting for async_payment_succeeded"), nil
	}
	switch ev.Mode {
	case ModeSubscription:
		return p.checkoutSubscription(ctx, ev, accountID)
	case ModePayment:
		if ev.Credits <= 0 {
			return ignored(accountID, "the payment carries no credits metadata"), nil
		}
		if _, err := credit.NewAmount(ev.Credits); err != nil {
			return Outcome{}, fmt.Errorf("credits metadata: %w", err)
		}
		return p.changeCredits(ctx, accountID, paymentKey(ev), ResultGranted, func(st CreditState) (CreditChange, error) {
			return purchase(st, ev.ID, ev.ObjectID, ev.Credits), nil
		})
	default:
		return ignored(accountID, "checkout mode "+strconv.Quote(string(ev.Mode))+" buys nothing"), nil
	}
}

// checkoutSubscription activates the plan bought and grants its first period, keyed by the
// session's first invoice so that the invoice events of that period find the grant done.
func (p *Processor) checkoutSubscription(ctx context.Context, ev Event, accountID string) (Outcome, error) {
	plan, found, err := p.plan(ctx, ev.PriceID, ev.Plan)
	if err != nil {
		return Outcome{}, fmt.Errorf("find plan: %w", err)
	}
	if !found {
		return Outcome{}, errUnknownPlan("metadata.plan", "no plan named "+strconv.Quote(ev.Plan))
	}
	_, applied, err := p.store.ChangeSubscription(ctx, accountID, func(cur *Subscription) (Subscription, bool) {
		next, ok, _ := Apply(cur, accountID, Update{
			At:                   ev.Created,
			StripeSubscriptionID: ev.SubscriptionID,
			StripeCustomerID:     ev.CustomerID,
			Plan:                 plan.Name,
			StripePriceID:        plan.StripePriceID,
			Status:               StatusActive,
		})
		return next, ok
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("activate subscription: %w", err)
	}
	detail := "subscribed to " + plan.Name
	if !applied {
		detail += " (the stored subscription state is newer)"
	}
	if plan.CreditsPerMonth.IsZero() {
		return Outcome{Result: ResultUpdated, Detail: detail, AccountID: accountID}, nil
	}
	return p.grantPeriod(ctx, credit.EntryRequest{
		AccountID:   accountID,
		Kind:        credit.SubscriptionGrant,
		Amount:      plan.CreditsPerMonth,
		Reference:   periodReference(ev),
		Description: plan.DisplayName + " plan: " + plan.CreditsPerMonth.String() + " credits for the first period",
	}, detail+", granted "+plan.CreditsPerMonth.String())
}

// invoice grants a paid period of a subscription, keyed by the invoice id.
func (p *Processor) invoice(ctx context.Context, ev Event) (Outcome, error) {
	if ev.SubscriptionID == "" {
		return ignored("", "not a subscription invoice"), nil
	}
	accountID, err := p.account(ctx, ev)
	if err != nil {
		return Outcome{}, err
	}
	if accountID == "" {
		return ignored("", "the invoice names no known account"), nil
	}
	if ev.BillingReason != ReasonSubscriptionCreate && ev.BillingReason != ReasonSubscriptionCycle {
		return ignored(accountID, "billing reason "+strconv.Quote(ev.BillingReason)+" grants nothing"), nil
	}
	plan, found, err := p.plan(ctx, ev.PriceID, ev.Plan)
	if err != nil {
		return Outcome{}, fmt.Errorf("find plan: %w", err)
	}
	if !found {
		// The stored subscription knows its plan when the price was inline (not in plans).
		s, ok, err := p.store.SubscriptionByStripeID(ctx, ev.SubscriptionID)
		if err != nil {
			return Outcome{}, fmt.Errorf("find subscription: %w", err)
		}
		if ok && s.AccountID == accountID {
			plan, found, err = p.store.Plan(ctx, s.Plan)
			if err != nil {
				return Outcome{}, fmt.Errorf("find plan: %w", err)
			}
		}
	}
	if !found {
		return Outcome{}, errUnknownPlan("price", "no plan has Stripe price "+strconv.Quote(ev.PriceID))
	}
	if plan.CreditsPerMonth.IsZero() {
		return ignored(accountID, "plan "+plan.Name+" grants no credits"), nil
	}
	return p.grantPeriod(ctx, credit.EntryRequest{
		AccountID:   accountID,
		Kind:        credit.SubscriptionGrant,
		Amount:      plan.CreditsPerMonth,
		Reference:   periodReference(ev),
		Description: plan.DisplayName + " plan: " + plan.CreditsPerMonth.String() + " credits for the period",
	}, "period of "+plan.Name+" ("+ev.BillingReason+"), granted "+plan.CreditsPerMonth.String())
}

// subscription applies a subscription's new state under the ordering rule.
func (p *Processor) subscription(ctx context.Context, ev Event) (Outcome, error) {
	if ev.SubscriptionID == "" {
		return Outcome{}, ErrWebhookPayload.WithMessage("the subscription event has no subscription id")
	}
	accountID, err := p.account(ctx, ev)
	if err != nil {
		return Outcome{}, err
	}
	if accountID == "" {
		return ignored("", "the subscription names no known account"), nil
	}
	status := ev.Status
	if ev.Type == TypeSubscriptionDeleted {
		status = StatusCanceled // whatever the object says, a deleted subscription has ended
	}
	if status != "" && !status.Valid() {
		return Outcome{}, ErrWebhookPayload.WithMessage("unknown subscription status " + strconv.Quote(string(status)))
	}
	u := Update{
		At:                   ev.Created,
		StripeSubscriptionID: ev.SubscriptionID,
		StripeCustomerID:     ev.CustomerID,
		StripePriceID:        ev.PriceID,
		Status:               status,
		CurrentPeriodStart:   ev.CurrentPeriodStart,
		CurrentPeriodEnd:     ev.CurrentPeriodEnd,
		CancelAtPeriodEnd:    ev.CancelAtPeriodEnd,
		CanceledAt:           ev.CanceledAt,
	}
	if !status.Ended() {
		plan, found, err := p.plan(ctx, ev.PriceID, ev.Plan)
		if err != nil {
			return Outcome{}, fmt.Errorf("find plan: %w", err)
		}
		switch {
		case found:
			u.Plan = plan.Name
		case status.Entitled():
			return Outcome{}, errUnknownPlan("price", "no plan has Stripe price "+strconv.Quote(ev.PriceID)+" or name "+strconv.Quote(ev.Plan))
		}
	}
	var reason string
	s, applied, err := p.store.ChangeSubscription(ctx, accountID, func(cur *Subscription) (Subscription, bool) {
		next, ok, why := Apply(cur, accountID, u)
		reason = why
		return next, ok
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("change subscription: %w", err)
	}
	if !applied {
		if reason == ReasonStale || reason == ReasonEnded || reason == ReasonOtherIsOlder {
			return Outcome{Result: ResultStale, Detail: reason, AccountID: accountID}, nil
		}
		return ignored(accountID, reason), nil
	}
	return Outcome{Result: ResultUpdated, Detail: "plan " + s.Plan + ", status " + string(s.Status), AccountID: accountID}, nil
}

// refund applies a charge.refunded event to the payment it refunds (see "Payments and
// refunds" in the package documentation).
func (p *Processor) refund(ctx context.Context, ev Event) (Outcome, error) {
	accountID, err := p.account(ctx, ev)
	if err != nil {
		return Outcome{}, err
	}
	if accountID == "" {
		return ignored("", "the charge names no known account"), nil
	}
	if ev.Credits <= 0 {
		return ignored(accountID, "the charge carries no credits metadata (not a credit pack)"), nil
	}
	if _, err := credit.NewAmount(ev.Credits); err != nil {
		return Outcome{}, fmt.Errorf("credits metadata: %w", err)
	}
	if ev.Amount <= 0 || ev.AmountRefunded < 0 {
		return Outcome{}, ErrWebhookPayload.WithMessage("the refunded charge has no amount")
	}
	return p.changeCredits(ctx, accountID, paymentKey(ev), ResultChargedBack, func(st CreditState) (CreditChange, error) {
		return refund(st, ev), nil
	})
}
