package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

// Payments of credit packs (migration 00008) and the billing credit changes that depend on them.

const sqlPaymentColumns = `payment_key, account_id::text, credits, amount, amount_refunded, purchased,
granted, taken_back, owed, events`

// sqlUpsertPayment stores a payment. The WHERE clause refuses to move a payment to another
// account: no row comes back, which ChangeCredits reports.
const sqlUpsertPayment = `insert into public.payments as p
  (payment_key, account_id, credits, amount, amount_refunded, purchased, granted, taken_back, owed, events)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
on conflict (payment_key) do update set
  credits = excluded.credits, amount = excluded.amount, amount_refunded = excluded.amount_refunded,
  purchased = excluded.purchased, granted = excluded.granted, taken_back = excluded.taken_back,
  owed = excluded.owed, events = excluded.events, updated_at = now()
where p.account_id = excluded.account_id
returning payment_key`

// errCreditReplay rolls back a change whose first entry already exists.
var errCreditReplay = errors.New("the credit change was already made")

// Payment implements billing.Store.
func (s *BillingStore) Payment(ctx context.Context, key string) (billing.Payment, bool, error) {
	p, err := scanPayment(s.db.Pool().QueryRow(ctx, `select `+sqlPaymentColumns+` from public.payments where payment_key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.Payment{}, false, nil
	}
	if err != nil {
		return billing.Payment{}, false, MapError(fmt.Errorf("read payment: %w", err))
	}
	return p, true, nil
}

// ChangeCredits implements billing.Store in one admin-scope transaction. Locks are taken in one
// order — the account row (FOR NO KEY UPDATE, as ChangeSubscription and EnsureCustomer), the
// payment rows (FOR UPDATE), the balance row (FOR UPDATE, as app.apply_credit) — so changes of
// one account run one after the other and never deadlock with each other or with analysis
// debits, which lock only the balance. Entries go through app.apply_credit (ApplyCredit): with
// the balance locked and read, a chargeback takes exactly what decide computed.
func (s *BillingStore) ChangeCredits(ctx context.Context, accountID, paymentKey string,
	decide func(billing.CreditState) (billing.CreditChange, error)) (billing.CreditResult, error) {
	id, ok := tenant.ParseUUID(accountID)
	if !ok {
		return billing.CreditResult{}, errNoBalance
	}
	var res billing.CreditResult
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		res = billing.CreditResult{}
		st, err := lockCreditState(ctx, q, id, paymentKey)
		if err != nil {
			return err
		}
		ch, err := decide(st)
		if err != nil {
			return err
		}
		res.Change = ch
		if ch.Replay {
			res.Replay = true
			return errCreditReplay
		}
		for i, req := range ch.Entries {
			r, err := ApplyCredit(ctx, q, req)
			if err != nil {
				return err
			}
			if !r.Applied {
				if i > 0 {
					return fmt.Errorf("ledger entry %s %s exists but %s %s did not", req.Kind, req.Reference, ch.Entries[0].Kind, ch.Entries[0].Reference)
				}
				res.Results, res.Replay = []credit.Result{r}, true
				return errCreditReplay
			}
			res.Results = append(res.Results, r)
		}
		for _, p := range ch.Payments {
			if err := storePayment(ctx, q, id, p); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errCreditReplay) {
		return res, nil
	}
	if err != nil {
		return billing.CreditResult{}, err
	}
	return res, nil
}

// lockCreditState takes the locks of ChangeCredits and reads what decide needs.
func lockCreditState(ctx context.Context, q Querier, accountID, paymentKey string) (billing.CreditState, error) {
	var st billing.CreditState
	var customer *string
	err := q.QueryRow(ctx, sqlLockAccount, accountID).Scan(&customer)
	if errors.Is(err, pgx.ErrNoRows) {
		// The ledger's error, as before payments were tracked: resource.not-found.
		return st, errNoBalance.WithCause(err)
	}
	if err != nil {
		return st, fmt.Errorf("lock account: %w", err)
	}
	if paymentKey != "" {
		p, err := scanPayment(q.QueryRow(ctx, `select `+sqlPaymentColumns+` from public.payments
			where payment_key = $1 for update`, paymentKey))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			p = billing.Payment{Key: paymentKey, AccountID: accountID}
		case err != nil:
			return st, fmt.Errorf("lock payment: %w", err)
		case p.AccountID != accountID:
			return st, billing.ErrWebhookPayload.WithMessage("the payment " + paymentKey + " belongs to another account")
		}
		st.Payment = p
	}
	rows, err := q.Query(ctx, `select `+sqlPaymentColumns+` from public.payments
		where account_id = $1 and owed > 0 and payment_key <> $2
		order by created_at, payment_key for update`, accountID, paymentKey)
	if err != nil {
		return st, fmt.Errorf("lock debts: %w", err)
	}
	if st.Debts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (billing.Payment, error) { return scanPayment(row) }); err != nil {
		return st, fmt.Errorf("lock debts: %w", err)
	}
	err = q.QueryRow(ctx, `select balance from public.credit_balances where account_id = $1 for update`, accountID).Scan(&st.Balance)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, errNoBalance.WithCause(err)
	}
	if err != nil {
		return st, fmt.Errorf("lock balance: %w", err)
	}
	return st, nil
}

func storePayment(ctx context.Context, q Querier, accountID string, p billing.Payment) error {
	events := p.Events
	if events == nil {
		events = []string{}
	}
	var key string
	err := q.QueryRow(ctx, sqlUpsertPayment, p.Key, accountID, p.Credits, p.Amount, p.AmountRefunded,
		p.Purchased, p.Granted, p.TakenBack, p.Owed, events).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.ErrWebhookPayload.WithMessage("the payment " + p.Key + " belongs to another account")
	}
	if err != nil {
		return fmt.Errorf("store payment %s: %w", p.Key, err)
	}
	return nil
}

func scanPayment(row pgx.Row) (billing.Payment, error) {
	var p billing.Payment
	err := row.Scan(&p.Key, &p.AccountID, &p.Credits, &p.Amount, &p.AmountRefunded, &p.Purchased,
		&p.Granted, &p.TakenBack, &p.Owed, &p.Events)
	return p, err
}
