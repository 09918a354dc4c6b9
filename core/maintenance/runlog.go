package maintenance

import (
	"context"
	"time"
)

// Outcome is the state of a job's run of one period.
type Outcome string

// Outcomes. A run is "running" from its claim until it finishes.
const (
	OutcomeRunning   Outcome = "running"
	OutcomeSucceeded Outcome = "succeeded"
	OutcomeFailed    Outcome = "failed"
)

// ClaimRequest asks to run Job for Period.
type ClaimRequest struct {
	Job    string
	Period string // Period.Key
	Runner string // who runs it (process id), recorded for operators
	// Lease is how long a run may stay "running" before it is presumed dead (its process
	// crashed) and the period may be claimed again. Set it above the job's timeout.
	Lease time.Duration
	// RetryAfter is how long after a failed run the period may be claimed again.
	RetryAfter time.Duration
}

// Claim is the answer to a ClaimRequest. When granted, it is the attempt now running; when
// refused, Attempt, StartedAt and Outcome describe the stored run as far as the RunLog knows it
// (Outcome "" when it does not).
type Claim struct {
	Job       string
	Period    string
	Attempt   int // 1 for the first run of the period
	StartedAt time.Time
	Outcome   Outcome
}

// RunLog records which periods of which jobs have run, across processes and restarts.
// Implementations compare times on one clock (the database's), never the callers'.
type RunLog interface {
	// Claim records that r.Job starts period r.Period and returns the claim, or claimed false
	// when the period must not run now: it succeeded already, a run of it is in progress (started
	// less than r.Lease ago), or it failed less than r.RetryAfter ago. Concurrent claims of one
	// period grant at most one. A run that stayed "running" past its lease, or failed long enough
	// ago, is claimed again with the next attempt number.
	Claim(ctx context.Context, r ClaimRequest) (c Claim, claimed bool, err error)

	// Finish records the outcome (succeeded or failed) and a short detail of claim c. It changes
	// nothing when the period has been claimed again since (a newer attempt owns it).
	Finish(ctx context.Context, c Claim, o Outcome, detail string) error
}
