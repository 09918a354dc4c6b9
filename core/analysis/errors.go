package analysis

import "github.com/oslira/oslira/core/apperr"

// Error codes of this package.
const (
	CodeInvalidScore      = "analysis.score-invalid"
	CodeIllegalTransition = "analysis.illegal-transition"
)

// ErrInvalidScore is returned for a score outside 0–100.
var ErrInvalidScore = apperr.New(apperr.Invalid, CodeInvalidScore, "score must be between 0 and 100")

// ErrIllegalTransition is the sentinel every TransitionError matches (errors.Is): the analysis is
// not in a status from which the requested one can be reached — it already finished, or it
// started and can no longer be cancelled. A Conflict: the request clashes with the current state.
var ErrIllegalTransition = apperr.New(apperr.Conflict, CodeIllegalTransition, "the analysis cannot move to that status")
