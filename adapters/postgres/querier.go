package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is the small query interface both scopes hand to stores. Its methods have pgx's
// signatures, so a pgx.Tx, a *pgx.Conn and a *pgxpool.Pool all satisfy it. Errors come back raw
// from pgx: stores may inspect them, and the scopes map what they return through MapError.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ Querier = (pgx.Tx)(nil)
	_ Querier = (*pgx.Conn)(nil)
)
