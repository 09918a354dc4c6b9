package secret

import "github.com/oslira/oslira/core/apperr"

// Error codes of this package.
const (
	CodeNotFound    = "secret.not-found"
	CodeMissing     = "secret.missing"
	CodeUnavailable = "secret.unavailable"
)

// ErrNotFound is returned by a Provider when the named secret does not exist.
var ErrNotFound = apperr.New(apperr.NotFound, CodeNotFound, "secret not found")

// ErrUnavailable is returned by a Provider when its store cannot be reached.
var ErrUnavailable = apperr.New(apperr.Unavailable, CodeUnavailable, "secret store unavailable")
