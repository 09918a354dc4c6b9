package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
)

func TestUserReadAppliesRLSAndLeaksNothing(t *testing.T) {
	t.Parallel()
	// One connection, so the check after the read runs on the very connection the read used.
	ctx := context.Background()
	cfg := pgtest.IsolatedPool(t).Config()
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db := postgres.NewDB(pool)

	ownerA, ownerB := pgtest.InsertUser(t, pool), pgtest.InsertUser(t, pool)
	accA, accB := pgtest.InsertAccount(t, pool, ownerA), pgtest.InsertAccount(t, pool, ownerB)
	p := tenant.Principal{UserID: ownerA, AccountID: accA}

	var visible int
	var role, uid string
	err = db.UserRead(ctx, p, `select count(*), current_user, auth.uid()::text from public.accounts`, nil,
		func(row pgx.Row) error { return row.Scan(&visible, &role, &uid) })
	if err != nil {
		t.Fatal(err)
	}
	if visible != 1 || role != "authenticated" || uid != ownerA {
		t.Fatalf("inside the read: %d accounts visible as %s (uid %s), want 1 as authenticated (uid %s)", visible, role, uid, ownerA)
	}

	// The other account is invisible even when asked for by id.
	err = db.UserRead(ctx, p, `select id from public.accounts where id = $1`, []any{accB},
		func(row pgx.Row) error { var id string; return row.Scan(&id) })
	if apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("reading B's account as A: err = %v, want NotFound", err)
	}

	// Nothing survives the read on the connection: role and claims are back to the login role's.
	var after, claims string
	if err := pool.QueryRow(ctx, `select current_user, coalesce(current_setting('request.jwt.claims', true), '')`).Scan(&after, &claims); err != nil {
		t.Fatal(err)
	}
	if after == "authenticated" || claims != "" {
		t.Fatalf("after the read the connection is still %q with claims %q", after, claims)
	}
}

func TestUserReadErrors(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	ctx := context.Background()
	if err := db.UserRead(ctx, tenant.Principal{UserID: "nope"}, `select 1`, nil, func(pgx.Row) error { return nil }); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Fatalf("bad principal: err = %v", err)
	}
	p := tenant.Principal{UserID: "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"}
	boom := errors.New("scan failed")
	if err := db.UserRead(ctx, p, `select 1`, nil, func(pgx.Row) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("scan error: err = %v", err)
	}
	if err := db.UserRead(ctx, p, `select * from no_such_table`, nil, func(row pgx.Row) error { return row.Scan() }); err == nil {
		t.Fatal("a failing statement must fail the read")
	}
}
