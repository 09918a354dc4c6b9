package analyze

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/analyzemock/ports_mock.go -package=analyzemock

import (
	"context"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
)

// Submission is one analysis to create (already validated by the Service).
type Submission struct {
	AccountID         string
	BusinessProfileID string
	Username          string // a normalised handle (lead.ParseHandle)
	Type              analysis.Type
	Credits           int64 // the type's cost
	RequestedBy       string
}

// BatchSubmission is a bulk submission: one analysis per handle, all or nothing.
type BatchSubmission struct {
	AccountID         string
	BusinessProfileID string
	Usernames         []string // normalised, distinct
	Type              analysis.Type
	Credits           int64 // per handle
	RequestedBy       string
}

// StartFunc starts the workflow run of a, created inside the caller's transaction: ctx carries
// it (workflow.WithTx), so the run exists only if everything commits.
type StartFunc func(ctx context.Context, a Analysis) error

// Submitter creates analyses (the admin scope; adapters/postgres).
type Submitter interface {
	// Submit runs one transaction: the business profile must be the account's and live
	// (business.ErrNotFound); the analysis row is inserted pending; s.Credits are debited with
	// reference RunID(id) (credit.ErrInsufficient when the balance is short); start is called.
	// An analysis of the same account, profile and handle already in flight makes it fail with
	// a *DuplicateError naming that analysis. Nothing is kept when any part fails.
	Submit(ctx context.Context, s Submission, start StartFunc) (Analysis, error)
	// SubmitBatch is Submit for every handle of b in one transaction, with a batch row: either
	// every analysis is created and debited and started, or none is. Handles already in flight
	// make it fail with a *DuplicateError listing every one of them.
	SubmitBatch(ctx context.Context, b BatchSubmission, start StartFunc) (Batch, []Analysis, error)
	// BulkLimit is the most handles one bulk request of the account may carry: its active
	// plan's limit, else the free plan's.
	BulkLimit(ctx context.Context, accountID string) (int, error)
}

// Finish is what a finished run stores.
type Finish struct {
	ID      string
	Outcome analysis.Outcome
	// Score is required for analysis.Scored and ignored otherwise.
	Score     *int
	Summary   string
	Result    *Result
	Metrics   *lead.Metrics
	ErrorCode string // failed outcomes
	// Profile, when set, is upserted as the analysis's lead (scored, private, icp_mismatch).
	Profile *lead.ProfileSnapshot
	// Operations is the run's operations-ledger row (costs and durations).
	Operations *Operations
}

// Operations is what one analysis cost and where its time went.
type Operations struct {
	AICostMicros     int64            `json:"ai_cost_micros"`
	ScrapeCostMicros int64            `json:"scrape_cost_micros"`
	ScrapeProvider   string           `json:"scrape_provider,omitempty"`
	ScrapeCached     bool             `json:"scrape_cached"`
	Calls            []CallCost       `json:"calls,omitempty"`
	Durations        map[string]int64 `json:"durations_ms"` // per step, milliseconds
	Total            time.Duration    `json:"-"`
	// Derived when the run finishes (see CostAlert, SLABucket): the whole run in milliseconds,
	// the slowest step and its duration, the cost alert level and the SLA bucket.
	TotalMS     int64  `json:"total_ms"`
	SlowestStep string `json:"slowest_step,omitempty"`
	SlowestMS   int64  `json:"slowest_ms,omitempty"`
	CostAlert   string `json:"cost_alert"`
	SLA         string `json:"sla"`
}

// CallCost is one AI call of an analysis.
type CallCost struct {
	Purpose    string `json:"purpose"`
	Provider   string `json:"provider"`
	Model      string `json:"model"`
	CostMicros int64  `json:"cost_micros"`
	CacheHit   bool   `json:"cache_hit"`
	TokensIn   int64  `json:"tokens_in"`
	TokensOut  int64  `json:"tokens_out"`
}

