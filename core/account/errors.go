package account

import "github.com/oslira/oslira/core/apperr"

// Error codes of the account feature.
const CodeNotFound = "account.not-found"

// ErrNotFound means the principal has no account (or it is not visible to them).
var ErrNotFound = apperr.New(apperr.NotFound, CodeNotFound, "account not found")
