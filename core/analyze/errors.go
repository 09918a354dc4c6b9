package analyze

import (
	"fmt"
	"strings"

	"github.com/oslira/oslira/core/apperr"
)

// Error codes of analyses.
const (
	// CodeDuplicate: an analysis of the same handle for the same business profile is in flight.
	CodeDuplicate = "analysis.duplicate"
	// CodeDuplicateUsernames: a bulk request names one handle twice (after normalisation).
	CodeDuplicateUsernames = "analysis.duplicate-usernames"
	// CodeBulkLimit: a bulk request carries more handles than the plan allows.
	CodeBulkLimit = "analysis.bulk-limit"
	// CodeInvalidPageSize: a listing's page size is out of range.
	CodeInvalidPageSize = "analysis.invalid-page-size"
	// CodeProfileUnavailable: the business profile was deleted before the run started.
	CodeProfileUnavailable = "analysis.profile-unavailable"
	// CodeAIFailed: the models could not produce the analysis (after retries).
	CodeAIFailed = "analysis.ai-failed"
	// CodeScrapeFailed: the profile provider could not be reached (after retries).
	CodeScrapeFailed = "analysis.scrape-failed"
	// CodeExpired: the analysis stayed pending too long and was given up.
	CodeExpired = "analysis.expired"
	// CodeCancelled: the analysis was cancelled before it started.
	CodeCancelled = "analysis.cancelled"
	// CodeFailed: the analysis stopped on an unexpected error (a store that stayed unreachable
	// through every retry, a bug); its credits were refunded.
	CodeFailed = "analysis.failed"
	// CodeProfileNotFound: no Instagram profile has this handle (anonymous analysis).
	CodeProfileNotFound = "analysis.profile-not-found"
	// CodeProfilePrivate: the Instagram profile is private, so it cannot be analysed (anonymous
	// analysis).
	CodeProfilePrivate = "analysis.profile-private"
)

// ErrNotFound is an analysis, batch or lead that does not exist or belongs to another account.
var ErrNotFound = apperr.New(apperr.NotFound, apperr.CodeNotFound, "not found")

// ErrProfileNotFound is an anonymous analysis of a handle no Instagram profile has.
var ErrProfileNotFound = apperr.New(apperr.NotFound, CodeProfileNotFound, "no Instagram profile has this username")

// ErrProfilePrivate is an anonymous analysis of a private profile: the request names a handle
// that cannot be analysed, so it is Invalid with a field error on "username".
var ErrProfilePrivate = apperr.Validation(CodeProfilePrivate, "the Instagram profile is private",
	apperr.FieldError{Field: "username", Message: "the profile is private: only public profiles can be analysed"})

// ErrDuplicate is the kind and code of a DuplicateError.
var ErrDuplicate = apperr.New(apperr.Conflict, CodeDuplicate, "an analysis of this profile is already in progress")

// MaxPageSize bounds listings; DefaultPageSize is used when a request gives none.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
	// MaxActive bounds the in-flight analyses one read returns (a bulk batch of the largest plan
	// is 500; a page that just loaded shows the newest ones).
	MaxActive = 500
)

// DuplicateError names the analyses already in flight for the handles of a submission.
type DuplicateError struct {
	// Existing maps each handle in flight to its analysis id.
	Existing map[string]string
}

func (e *DuplicateError) Error() string {
	names := make([]string, 0, len(e.Existing))
	for u := range e.Existing {
		names = append(names, u)
	}
	return fmt.Sprintf("%s: %s", ErrDuplicate.Message, strings.Join(names, ", "))
}

// Unwrap makes errors.Is(err, ErrDuplicate) and apperr.As see the Conflict.
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }
