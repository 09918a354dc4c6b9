package business

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/businessmock/ports_mock.go -package=businessmock

import (
	"context"

	"github.com/oslira/oslira/core/tenant"
)

// Store keeps business profiles. Its methods act on behalf of a principal, through the user
// scope: row-level security limits them to the principal's accounts, and they filter by
// p.AccountID in SQL as well. A profile that does not exist, was deleted or belongs to another
// account is ErrNotFound; ids are canonical UUIDs (the use cases check them first). Errors are
// Unavailable when the database cannot be reached.
type Store interface {
	// Create inserts a profile of p.AccountID holding c (already normalised), onboarding
	// not_started, and returns it.
	Create(ctx context.Context, p tenant.Principal, c Context) (Profile, error)
	// Get returns one profile with its counts.
	Get(ctx context.Context, p tenant.Principal, id string) (Profile, error)
	// List returns p.AccountID's profiles that are not deleted, newest first by (created_at,
	// id), keyset-paged by a signed cursor (one that was altered or made for another account is
	// Invalid, request.invalid-cursor). f.Limit is 1..MaxPageSize.
	List(ctx context.Context, p tenant.Principal, f ListFilter) (Page, error)
	// Update locks the profile's row, calls change with the stored profile and stores the
	// Context change returns, in one transaction; an error from change aborts it with nothing
	// written and is returned as is. Concurrent updates therefore apply one after the other.
	Update(ctx context.Context, p tenant.Principal, id string, change func(Profile) (Context, error)) (Profile, error)
	// Delete marks the profile deleted (soft delete): later reads do not see it.
	Delete(ctx context.Context, p tenant.Principal, id string) error
	// MarkContextRunning records that generation from+1 of the profile's context runs as runID,
	// if the profile's generation is still from; it reports false (and changes nothing) when
	// another request moved it first.
	MarkContextRunning(ctx context.Context, p tenant.Principal, id string, from int, runID string) (bool, error)
}

// ContextStore is what the onboarding workflow writes with. It is system work (no caller is
// present when a run executes), so implementations use the admin scope and filter by account
// and profile themselves. Each method acts only while the profile is not deleted and its latest
// generation is runID, and reports whether it did: a superseded run changes nothing.
type ContextStore interface {
	// SaveContext stores the written one-liner and summary and marks onboarding completed.
	SaveContext(ctx context.Context, accountID, id, runID string, w Written) (bool, error)
	// MarkContextFailed marks onboarding failed with the run's error code.
	MarkContextFailed(ctx context.Context, accountID, id, runID, code string) (bool, error)
}

// ContextWriter has a language model write the business context. Implementations validate and
// bound what the model returns only loosely; WriteContext's caller applies the product rules.
// Errors: apperr.Unavailable or RateLimited when the provider fails (retryable), anything else
// permanent.
type ContextWriter interface {
	// OneLiner writes one sentence (at most MaxOneLinerLength characters) saying what the
	// business does and for whom.
	OneLiner(ctx context.Context, accountID string, c Context) (Text, error)
	// Summary writes exactly four sentences in the third person and the business's tone: what
	// it does and for whom, its specialisation, the problem it solves, its approach.
	Summary(ctx context.Context, accountID string, c Context) (Text, error)
}
