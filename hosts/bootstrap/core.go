package bootstrap

import (
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
)

// Core provides the core use-case services over the ports the adapters bind: *account.Service
// (over account.Store), *credit.Service (over credit.Ledger and credit.Reader) and
// *idempotency.Service (over idempotency.Store) and *business.Service (over business.Store and
// the workflow.Engine that starts onboarding runs) and *insights.Service (the operator
// analytics, over the database). The services
// hold no resources, so there is nothing to start or stop.
var Core = fx.Module("core",
	fx.Provide(
		newAccountService,
		credit.NewService,
		newIdempotencyService,
		business.NewService,
		newInsightsService, // insights.go
	),
)

// newIdempotencyService uses the wall clock (idempotency.NewService takes nil for time.Now).
func newIdempotencyService(store idempotency.Store) *idempotency.Service {
	return idempotency.NewService(store, nil)
}

// newAccountService uses the wall clock (account.NewService takes nil for time.Now).
func newAccountService(store account.Store) *account.Service { return account.NewService(store, nil) }
