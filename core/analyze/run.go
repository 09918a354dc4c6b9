package analyze

// The analysis workflow.
const (
	// Workflow is the definition name; a change to its steps is "analysis.v2".
	Workflow = "analysis.v1"
	// Queue is the queue every analysis run waits on: single and bulk alike, partitioned by
	// account (workflow.WithPartition) so that the engine's per-account cap keeps one account's
	// batch from starving the others, under a global cap sized for the scraping provider
	// (Apify allows about 10 concurrent runs).
	Queue = "analyses"
)

// runInput is a run's input: which analysis (everything else is read from the store, so a
// retried start cannot disagree with the row).
type runInput struct {
	AnalysisID string `json:"analysis_id"`
	AccountID  string `json:"account_id"`
}
