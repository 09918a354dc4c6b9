package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

const sqlBalance = `select balance, updated_at from public.credit_balances where account_id = $1`

// Balance implements credit.Reader: the balance of p.AccountID, read as the user in one round
// trip (UserRead). An
// account the principal does not belong to is invisible (RLS) and reported as NotFound.
func (s *LedgerStore) Balance(ctx context.Context, p tenant.Principal) (credit.Balance, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return credit.Balance{}, errNoBalance
	}
	b := credit.Balance{AccountID: accountID}
	var n int64
	err := s.db.UserRead(ctx, p, sqlBalance, []any{accountID}, func(row pgx.Row) error {
		err := row.Scan(&n, &b.UpdatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoBalance.WithCause(err)
		}
		if err != nil {
			return fmt.Errorf("read balance: %w", err)
		}
		return nil
	})
	if err != nil {
		return credit.Balance{}, err
	}
	if b.Available, err = amountFromDB(n); err != nil {
		return credit.Balance{}, MapError(err)
	}
	b.UpdatedAt = b.UpdatedAt.UTC()
	return b, nil
}

// sqlEntriesSelect is qualified throughout: an unqualified "id" in ORDER BY would name the
// output column id::text and sort text instead of walking the index.
const sqlEntriesSelect = `select l.id::text, l.kind, l.delta, l.balance_after, l.reference, l.description,
       coalesce(l.created_by::text, ''), l.created_at
from public.credit_ledger l
where l.account_id = $1`

// Entries implements credit.Reader: entries of p.AccountID, newest first by (created_at, id),
// keyset-paged by a signed cursor (a forged or altered one, or one made for another account, is
// request.invalid-cursor). It reads limit+1 rows to learn whether another page exists. Limit outside
// 1..credit.MaxPageSize is clamped (the use case validates it first). Another account's entries
// are invisible (RLS): the page is empty.
func (s *LedgerStore) Entries(ctx context.Context, p tenant.Principal, f credit.EntryFilter) (credit.EntryPage, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return credit.EntryPage{Entries: []credit.Entry{}}, nil
	}
	var after *ledgerCursor
	if f.Cursor != "" {
		c, err := s.cursors.decode(accountID, f.Cursor)
		if err != nil {
			return credit.EntryPage{}, err
		}
		after = &c
	}
	limit := f.Limit
	if limit < 1 {
		limit = credit.DefaultPageSize
	}
	limit = min(limit, credit.MaxPageSize)

	sql, args := entriesQuery(accountID, f.Kind, after, limit+1)
	var entries []credit.Entry
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("list ledger entries: %w", err)
		}
		entries, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (credit.Entry, error) {
			return scanEntry(r, accountID)
		})
		if err != nil {
			return fmt.Errorf("list ledger entries: %w", err)
		}
		return nil
	})
	if err != nil {
		return credit.EntryPage{}, err
	}
	page := credit.EntryPage{Entries: entries}
	if len(entries) > limit {
		page.Entries = entries[:limit]
		last := page.Entries[limit-1]
		page.NextCursor = s.cursors.encode(accountID, ledgerCursor{T: last.CreatedAt, ID: last.ID})
	}
	return page, nil
}

// entriesQuery builds the listing: the optional kind and cursor conditions are added only when
// present, so each shape gets a plain plan on the (account_id, created_at desc, id desc) index.
func entriesQuery(accountID string, kind *credit.EntryKind, after *ledgerCursor, limit int) (string, []any) {
	var b strings.Builder
	b.WriteString(sqlEntriesSelect)
	args := []any{accountID}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if kind != nil {
		b.WriteString("\n  and l.kind = " + param(string(*kind)))
	}
	if after != nil {
		b.WriteString("\n  and (l.created_at, l.id) < (" + param(after.T) + "::timestamptz, " + param(after.ID) + "::uuid)")
	}
	b.WriteString("\norder by l.created_at desc, l.id desc\nlimit " + param(limit))
	return b.String(), args
}

// scanEntry reads one row of sqlEntriesSelect.
func scanEntry(r pgx.CollectableRow, accountID string) (credit.Entry, error) {
	e := credit.Entry{AccountID: accountID}
	var (
		kind  string
		after int64
	)
	if err := r.Scan(&e.ID, &kind, &e.Delta, &after, &e.Reference, &e.Description, &e.CreatedBy, &e.CreatedAt); err != nil {
		return credit.Entry{}, err
	}
	var err error
	if e.BalanceAfter, err = amountFromDB(after); err != nil {
		return credit.Entry{}, err
	}
	e.Kind = credit.EntryKind(kind)
	e.CreatedAt = e.CreatedAt.UTC()
	return e, nil
}
