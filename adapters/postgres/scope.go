package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/core/tenant"
)

// SQL the user scope pipelines after BEGIN. The claims are a bind parameter, never spliced in.
const (
	sqlSetClaims = "select set_config('request.jwt.claims', $1, true)"
	sqlSetRole   = "set local role authenticated"
)

// rollbackTimeout bounds the ROLLBACK sent after a failure, which runs even when the caller's
// context is already cancelled (so the connection returns to the pool clean).
const rollbackTimeout = 5 * time.Second

// DB runs store code in one of two scopes. Reads and writes on behalf of a user go through
// UserScope, where row-level security applies; system work (workflows, webhooks, cron,
// provisioning, charging) goes through AdminScope.
type DB struct {
	pool *pgxpool.Pool
}

// NewDB wraps pool.
func NewDB(pool *pgxpool.Pool) *DB { return &DB{pool: pool} }

// Pool returns the underlying pool, for code that needs pgx features the scopes do not offer.
// Queries sent on it directly run as the login role, like AdminScope.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// UserScope runs fn in a transaction as the role `authenticated` with request.jwt.claims set to
// p's claims ({"sub","role":"authenticated","aud":"authenticated","email","app_metadata"}), the way
// PostgREST does on Supabase, so RLS policies and auth.uid() see the caller. BEGIN, set_config(...,
// true) and SET LOCAL ROLE travel as one pipelined batch: one round trip before fn runs.
//
// The transaction commits when fn returns nil and rolls back otherwise, and on panic (the panic
// continues). A p without a valid user id yields an Unauthenticated error before any query. Every
// error returned — fn's included — has passed through MapError.
func (db *DB) UserScope(ctx context.Context, p tenant.Principal, fn func(ctx context.Context, q Querier) error) error {
	claims, err := claimsFor(p)
	if err != nil {
		return MapError(err)
	}
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	b.Queue(sqlSetClaims, claims)
	b.Queue(sqlSetRole)
	br := db.pool.SendBatch(ctx, b)
	tx := br.Tx()
	defer rollback(ctx, tx)
	if err := br.Close(); err != nil {
		return MapError(fmt.Errorf("user scope: begin: %w", err))
	}
	return run(ctx, tx, fn)
}

// AdminScope runs fn in a transaction as the login role: row-level security does not apply (the
// login role owns the tables, or is service_role-like on Supabase). Commit, rollback and error
// mapping behave as in UserScope.
func (db *DB) AdminScope(ctx context.Context, fn func(ctx context.Context, q Querier) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return MapError(fmt.Errorf("admin scope: begin: %w", err))
	}
	defer rollback(ctx, tx)
	return run(ctx, tx, fn)
}

// run calls fn and commits; the caller's deferred rollback covers every other way out.
func run(ctx context.Context, tx pgx.Tx, fn func(ctx context.Context, q Querier) error) error {
	if err := fn(ctx, tx); err != nil {
		return MapError(err)
	}
	// Commit reports pgx.ErrTxCommitRollback when fn swallowed a failed statement.
	if err := tx.Commit(ctx); err != nil {
		return MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// rollback ends tx if it is still open (after Commit it is a no-op) and so releases the
// connection to the pool. A connection whose rollback fails is closed by pgx, not reused.
func rollback(ctx context.Context, tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	_ = tx.Rollback(ctx)
}
