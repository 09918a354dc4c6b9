package credit

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/creditmock/ports_mock.go -package=creditmock

import (
	"context"

	"github.com/oslira/oslira/core/tenant"
)

// Ledger is the only writer of balances. Implementations run with system privileges (admin
// scope); callers have already decided that the change is allowed.
type Ledger interface {
	// Apply writes one entry and moves the balance by its signed delta, atomically, under a lock
	// on the account's balance row. It is idempotent per (AccountID, Kind, Reference): a second
	// call with the same triple changes nothing and returns the first entry with Applied false.
	// A debit larger than the balance fails with ErrInsufficient and writes nothing, except for
	// kinds that FloorsAtZero, which take what is there. Returns NotFound (resource.not-found)
	// when the account has no balance row, Unavailable when the database cannot be reached.
	Apply(ctx context.Context, req EntryRequest) (Result, error)
}

// Reader reads balances and entries on behalf of a principal, through the user scope: RLS limits
// every query to the principal's accounts, so another account's data is NotFound or empty.
type Reader interface {
	// Balance returns the balance of p.AccountID. Returns NotFound when it is not visible.
	Balance(ctx context.Context, p tenant.Principal) (Balance, error)
	// Entries lists ledger entries of p.AccountID, newest first, filtered and paged as asked.
	// A cursor that cannot be decoded is an apperr.Invalid error (request.invalid-cursor).
	Entries(ctx context.Context, p tenant.Principal, f EntryFilter) (EntryPage, error)
}
