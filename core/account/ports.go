package account

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/accountmock/ports_mock.go -package=accountmock

import (
	"context"

	"github.com/oslira/oslira/core/tenant"
)

// Store persists users, accounts and memberships.
type Store interface {
	// Ensure returns the user's membership, creating user, account, owner membership, balance and
	// the signup-bonus ledger entry first when the user has none. It is atomic and idempotent:
	// any number of concurrent calls for one new user create exactly one account and one bonus
	// (Created is true for exactly one of them). It runs with system privileges (admin scope).
	// Returns ErrUserNotFound, creating nothing, when the identity provider shares the database
	// and no longer lists the user (Supabase Auth's auth.users), and apperr.Unavailable when the
	// database cannot be reached.
	Ensure(ctx context.Context, u NewUser) (Membership, error)

	// Profile describes the principal's own user, account and balance, read through the user
	// scope (RLS applies). Returns ErrNotFound when the principal has no account.
	Profile(ctx context.Context, p tenant.Principal) (Profile, error)

	// Owner returns the owner's membership of the account, with the owner's e-mail, read with
	// system privileges; Suspended is set when the account is suspended or deleted or the owner's
	// membership is disabled. Returns ErrNoAccount when no account has this id.
	Owner(ctx context.Context, accountID string) (Membership, error)
}