// RunStore is what the analysis workflow reads and writes (the admin scope; every call is
// keyed by the analysis id the run was started for).
type RunStore interface {
	// Load returns the analysis (ErrNotFound when it does not exist).
	Load(ctx context.Context, id string) (Analysis, error)
	// BusinessProfile returns the account's live business profile (business.ErrNotFound).
	BusinessProfile(ctx context.Context, accountID, profileID string) (business.Profile, error)
	// MarkRunning moves a pending analysis to running and returns it with true; for one that is
	// not pending (cancelled, or already running after a crash) it returns it with true when it
	// is running and false otherwise (the run must stop without touching it).
	MarkRunning(ctx context.Context, id string) (Analysis, bool, error)
	// Finish records a running (or, for Errored/Expired/Cancelled, pending) analysis's outcome
	// in one transaction: status and outcome (analysis.Finish rules), result, the lead upsert,
	// the operations row, and, when the outcome is refunded, the refund of its credits with
	// reference RunID(id). It returns false, changing nothing, when the analysis had already
	// finished (a repeated step); the ledger makes a second refund impossible anyway.
	Finish(ctx context.Context, f Finish) (bool, error)
	// CancelPending cancels the batch's items that are still pending and refunds each: one
	// transaction; it returns the cancelled items. Items already running are left alone.
	CancelPending(ctx context.Context, accountID, batchID string) ([]Analysis, error)
	// Stale returns up to limit analyses of the given status created before the cutoff, oldest
	// first (the reaper).
	Stale(ctx context.Context, status analysis.Status, before time.Time, limit int) ([]Analysis, error)
}

// Page is one page of a listing; NextCursor is "" on the last page.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// AnalysisFilter selects analyses of the principal's account. Zero fields do not filter.
type AnalysisFilter struct {
	Status            analysis.Status
	Type              analysis.Type
	BusinessProfileID string
	LeadID            string
	Cursor            string
	Limit             int // 1..MaxPageSize
}

// LeadSort orders a lead listing; every order is descending with the id as tie-break.
type LeadSort string

// The lead orders.
const (
	SortLastAnalyzed LeadSort = "last_analyzed"
	SortFollowers    LeadSort = "followers"
	SortScore        LeadSort = "score"
)

// LeadFilter selects leads of one business profile.
type LeadFilter struct {
	BusinessProfileID string
	Sort              LeadSort
	// Search is a case-insensitive substring of the handle.
	Search string
	Cursor string
	Limit  int
}

// Reader reads through the user scope: row-level security limits every read to the principal's
// accounts, and the queries filter by the principal's account too. Another account's row is
// ErrNotFound, never Forbidden. A malformed or foreign cursor is ErrInvalidCursor.
type Reader interface {
	Get(ctx context.Context, p tenant.Principal, id string) (Analysis, error)
	List(ctx context.Context, p tenant.Principal, f AnalysisFilter) (Page[Analysis], error)
	Batch(ctx context.Context, p tenant.Principal, id string) (BatchView, error)
	// Leads fails with business.ErrNotFound when the profile is not the account's (or deleted).
	Leads(ctx context.Context, p tenant.Principal, f LeadFilter) (Page[Lead], error)
	// Lead returns the lead with Latest filled.
	Lead(ctx context.Context, p tenant.Principal, id string) (Lead, error)
	// DeleteLead soft-deletes the lead (ErrNotFound when absent or already deleted).
	DeleteLead(ctx context.Context, p tenant.Principal, id string) error
	// Active returns up to limit (at most MaxActive) analyses of the account that are pending or
	// running, newest first, with their latest progress.
	Active(ctx context.Context, p tenant.Principal, limit int) ([]Analysis, error)
}

// EventType is a progress event's type.
type EventType string

// The event types.
const (
	EventProgress EventType = "progress"
	EventComplete EventType = "complete"
	EventFailed   EventType = "failed"
)

// Event is one progress event of an analysis, with absolute values (step k of n, percent), so a
// step re-run after a crash publishes a harmless duplicate.
type Event struct {
	AccountID  string
	AnalysisID string
	Type       EventType
	Step       string
	StepIndex  int
	StepTotal  int
	Percent    int
	Message    string
}

// Events publishes progress (adapters/postgres: a row in analysis_events, announced with
// pg_notify, and the analysis's progress and step columns). Errors are informational: a lost
// progress event never fails an analysis.
type Events interface {
	Publish(ctx context.Context, e Event) error
}
