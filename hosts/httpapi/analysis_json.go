package httpapi

import (
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/lead"
)

// The paths of the analysis resources; an item is path + "/" + id.
const (
	analysesPath = "/v1/analyses"
	batchesPath  = "/v1/batches"
	leadsPath    = "/v1/leads"
)

// analysisJSON is an analysis on the wire (schema Analysis). Fields that are unknown until the
// run gets there (lead, outcome, score, timestamps) are null rather than empty.
type analysisJSON struct {
	ID                string          `json:"id"`
	RunID             string          `json:"run_id"`
	AccountID         string          `json:"account_id"`
	BusinessProfileID string          `json:"business_profile_id"`
	BatchID           *string         `json:"batch_id"`
	LeadID            *string         `json:"lead_id"`
	Username          string          `json:"username"`
	Type              string          `json:"type"`
	Credits           int64           `json:"credits"`
	Status            string          `json:"status"`
	Outcome           *string         `json:"outcome"`
	Score             *int            `json:"score"`
	Tier              *string         `json:"tier"`
	Summary           string          `json:"summary"`
	Result            *analyze.Result `json:"result"`
	Metrics           *lead.Metrics   `json:"metrics"`
	ErrorCode         *string         `json:"error_code"`
	Progress          int             `json:"progress"`
	Step              string          `json:"step"`
	Refunded          bool            `json:"refunded"`
	CreatedAt         time.Time       `json:"created_at"`
	StartedAt         *time.Time      `json:"started_at"`
	CompletedAt       *time.Time      `json:"completed_at"`
}

// AnalysisBody is an analysis exactly as the API answers it (the contract's Analysis schema),
// for other faces that print one (oslira analyze --json), so scripts parse both alike.
func AnalysisBody(a analyze.Analysis) any { return toAnalysisJSON(a) }

func toAnalysisJSON(a analyze.Analysis) analysisJSON {
	return analysisJSON{
		ID: a.ID, RunID: a.RunID(), AccountID: a.AccountID, BusinessProfileID: a.BusinessProfileID,
		BatchID: stringOrNil(a.BatchID), LeadID: stringOrNil(a.LeadID), Username: a.Username,
		Type: string(a.Type), Credits: a.Credits, Status: string(a.Status), Outcome: stringOrNil(string(a.Outcome)),
		Score: a.Score, Tier: stringOrNil(string(a.Tier)), Summary: a.Summary, Result: a.Result, Metrics: a.Metrics,
		ErrorCode: stringOrNil(a.ErrorCode), Progress: a.Progress, Step: a.Step, Refunded: a.Refunded,
		CreatedAt: a.CreatedAt, StartedAt: timeOrNil(a.StartedAt), CompletedAt: timeOrNil(a.CompletedAt),
	}
}

// analysisLinks are the URLs of an accepted analysis: its state and its live progress.
type analysisLinks struct {
	Self   string `json:"self"`
	Events string `json:"events"`
}

// acceptedJSON is the answer to a submit (schema AnalysisAccepted): enough to follow the
// analysis; the full state is at links.self.
type acceptedJSON struct {
	ID                string        `json:"id"`
	RunID             string        `json:"run_id"`
	BusinessProfileID string        `json:"business_profile_id"`
	Status            string        `json:"status"`
	Username          string        `json:"username"`
	Type              string        `json:"type"`
	Credits           int64         `json:"credits"`
	CreatedAt         time.Time     `json:"created_at"`
	Links             analysisLinks `json:"links"`
}

func toAcceptedJSON(a analyze.Analysis) acceptedJSON {
	self := analysesPath + "/" + a.ID
	return acceptedJSON{
		ID: a.ID, RunID: a.RunID(), BusinessProfileID: a.BusinessProfileID, Status: string(a.Status),
		Username: a.Username, Type: string(a.Type), Credits: a.Credits, CreatedAt: a.CreatedAt,
		Links: analysisLinks{Self: self, Events: self + "/events"},
	}
}

// analysisPageResponse is a page of analyses (schema AnalysisPage).
type analysisPageResponse struct {
	Data       []analysisJSON `json:"data"`
	NextCursor *string        `json:"next_cursor"`
}

func toAnalysisPage(p analyze.Page[analyze.Analysis]) analysisPageResponse {
	out := analysisPageResponse{Data: make([]analysisJSON, 0, len(p.Items)), NextCursor: stringOrNil(p.NextCursor)}
	for _, a := range p.Items {
		out.Data = append(out.Data, toAnalysisJSON(a))
	}
	return out
}

// batchJSON is a bulk submission (schema Batch).
type batchJSON struct {
	ID                string     `json:"id"`
	Type              string     `json:"type"`
	BusinessProfileID string     `json:"business_profile_id"`
	Total             int        `json:"total"`
	CancelledAt       *time.Time `json:"cancelled_at"`
	CreatedAt         time.Time  `json:"created_at"`
}

func toBatchJSON(b analyze.Batch) batchJSON {
	return batchJSON{
		ID: b.ID, Type: string(b.Type), BusinessProfileID: b.BusinessProfileID, Total: b.Total,
		CancelledAt: timeOrNil(b.CancelledAt), CreatedAt: b.CreatedAt,
	}
}

