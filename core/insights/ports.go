package insights

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/insightsmock/ports_mock.go -package=insightsmock

import "context"

// Store reads the recorded facts of a time range across every account (the operators' view:
// no row-level security). Each method is one query; errors are apperr errors (Unavailable when
// the database cannot be reached).
type Store interface {
	// AICostByAccount returns the accounts with AI cost in r (ai_usage rows with an account;
	// system work and anonymous analyses are not any account's), ordered by cost descending
	// then account id, at most limit of them, with the totals over all of them.
	AICostByAccount(ctx context.Context, r Range, limit int) (CostRows, error)
	// RouteLatency returns per route template and method the request count, the 50th, 95th and
	// 99th latency percentiles (continuous, in microseconds) and the 4xx and 5xx counts of the
	// analytics events in r, busiest routes first.
	RouteLatency(ctx context.Context, r Range) ([]RouteLatencyRow, error)
	// WorkflowRuns returns per workflow definition the runs created in r by status, and the
	// analyses that failed in r grouped by type, step and error code, most frequent first.
	WorkflowRuns(ctx context.Context, r Range) (WorkflowRows, error)
	// AICache returns the successful model calls in r: count, cache hits, cost, savings.
	AICache(ctx context.Context, r Range) (AICacheRow, error)
}

// CostRows is what AICostByAccount reads.
type CostRows struct {
	Accounts   []AccountCost
	TotalCost  int64 // micro-dollars over every account, not only the rows returned
	Accounts80 int   // how many accounts (of all, not only those returned) make the 80 % cut
	Count      int   // accounts with cost in the range
}

// AccountCost is one account's AI cost and the cost of every account ranked before it plus its own.
type AccountCost struct {
	AccountID  string
	CostMicros int64
	CumMicros  int64
}

// RouteLatencyRow is the latency of one route and method, in microseconds.
type RouteLatencyRow struct {
	Method, Route            string
	Count                    int64
	P50, P95, P99            float64
	ClientErrors, ServErrors int64
}

// WorkflowRows is what WorkflowRuns reads.
type WorkflowRows struct {
	Definitions []DefinitionRuns
	Failures    []AnalysisFailure
}

// DefinitionRuns counts a definition's runs by outcome (Pending: enqueued or still running).
type DefinitionRuns struct {
	Name                                  string
	Started, Succeeded, Failed, Cancelled int64
	Pending                               int64
}

// AnalysisFailure is how many failed analyses of a type stopped at a step with an outcome
// (provider_failed, expired, error) and error code ("" when the outcome carries none).
type AnalysisFailure struct {
	Type, Step, Outcome, ErrorCode string
	Count                          int64
}

// AICacheRow is the successful model calls of a range.
type AICacheRow struct {
	Calls, Hits              int64
	SpentMicros, SavedMicros int64
	UnknownCost              int64
}
