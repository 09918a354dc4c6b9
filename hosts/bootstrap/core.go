package bootstrap

import (
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/credit"
)

// Core provides the core use-case services over the ports the adapters bind: *account.Service
// (over account.Store) and *credit.Service (over credit.Ledger and credit.Reader). The services
// hold no resources, so there is nothing to start or stop.
var Core = fx.Module("core",
	fx.Provide(
		newAccountService,
		credit.NewService,
	),
)

// newAccountService uses the wall clock (account.NewService takes nil for time.Now).
func newAccountService(store account.Store) *account.Service { return account.NewService(store, nil) }