// batchCountsJSON is the number of a batch's items in each status (schema BatchCounts).
type batchCountsJSON struct {
	Pending   int `json:"pending"`
	Running   int `json:"running"`
	Completed int `json:"completed"`
	Failed    int `json:"failed"`
	Cancelled int `json:"cancelled"`
}

// batchViewJSON is a batch with its items' state (schema BatchProgress).
type batchViewJSON struct {
	batchJSON
	Counts  batchCountsJSON `json:"counts"`
	Percent int             `json:"percent"`
	Items   []analysisJSON  `json:"items"`
}

func toBatchViewJSON(b analyze.BatchView) batchViewJSON {
	out := batchViewJSON{
		batchJSON: toBatchJSON(b.Batch),
		Counts: batchCountsJSON{
			Pending: b.Counts[analysis.Pending], Running: b.Counts[analysis.Running], Completed: b.Counts[analysis.Completed],
			Failed: b.Counts[analysis.Failed], Cancelled: b.Counts[analysis.Cancelled],
		},
		Percent: b.Percent,
		Items:   make([]analysisJSON, 0, len(b.Items)),
	}
	for _, a := range b.Items {
		out.Items = append(out.Items, toAnalysisJSON(a))
	}
	return out
}

// bulkLinks are the URLs of an accepted batch.
type bulkLinks struct {
	Self string `json:"self"`
}

// bulkAcceptedJSON is the answer to a bulk submit (schema BulkAccepted).
type bulkAcceptedJSON struct {
	Batch    batchJSON      `json:"batch"`
	Analyses []acceptedJSON `json:"analyses"`
	Links    bulkLinks      `json:"links"`
}

// cancelBatchJSON is the answer to a batch cancel (schema BatchCancelled).
type cancelBatchJSON struct {
	Cancelled int           `json:"cancelled"`
	Batch     batchViewJSON `json:"batch"`
}

// leadJSON is a lead on the wire (schema Lead).
type leadJSON struct {
	ID                string     `json:"id"`
	AccountID         string     `json:"account_id"`
	BusinessProfileID string     `json:"business_profile_id"`
	Username          string     `json:"username"`
	DisplayName       string     `json:"display_name"`
	Biography         string     `json:"biography"`
	FollowersCount    int64      `json:"followers_count"`
	FollowingCount    int64      `json:"following_count"`
	PostsCount        int64      `json:"posts_count"`
	Verified          bool       `json:"verified"`
	Private           bool       `json:"private"`
	BusinessAccount   bool       `json:"business_account"`
	BusinessCategory  string     `json:"business_category"`
	ExternalURL       string     `json:"external_url"`
	ProfilePicURL     string     `json:"profile_pic_url"`
	LastAnalysisID    *string    `json:"last_analysis_id"`
	LastScore         *int       `json:"last_score"`
	LastTier          *string    `json:"last_tier"`
	AnalysesCount     int        `json:"analyses_count"`
	FirstAnalyzedAt   *time.Time `json:"first_analyzed_at"`
	LastAnalyzedAt    *time.Time `json:"last_analyzed_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func toLeadJSON(l analyze.Lead) leadJSON {
	return leadJSON{
		ID: l.ID, AccountID: l.AccountID, BusinessProfileID: l.BusinessProfileID, Username: l.Username,
		DisplayName: l.DisplayName, Biography: l.Biography, FollowersCount: l.FollowersCount,
		FollowingCount: l.FollowingCount, PostsCount: l.PostsCount, Verified: l.Verified, Private: l.Private,
		BusinessAccount: l.BusinessAccount, BusinessCategory: l.BusinessCategory, ExternalURL: l.ExternalURL,
		ProfilePicURL: l.ProfilePicURL, LastAnalysisID: stringOrNil(l.LastAnalysisID), LastScore: l.LastScore,
		LastTier: stringOrNil(string(l.LastTier)), AnalysesCount: l.AnalysesCount,
		FirstAnalyzedAt: timeOrNil(l.FirstAnalyzedAt), LastAnalyzedAt: timeOrNil(l.LastAnalyzedAt),
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
	}
}

// leadDetailJSON is one lead with its latest completed analysis (schema LeadDetail); null
// when none has completed.
type leadDetailJSON struct {
	leadJSON
	LatestAnalysis *analysisJSON `json:"latest_analysis"`
}

func toLeadDetailJSON(l analyze.Lead) leadDetailJSON {
	out := leadDetailJSON{leadJSON: toLeadJSON(l)}
	if l.Latest != nil {
		a := toAnalysisJSON(*l.Latest)
		out.LatestAnalysis = &a
	}
	return out
}

// leadPageResponse is a page of leads (schema LeadPage).
type leadPageResponse struct {
	Data       []leadJSON `json:"data"`
	NextCursor *string    `json:"next_cursor"`
}

func toLeadPage(p analyze.Page[analyze.Lead]) leadPageResponse {
	out := leadPageResponse{Data: make([]leadJSON, 0, len(p.Items)), NextCursor: stringOrNil(p.NextCursor)}
	for _, l := range p.Items {
		out.Data = append(out.Data, toLeadJSON(l))
	}
	return out
}
