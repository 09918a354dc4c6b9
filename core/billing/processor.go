package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

// maxErrorText bounds the failure text stored with an event.
const maxErrorText = 1000

// Processor applies verified Stripe events (see the package documentation for the rules). It
// is safe for concurrent use, and Handle is idempotent per event id: running it again, or
// concurrently, for the same event changes nothing more than the first run did.
type Processor struct {
	store Store
}

// NewProcessor builds a Processor over its store. Every credit change of billing goes through
// Store.ChangeCredits, in one transaction with the payment rows it depends on, so the processor
// needs no ledger of its own.
func NewProcessor(store Store) *Processor {
	return &Processor{store: store}
}

// Handle applies ev and records the outcome with the event.
//
// An event already marked processed returns its stored outcome with Replay set, without
// touching anything else. Every effect is idempotent on its own (ledger references, the
// subscription ordering rule), so a run interrupted after some effects and repeated finishes
// the work without doubling any of it.
//
// Errors: ErrInvalidEvent for an event without id or type; Invalid (billing.unknown-plan) for a
// subscription whose plan cannot be determined; NotFound when the named account does not exist;
// Unavailable when storage is down (retry). On error the failure is stored with the event
// (best effort) and the event stays unprocessed; Invalid and NotFound will fail again when
// retried unchanged.
func (p *Processor) Handle(ctx context.Context, ev Event) (Outcome, error) {
	if strings.TrimSpace(ev.ID) == "" || strings.TrimSpace(ev.Type) == "" {
		return Outcome{}, ErrInvalidEvent
	}
	rec, found, err := p.store.EventRecord(ctx, ev.ID)
	if err != nil {
		return Outcome{}, fmt.Errorf("read event %s: %w", ev.ID, err)
	}
	if found && rec.Processed() {
		return Outcome{Result: rec.Result, Detail: rec.Detail, AccountID: rec.AccountID, Replay: true}, nil
	}

	out, err := p.apply(ctx, ev)
	if err != nil {
		_ = p.store.FailEvent(context.WithoutCancel(ctx), ev, errorText(err))
		return Outcome{}, err
	}
	if err := p.store.FinishEvent(ctx, ev, out); err != nil {
		return Outcome{}, fmt.Errorf("finish event %s: %w", ev.ID, err)
	}
	return out, nil
}

// apply dispatches on the event type.
func (p *Processor) apply(ctx context.Context, ev Event) (Outcome, error) {
	switch ev.Type {
	case TypeCheckoutCompleted, TypeCheckoutAsyncSucceeded:
		return p.checkout(ctx, ev)
	case TypeInvoicePaid, TypeInvoicePaymentSucceeded:
		return p.invoice(ctx, ev)
	case TypeSubscriptionCreated, TypeSubscriptionUpdated, TypeSubscriptionDeleted:
		return p.subscription(ctx, ev)
	case TypeChargeRefunded:
		return p.refund(ctx, ev)
	default:
		return ignored("", "event type "+ev.Type+" is not handled"), nil
	}
}

// account finds the account an event concerns: our metadata first, then the Stripe customer
// stored on an account, then a stored subscription. "" means none (not an error: the Stripe
// account may serve other products).
func (p *Processor) account(ctx context.Context, ev Event) (string, error) {
	if id, ok := tenant.ParseUUID(ev.AccountID); ok {
		return id, nil
	}
	if ev.CustomerID != "" {
		id, found, err := p.store.AccountByCustomer(ctx, ev.CustomerID)
		if err != nil {
			return "", fmt.Errorf("find account of customer: %w", err)
		}
		if found {
			return id, nil
		}
	}
	if ev.SubscriptionID != "" {
		s, found, err := p.store.SubscriptionByStripeID(ctx, ev.SubscriptionID)
		if err != nil {
			return "", fmt.Errorf("find account of subscription: %w", err)
		}
		if found {
			return s.AccountID, nil
		}
	}
	return "", nil
}

// plan finds the plan of a subscription: by Stripe price first (the price is what is billed),
// then by the plan named in metadata. found is false when neither matches.
func (p *Processor) plan(ctx context.Context, priceID, name string) (Plan, bool, error) {
	if priceID != "" {
		pl, found, err := p.store.PlanByPrice(ctx, priceID)
		if err != nil || found {
			return pl, found, err
		}
	}
	if name != "" {
		return p.store.Plan(ctx, name)
	}
	return Plan{}, false, nil
}

// changeCredits runs one credit change through Store.ChangeCredits and describes it: result
// when something was written or replayed, with the net delta of the entries as Credits.
func (p *Processor) changeCredits(ctx context.Context, accountID, paymentKey string, result Result,
	decide func(CreditState) (CreditChange, error)) (Outcome, error) {
	res, err := p.store.ChangeCredits(ctx, accountID, paymentKey, decide)
	if err != nil {
		return Outcome{}, fmt.Errorf("credit change (payment %q): %w", paymentKey, err)
	}
	return Outcome{
		Result:    result,
		Detail:    res.Change.Detail,
		AccountID: accountID,
		Credits:   res.Delta(),
		Replay:    res.Replay,
	}, nil
}

// grantPeriod grants a subscription period (req) and settles the account's debts from it, in
// one transaction.
func (p *Processor) grantPeriod(ctx context.Context, req credit.EntryRequest, detail string) (Outcome, error) {
	return p.changeCredits(ctx, req.AccountID, "", ResultGranted, func(st CreditState) (CreditChange, error) {
		ch := grantSettling(st, req)
		ch.Detail = detail + ch.Detail
		return ch, nil
	})
}

func ignored(accountID, detail string) Outcome {
	return Outcome{Result: ResultIgnored, Detail: detail, AccountID: accountID}
}

// errorText renders a failure for the event record: the stable code and the full chain.
func errorText(err error) string {
	s := apperr.CodeOf(err) + ": " + err.Error()
	if len(s) > maxErrorText {
		s = s[:maxErrorText]
	}
	return s
}
