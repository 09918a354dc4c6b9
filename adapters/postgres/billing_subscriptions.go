package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/tenant"
)

const sqlSubscriptionColumns = `account_id::text, plan, status, coalesce(stripe_customer_id, ''),
stripe_subscription_id, coalesce(stripe_price_id, ''), current_period_start, current_period_end,
cancel_at_period_end, canceled_at, stripe_updated_at, created_at, updated_at`

// sqlUpsertSubscription writes the account's one row; created_at survives updates.
const sqlUpsertSubscription = `insert into public.subscriptions as s
  (account_id, plan, status, stripe_customer_id, stripe_subscription_id, stripe_price_id,
   current_period_start, current_period_end, cancel_at_period_end, canceled_at, stripe_updated_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
on conflict (account_id) do update set
  plan = excluded.plan, status = excluded.status, stripe_customer_id = excluded.stripe_customer_id,
  stripe_subscription_id = excluded.stripe_subscription_id, stripe_price_id = excluded.stripe_price_id,
  current_period_start = excluded.current_period_start, current_period_end = excluded.current_period_end,
  cancel_at_period_end = excluded.cancel_at_period_end, canceled_at = excluded.canceled_at,
  stripe_updated_at = excluded.stripe_updated_at, updated_at = now()
returning ` + sqlSubscriptionColumns

// CurrentSubscription implements billing.Store in one round trip as the caller (UserRead): RLS
// hides other accounts' rows, so an account p does not belong to reads as "none".
func (s *BillingStore) CurrentSubscription(ctx context.Context, p tenant.Principal) (billing.Subscription, bool, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return billing.Subscription{}, false, nil
	}
	var (
		sub   billing.Subscription
		found bool
	)
	err := s.db.UserRead(ctx, p, `select `+sqlSubscriptionColumns+` from public.subscriptions where account_id = $1`,
		[]any{accountID}, func(row pgx.Row) error {
			var err error
			sub, err = scanSubscription(row)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			found = err == nil
			return err
		})
	if err != nil {
		return billing.Subscription{}, false, err
	}
	return sub, found, nil
}

// SubscriptionByStripeID implements billing.Store.
func (s *BillingStore) SubscriptionByStripeID(ctx context.Context, stripeSubscriptionID string) (billing.Subscription, bool, error) {
	if stripeSubscriptionID == "" {
		return billing.Subscription{}, false, nil
	}
	sub, err := scanSubscription(s.db.Pool().QueryRow(ctx,
		`select `+sqlSubscriptionColumns+` from public.subscriptions where stripe_subscription_id = $1`, stripeSubscriptionID))
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.Subscription{}, false, nil
	}
	if err != nil {
		return billing.Subscription{}, false, MapError(fmt.Errorf("read subscription: %w", err))
	}
	return sub, true, nil
}

// ChangeSubscription implements billing.Store in one admin-scope transaction: lock the account
// row, read the subscription, decide, upsert. The row written always belongs to accountID,
// whatever decide put in AccountID.
func (s *BillingStore) ChangeSubscription(ctx context.Context, accountID string,
	decide func(current *billing.Subscription) (billing.Subscription, bool)) (billing.Subscription, bool, error) {
	id, ok := tenant.ParseUUID(accountID)
	if !ok {
		return billing.Subscription{}, false, account.ErrNotFound
	}
	var (
		result  billing.Subscription
		applied bool
	)
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var customer *string
		err := q.QueryRow(ctx, sqlLockAccount, id).Scan(&customer)
		if errors.Is(err, pgx.ErrNoRows) {
			return account.ErrNotFound.WithCause(err)
		}
		if err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		var current *billing.Subscription
		cur, err := scanSubscription(q.QueryRow(ctx,
			`select `+sqlSubscriptionColumns+` from public.subscriptions where account_id = $1`, id))
		switch {
		case err == nil:
			current = &cur
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("read subscription: %w", err)
		}
		next, apply := decide(current)
		if !apply {
			if current != nil {
				result = *current
			}
			return nil
		}
		result, err = scanSubscription(q.QueryRow(ctx, sqlUpsertSubscription, id, next.Plan, string(next.Status),
			nullIfBlank(next.StripeCustomerID), next.StripeSubscriptionID, nullIfBlank(next.StripePriceID),
			nullTime(next.CurrentPeriodStart), nullTime(next.CurrentPeriodEnd), next.CancelAtPeriodEnd,
			nullTime(next.CanceledAt), next.StripeUpdatedAt))
		if err != nil {
			return fmt.Errorf("write subscription: %w", err)
		}
		applied = true
		return nil
	})
	if err != nil {
		return billing.Subscription{}, false, err
	}
	return result, applied, nil
}

func scanSubscription(row pgx.Row) (billing.Subscription, error) {
	var (
		s                      billing.Subscription
		status                 string
		start, end, canceledAt *time.Time
	)
	err := row.Scan(&s.AccountID, &s.Plan, &status, &s.StripeCustomerID, &s.StripeSubscriptionID,
		&s.StripePriceID, &start, &end, &s.CancelAtPeriodEnd, &canceledAt, &s.StripeUpdatedAt,
		&s.CreatedAt, &s.UpdatedAt)
	if err != nil {
		return billing.Subscription{}, err
	}
	s.Status = billing.Status(status)
	s.CurrentPeriodStart, s.CurrentPeriodEnd, s.CanceledAt = utcOrZero(start), utcOrZero(end), utcOrZero(canceledAt)
	s.StripeUpdatedAt, s.CreatedAt, s.UpdatedAt = s.StripeUpdatedAt.UTC(), s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, nil
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
