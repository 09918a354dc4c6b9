package analysis

import (
	"fmt"
	"slices"
)

// Status is where an analysis is in its life:
//
//	pending ──▶ running ──▶ completed   (outcome scored, not_found, private or icp_mismatch)
//	   │           └──────▶ failed      (outcome provider_failed or error)
//	   ├──────────────────▶ failed      (outcome expired: never started within 24 h; or error)
//	   └──────────────────▶ cancelled   (outcome cancelled: a batch cancelled before it started)
//
// completed, failed and cancelled are terminal: nothing leaves them, so an analysis is finished
// — and charged or refunded — exactly once. A started analysis cannot be cancelled (the scrape
// and AI calls are already paid for); it runs to completed or failed.
type Status string

// The statuses.
const (
	Pending   Status = "pending"
	Running   Status = "running"
	Completed Status = "completed"
	Failed    Status = "failed"
	Cancelled Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status { return []Status{Pending, Running, Completed, Failed, Cancelled} }

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case Pending, Running, Completed, Failed, Cancelled:
		return true
	}
	return false
}

// Terminal reports whether s is a final status.
func (s Status) Terminal() bool { return s == Completed || s == Failed || s == Cancelled }

// next is the transition table: the statuses reachable in one step from each status.
var next = map[Status][]Status{
	Pending: {Running, Failed, Cancelled},
	Running: {Completed, Failed},
}

// Transition checks a move from one status to another. It returns nil for a legal move and a
// *TransitionError (errors.Is ErrIllegalTransition, kind Conflict) for anything else: a move out
// of a terminal status, backwards, to the same status, past running to completed, from running to
// cancelled, or from or to a value that is not a status. Stores apply it as a guard ("update …
// where status = from"), so a replayed workflow step that finds the move already made can tell.
func Transition(from, to Status) error {
	for _, s := range next[from] {
		if s == to {
			return nil
		}
	}
	return &TransitionError{From: from, To: to}
}

// TransitionError is an illegal status move.
type TransitionError struct {
	From, To Status
}

// Error names the move.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s: %q → %q", ErrIllegalTransition.Error(), e.From, e.To)
}

// Unwrap makes errors.Is(err, ErrIllegalTransition) and apperr.KindOf (Conflict) work.
func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }

// Outcome is how a finished analysis ended; each outcome belongs to one terminal status and says
// whether the credits are kept or refunded.
type Outcome string

// The outcomes.
const (
	// Scored: the AI scored the lead. Completed; the only outcome that keeps the credits.
	Scored Outcome = "scored"
	// NotFound: no profile has this handle. Completed (a pre-check bypass); refunded.
	NotFound Outcome = "not_found"
	// Private: the profile is private. Completed (a pre-check bypass); refunded.
	Private Outcome = "private"
	// ICPMismatch: the profile is outside the business's ideal customer profile (follower range
	// or minimum engagement). Completed (a pre-check bypass); refunded.
	ICPMismatch Outcome = "icp_mismatch"
	// ProviderFailed: a scraper or AI provider kept failing after its retries. Failed; refunded.
	ProviderFailed Outcome = "provider_failed"
	// Expired: the analysis never started within the reaper's window (24 h). Failed; refunded.
	Expired Outcome = "expired"
	// Errored: any other terminal failure (the business profile is gone, invalid data, a bug);
	// the error code is recorded beside it. Failed; refunded.
	Errored Outcome = "error"
	// CancelledOutcome: cancelled before it started (a batch cancel). Cancelled; refunded.
	CancelledOutcome Outcome = "cancelled"
)

// Outcomes lists every outcome.
func Outcomes() []Outcome {
	return []Outcome{Scored, NotFound, Private, ICPMismatch, ProviderFailed, Expired, Errored, CancelledOutcome}
}

// outcomes maps each outcome to its terminal status and the statuses it may be reached from.
var outcomes = map[Outcome]struct {
	status Status
	from   []Status
}{
	Scored:           {Completed, []Status{Running}},
	NotFound:         {Completed, []Status{Running}},
	Private:          {Completed, []Status{Running}},
	ICPMismatch:      {Completed, []Status{Running}},
	ProviderFailed:   {Failed, []Status{Running}},
	Expired:          {Failed, []Status{Pending}},
	Errored:          {Failed, []Status{Pending, Running}},
	CancelledOutcome: {Cancelled, []Status{Pending}},
}

// Valid reports whether o is one of the outcomes.
func (o Outcome) Valid() bool { _, ok := outcomes[o]; return ok }

// Status is the terminal status o ends in ("" for an invalid outcome).
func (o Outcome) Status() Status { return outcomes[o].status }

// Refunded reports whether an analysis that ends with o gives its credits back: every outcome
// but Scored (the user is never charged for an analysis that produced no score).
func (o Outcome) Refunded() bool { return o.Valid() && o != Scored }

// Finish checks that an analysis in status from may end with outcome o and returns the terminal
// status to store, else a *TransitionError (from → o's status). Every pair it accepts is a legal
// Transition, and it narrows them: scored, the bypasses and provider_failed only from running
// (they are findings of the work), expired and cancelled only from pending (the work never
// started), error from either.
func Finish(from Status, o Outcome) (Status, error) {
	to := o.Status()
	if !slices.Contains(outcomes[o].from, from) {
		return "", &TransitionError{From: from, To: to}
	}
	return to, nil
}
