package account

import "github.com/oslira/oslira/core/apperr"

// Error codes of the account feature.
const (
	CodeNotFound     = "account.not-found"
	CodeUserNotFound = "account.user-not-found"
)

// ErrNotFound means the principal has no account (or it is not visible to them).
var ErrNotFound = apperr.New(apperr.NotFound, CodeNotFound, "account not found")

// ErrNoAccount is an account id no account has (operator tools acting for an account).
var ErrNoAccount = apperr.New(apperr.NotFound, apperr.CodeNotFound, "no account has this id")

// ErrUserNotFound refuses a validly signed token whose user the identity provider no longer
// lists: where Supabase Auth shares the database, a sub with no auth.users row (never signed up,
// deleted, or soft-deleted), or a user whose memberships were disabled by that deletion. No
// account is created for it. Forbidden, as Supabase Auth answers such a token (403
// user_not_found); signing in again is the client's way out.
var ErrUserNotFound = apperr.New(apperr.Forbidden, CodeUserNotFound,
	"the user of this token does not exist (any more); sign in again")
