package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/ratelimit"
)

// Module provides *pgxpool.Pool (opened and pinged at construction, closed on stop), *DB, the
// "database" health checker in the `group:"health"` value group, and the stores bound to their
// core ports: credit.Ledger (a LedgerStore) and credit.Reader (a LedgerStore signing cursors with
// the CursorKey, which the graph must then hold), idempotency.Store (IdempotencyStore),
// account.Store (AccountStore),
// billing.Store and billing.EventInbox (one BillingStore), business.Store (a BusinessStore
// signing cursors with the CursorKey) and business.ContextStore (a BusinessStore that lists
// nothing, so the workflow graphs of operator commands need no key), ratelimit.Limiter
// (RateLimitStore) and analyze.AnonymousCache (AnonymousCache).
// It needs a Config in the graph. It does not migrate: hosts decide when to (see Migrate).
var Module = fx.Module("postgres",
	fx.Provide(
		newLifecyclePool,
		NewDB,
		fx.Annotate(NewHealthCheck,
			fx.ResultTags(`group:"health"`),
			fx.As(new(observe.HealthChecker)),
		),
		fx.Annotate(NewLedgerStore, fx.As(new(credit.Ledger))),
		fx.Annotate(NewLedgerReader, fx.As(new(credit.Reader))),
		fx.Annotate(NewIdempotencyStore, fx.As(new(idempotency.Store))),
		fx.Annotate(NewAccountStore, fx.As(new(account.Store))),
		fx.Annotate(NewBillingStore, fx.As(new(billing.Store)), fx.As(new(billing.EventInbox))),
		fx.Annotate(NewBusinessStore, fx.As(new(business.Store))),
		fx.Annotate(NewBusinessContextStore, fx.As(new(business.ContextStore))),
		fx.Annotate(NewRateLimitStore, fx.As(new(ratelimit.Limiter))),
		fx.Annotate(NewAnonymousCache, fx.As(new(analyze.AnonymousCache))),
	),
)

// newLifecyclePool opens the pool under its own timeout (twice the connect timeout, covering the
// ping), never under a context fx could cancel later, and closes it on stop.
func newLifecyclePool(lc fx.Lifecycle, cfg Config) (*pgxpool.Pool, error) {
	timeout := 2 * cfg.WithDefaults().ConnectTimeout
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	pool, err := NewPool(ctx, cfg)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(pool.Close))
	return pool, nil
}
