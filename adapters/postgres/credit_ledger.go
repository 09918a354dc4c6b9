package postgres

import (
	"context"
	"fmt"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

// LedgerStore is the credit ledger in PostgreSQL (tables credit_balances and credit_ledger,
// migration 00003).
//
// As credit.Ledger, Apply writes through app.apply_credit in the admin scope: that function is
// the only writer of balances and holds every rule (row lock, idempotency per (account, kind,
// reference), refusal below zero, the chargeback floor). As credit.Reader, Balance and Entries
// read through the user scope, so row-level security limits them to the principal's accounts;
// they still filter by the principal's account in SQL, as the first wall.
//
// Its page cursors are signed with a CursorKey (credit_cursor.go): NewLedgerReader takes the
// deployment's key; NewLedgerStore makes a random one, good for as long as the store lives.
type LedgerStore struct {
	db      *DB
	cursors CursorKey
}

var (
	_ credit.Ledger = (*LedgerStore)(nil)
	_ credit.Reader = (*LedgerStore)(nil)
)

// NewLedgerStore returns a LedgerStore over db that signs cursors with a random key of its own.
func NewLedgerStore(db *DB) *LedgerStore {
	key, _ := newCursorSigner(nil) // a random key cannot be refused
	return &LedgerStore{db: db, cursors: key}
}

// NewLedgerReader returns a LedgerStore over db that signs cursors with key (at least
// MinCursorKeyBytes), so cursors survive restarts and work across instances.
func NewLedgerReader(db *DB, key CursorKey) (*LedgerStore, error) {
	key, err := newCursorSigner(key)
	if err != nil {
		return nil, err
	}
	return &LedgerStore{db: db, cursors: key}, nil
}

// errNoBalance is what Apply and Balance return for an account without a (visible) balance row.
var errNoBalance = errNotFound.WithMessage("no credit balance was found for this account")

// sqlApplyCredit calls the ledger function. Its errors carry our SQLSTATEs (OC402 insufficient,
// OC404 no balance row, 22023 bad argument), which MapError translates.
const sqlApplyCredit = `select entry_id::text, delta, balance_after, created_at, applied
from app.apply_credit($1, $2, $3, $4, $5, $6)`

// sqlEntryAuthor reads what app.apply_credit does not return, for an entry written earlier.
const sqlEntryAuthor = `select description, coalesce(created_by::text, '')
from public.credit_ledger where id = $1`

// Apply implements credit.Ledger in its own admin-scope transaction. See ApplyCredit.
func (s *LedgerStore) Apply(ctx context.Context, req credit.EntryRequest) (credit.Result, error) {
	var res credit.Result
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		res, err = ApplyCredit(ctx, q, req)
		return err
	})
	if err != nil {
		return credit.Result{}, err
	}
	return res, nil
}

// ApplyCredit runs app.apply_credit on q, for store code that must change a balance inside a
// larger admin-scope transaction (an analysis debit committed with the analysis row). The
// returned entry is complete: for a repeated reference it is the earlier entry as stored, with
// its own description and author, and Applied is false.
//
// A failed call leaves the transaction aborted; errors are raw pgx errors (the scope maps them:
// OC402 becomes credit.ErrInsufficient, OC404 NotFound), except that an account id which is not
// a UUID is NotFound and a CreatedBy which is not a UUID is Invalid.
func ApplyCredit(ctx context.Context, q Querier, req credit.EntryRequest) (credit.Result, error) {
	accountID, ok := tenant.ParseUUID(req.AccountID)
	if !ok {
		return credit.Result{}, errNoBalance
	}
	e := credit.Entry{
		AccountID:   accountID,
		Kind:        req.Kind,
		Reference:   req.Reference,
		Description: req.Description,
	}
	var createdBy *string // NULL: the system
	if req.CreatedBy != "" {
		if e.CreatedBy, ok = tenant.ParseUUID(req.CreatedBy); !ok {
			return credit.Result{}, apperr.Validation(apperr.CodeInvalidRequest, "invalid ledger entry",
				apperr.FieldError{Field: "created_by", Message: "must be a user id"})
		}
		createdBy = &e.CreatedBy
	}
	var (
		after   int64
		applied bool
	)
	err := q.QueryRow(ctx, sqlApplyCredit, accountID, string(req.Kind), req.Amount.Int64(),
		req.Reference, req.Description, createdBy).
		Scan(&e.ID, &e.Delta, &after, &e.CreatedAt, &applied)
	if err != nil {
		return credit.Result{}, fmt.Errorf("apply credit: %w", err)
	}
	if !applied {
		// The earlier entry may have been written with another description or by another actor.
		if err := q.QueryRow(ctx, sqlEntryAuthor, e.ID).Scan(&e.Description, &e.CreatedBy); err != nil {
			return credit.Result{}, fmt.Errorf("read earlier entry: %w", err)
		}
	}
	if e.BalanceAfter, err = amountFromDB(after); err != nil {
		return credit.Result{}, err
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return credit.Result{Entry: e, Applied: applied}, nil
}

// amountFromDB converts a stored balance; the table's CHECK constraints keep it in range, so a
// failure means the schema and credit.MaxAmount disagree.
func amountFromDB(n int64) (credit.Amount, error) {
	a, err := credit.NewAmount(n)
	if err != nil {
		// Not wrapped: the validation error would reach clients as if it were their mistake.
		return credit.Amount{}, fmt.Errorf("stored credit amount %d out of range", n)
	}
	return a, nil
}
