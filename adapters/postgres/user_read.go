package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/tenant"
)

// sqlSetUser switches to the caller for the rest of the transaction. set_config('role', …) is
// SET ROLE in function form (PostgREST uses it too); with is_local = true both settings end
// with the transaction.
const sqlSetUser = "select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)"

// UserRead runs one read-only statement as the caller, with RLS, in ONE round trip: the settings
// and the statement travel as a single pipeline with no explicit BEGIN, and PostgreSQL runs a
// pipeline up to its Sync as one implicit transaction, so the transaction-local settings end
// with it and never leak to the next user of the connection (a test checks this). Use it for the
// hottest single-statement reads; anything with more than one statement or any write belongs in
// UserScope. scan receives the statement's first row; when there is none it gets pgx.ErrNoRows
// from Scan, as with QueryRow. Errors pass through MapError.
func (db *DB) UserRead(ctx context.Context, p tenant.Principal, sql string, args []any, scan func(row pgx.Row) error) error {
	claims, err := claimsFor(p)
	if err != nil {
		return MapError(err)
	}
	b := &pgx.Batch{}
	b.Queue(sqlSetUser, claims)
	b.Queue(sql, args...).QueryRow(scan)
	if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
		return MapError(fmt.Errorf("user read: %w", err))
	}
	return nil
}
