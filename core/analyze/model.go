package analyze

import (
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/lead"
)

// runPrefix prefixes analysis run ids and ledger references: "analysis:<id>".
const runPrefix = "analysis:"

// RunID is the workflow run id of analysis id, also the reference of its debit and of its
// refund in the credit ledger (the ledger is idempotent per account, kind and reference, so an
// analysis is debited once and refunded at most once).
func RunID(id string) string { return runPrefix + id }

// Analysis is one analysis as stored.
type Analysis struct {
	ID                string
	AccountID         string
	BusinessProfileID string
	BatchID           string // "" for a single analysis
	LeadID            string // "" until the lead is saved (never, for a profile not found)
	Username          string
	Type              analysis.Type
	Credits           int64
	Status            analysis.Status
	Outcome           analysis.Outcome // "" until finished
	// Score and Tier are set for a scored analysis only.
	Score     *int
	Tier      analysis.Tier
	Summary   string
	Result    *Result
	Metrics   *lead.Metrics // deep and xray only
	ErrorCode string        // failed only
	Progress  int           // 0–100, the latest progress event's
	Step      string        // the latest progress event's step ("queued" before the first)
	Refunded  bool
	CreatedAt time.Time
	// StartedAt and CompletedAt are zero until the run starts / finishes.
	StartedAt   time.Time
	CompletedAt time.Time
}

// RunID is the analysis's workflow run id.
func (a Analysis) RunID() string { return RunID(a.ID) }

// Batch is one bulk submission.
type Batch struct {
	ID                string
	AccountID         string
	BusinessProfileID string
	Type              analysis.Type
	Total             int
	CreatedAt         time.Time
	CancelledAt       time.Time // zero unless cancelled
}

// BatchView is a batch with its items' state.
type BatchView struct {
	Batch
	// Counts holds the number of items per status (every status present, zero included).
	Counts map[analysis.Status]int
	// Percent is the overall progress: the mean of the items' progress, finished items counting
	// 100.
	Percent int
	Items   []Analysis
}

// Lead is an analysed Instagram profile of one business profile.
type Lead struct {
	ID                string
	AccountID         string
	BusinessProfileID string
	Username          string
	DisplayName       string
	Biography         string
	FollowersCount    int64
	FollowingCount    int64
	PostsCount        int64
	Verified          bool
	Private           bool
	BusinessAccount   bool
	BusinessCategory  string
	ExternalURL       string
	ProfilePicURL     string
	LastAnalysisID    string
	LastScore         *int
	LastTier          analysis.Tier
	AnalysesCount     int
	FirstAnalyzedAt   time.Time
	LastAnalyzedAt    time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// Latest is the latest completed analysis (Lead reads fill it; listings do not).
	Latest *Analysis
}
