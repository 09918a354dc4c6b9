package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/tenant"
)

// BillingStore implements billing.Store (migration 00005: plans, subscriptions, webhook_events;
// accounts.stripe_customer_id from 00002).
//
// System work runs as the login role (admin scope, or one statement on the pool when a single
// read needs no transaction). CurrentSubscription reads as the caller through UserRead, so
// row-level security limits it to the caller's accounts. Changes to one account's subscription
// or customer take a FOR NO KEY UPDATE lock on the account row — it serialises them without
// blocking inserts that merely reference the account (FOR KEY SHARE from foreign keys).
type BillingStore struct {
	db *DB
}

var _ billing.Store = (*BillingStore)(nil)

// NewBillingStore returns a BillingStore over db.
func NewBillingStore(db *DB) *BillingStore { return &BillingStore{db: db} }

const sqlPlanColumns = `name, display_name, price_cents, credits_per_month, bulk_limit,
coalesce(stripe_price_id, ''), active`

// Plans implements billing.Store.
func (s *BillingStore) Plans(ctx context.Context) ([]billing.Plan, error) {
	rows, err := s.db.Pool().Query(ctx, `select `+sqlPlanColumns+` from public.plans order by price_cents, name`)
	if err != nil {
		return nil, MapError(fmt.Errorf("list plans: %w", err))
	}
	plans, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (billing.Plan, error) { return scanPlan(row) })
	if err != nil {
		return nil, MapError(fmt.Errorf("list plans: %w", err))
	}
	return plans, nil
}

// Plan implements billing.Store.
func (s *BillingStore) Plan(ctx context.Context, name string) (billing.Plan, bool, error) {
	return s.onePlan(ctx, `select `+sqlPlanColumns+` from public.plans where name = $1`, name)
}

// PlanByPrice implements billing.Store.
func (s *BillingStore) PlanByPrice(ctx context.Context, priceID string) (billing.Plan, bool, error) {
	if priceID == "" {
		return billing.Plan{}, false, nil
	}
	return s.onePlan(ctx, `select `+sqlPlanColumns+` from public.plans where stripe_price_id = $1`, priceID)
}

func (s *BillingStore) onePlan(ctx context.Context, sql string, arg string) (billing.Plan, bool, error) {
	p, err := scanPlan(s.db.Pool().QueryRow(ctx, sql, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.Plan{}, false, nil
	}
	if err != nil {
		return billing.Plan{}, false, MapError(fmt.Errorf("read plan: %w", err))
	}
	return p, true, nil
}

func scanPlan(row pgx.Row) (billing.Plan, error) {
	var (
		p       billing.Plan
		credits int64
	)
	if err := row.Scan(&p.Name, &p.DisplayName, &p.PriceCents, &credits, &p.BulkLimit, &p.StripePriceID, &p.Active); err != nil {
		return billing.Plan{}, err
	}
	var err error
	if p.CreditsPerMonth, err = amountFromDB(credits); err != nil {
		return billing.Plan{}, err
	}
	return p, nil
}

// AccountByCustomer implements billing.Store.
func (s *BillingStore) AccountByCustomer(ctx context.Context, customerID string) (string, bool, error) {
	if customerID == "" {
		return "", false, nil
	}
	var id string
	err := s.db.Pool().QueryRow(ctx, `select id::text from public.accounts where stripe_customer_id = $1`, customerID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, MapError(fmt.Errorf("find account by customer: %w", err))
	}
	return id, true, nil
}

// sqlLockAccount takes the per-account billing lock and reads the stored customer. FOR NO KEY
// UPDATE conflicts with itself and with writers of the row, not with FOR KEY SHARE.
const sqlLockAccount = `select stripe_customer_id from public.accounts where id = $1 for no key update`

// EnsureCustomer implements billing.Store. A stored customer is returned after one unlocked
// read. Otherwise, in one admin-scope transaction, the account row is locked, re-read, and
// create runs while the lock is held (a Stripe call of a second or so; concurrent callers for
// the same account wait and then find its result), and its id is stored before commit. If the
// commit fails after create succeeded, the next call creates again; Payments' idempotency key
// then returns the same customer.
func (s *BillingStore) EnsureCustomer(ctx context.Context, accountID string, create func(ctx context.Context) (string, error)) (string, error) {
	id, ok := tenant.ParseUUID(accountID)
	if !ok {
		return "", account.ErrNotFound
	}
	var stored *string
	err := s.db.Pool().QueryRow(ctx, `select stripe_customer_id from public.accounts where id = $1`, id).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", account.ErrNotFound.WithCause(err)
	}
	if err != nil {
		return "", MapError(fmt.Errorf("read customer: %w", err))
	}
	if stored != nil {
		return *stored, nil
	}
	var customer string
	err = s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		err := q.QueryRow(ctx, sqlLockAccount, id).Scan(&stored)
		if errors.Is(err, pgx.ErrNoRows) {
			return account.ErrNotFound.WithCause(err)
		}
		if err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		if stored != nil {
			customer = *stored
			return nil
		}
		if customer, err = create(ctx); err != nil {
			return err
		}
		_, err = q.Exec(ctx, `update public.accounts set stripe_customer_id = $2, updated_at = now() where id = $1`, id, customer)
		if err != nil {
			return fmt.Errorf("store customer: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return customer, nil
}
