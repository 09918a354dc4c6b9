package business

import "github.com/oslira/oslira/core/apperr"

// Error codes of business profiles.
const (
	// CodeInvalidProfile: a profile's fields break a rule; the field errors name them.
	CodeInvalidProfile = "business.invalid-profile"
	// CodeInvalidPageSize: the list's page size is out of range.
	CodeInvalidPageSize = "business.invalid-page-size"
	// CodeContextFailed: the onboarding run could not write the business context.
	CodeContextFailed = "business.context-failed"
)

// ErrNotFound is returned for a profile that does not exist, was deleted, or belongs to another
// account (never say which).
var ErrNotFound = apperr.New(apperr.NotFound, apperr.CodeNotFound, "business profile not found")
