package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/observe"
)

func TestModuleValidates(t *testing.T) {
	t.Parallel()
	err := fx.ValidateApp(
		fx.Supply(postgres.Config{URL: "postgres://localhost/x"}, postgres.CursorKey(strings.Repeat("k", 32))),
		postgres.Module,
		fx.Invoke(func(*pgxpool.Pool, *postgres.DB, credit.Ledger, credit.Reader, account.Store, billing.Store, idempotency.Store) {
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
}

func TestModuleProvidesPoolDBAndHealthAndClosesThePool(t *testing.T) {
	t.Parallel()
	cc := pgtest.Pool(t).Config().ConnConfig
	cfg := postgres.Config{
		URL:      "postgres://" + cc.User + "@" + cc.Host + ":" + strconv.Itoa(int(cc.Port)) + "/" + cc.Database + "?sslmode=disable",
		MaxConns: 2,
	}
	var (
		pool   *pgxpool.Pool
		db     *postgres.DB
		checks []observe.HealthChecker
		ledger credit.Ledger
		reader credit.Reader
		store  account.Store
	)
	app := fxtest.New(t,
		fx.Supply(cfg, postgres.CursorKey(strings.Repeat("k", 32))),
		postgres.Module,
		fx.Invoke(func(p struct {
			fx.In
			Pool   *pgxpool.Pool
			DB     *postgres.DB
			Checks []observe.HealthChecker `group:"health"`
			Ledger credit.Ledger
			Reader credit.Reader
			Store  account.Store
		}) {
			pool, db, checks = p.Pool, p.DB, p.Checks
			ledger, reader, store = p.Ledger, p.Reader, p.Store
		}),
	)
	app.RequireStart()
	if db.Pool() != pool {
		t.Error("DB does not use the provided pool")
	}
	// Two stores: only the reader needs the cursor key, so graphs that only write need no key.
	if _, ok := ledger.(*postgres.LedgerStore); !ok {
		t.Errorf("credit.Ledger is %T, want *postgres.LedgerStore", ledger)
	}
	if _, ok := reader.(*postgres.LedgerStore); !ok {
		t.Errorf("credit.Reader is %T, want *postgres.LedgerStore", reader)
	}
	if _, ok := store.(*postgres.AccountStore); !ok {
		t.Errorf("account.Store is %T, want *postgres.AccountStore", store)
	}
	if len(checks) != 1 || checks[0].Name() != "database" {
		t.Fatalf("health group = %v, want the database check", checks)
	}
	if err := checks[0].Check(t.Context()); err != nil {
		t.Errorf("database check: %v", err)
	}
	app.RequireStop()
	if err := pool.Ping(context.Background()); err == nil {
		t.Error("pool still usable after stop")
	}
}
