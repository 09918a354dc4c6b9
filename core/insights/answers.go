package insights

import "math"

// CostConcentration is the cost answer. Accounts holds at most MaxCostRows accounts, most
// expensive first; the totals cover every account with cost in the window.
type CostConcentration struct {
	Answer
	TotalCostMicros int64
	AccountCount    int // accounts with AI cost in the window
	Top80Count      int // accounts that make up 80 % of the cost (InTop80), over all of them
	Accounts        []AccountShare
}

// AccountShare is one account's AI cost, its share of the total and the cumulative share of the
// accounts ranked up to and including it.
type AccountShare struct {
	AccountID       string
	CostMicros      int64
	Share           float64
	CumulativeShare float64
	InTop80         bool
}

// InTop80 reports whether an account whose predecessors' cost adds up to before (micro-dollars)
// belongs to the smallest set of top accounts reaching 80 % of total: it does while the accounts
// before it have not reached 80 %. With costs 50/30/20 the first two are in (they make exactly
// 80 %), the third is not. Integer arithmetic: a float share of 0.8 may be 0.7999….
func InTop80(before, total int64) bool {
	return total > 0 && before*100 < total*80
}

func concentration(a Answer, rows CostRows) CostConcentration {
	out := CostConcentration{Answer: a, TotalCostMicros: rows.TotalCost, AccountCount: rows.Count, Top80Count: rows.Accounts80,
		Accounts: make([]AccountShare, 0, len(rows.Accounts))}
	for _, r := range rows.Accounts {
		out.Accounts = append(out.Accounts, AccountShare{AccountID: r.AccountID, CostMicros: r.CostMicros,
			Share: ratio(r.CostMicros, rows.TotalCost), CumulativeShare: ratio(r.CumMicros, rows.TotalCost),
			InTop80: InTop80(r.CumMicros-r.CostMicros, rows.TotalCost)})
	}
	return out
}

// Latency is the latency answer: one row per route template and method, busiest first.
type Latency struct {
	Answer
	Routes []RouteLatency
}

// RouteLatency is a route's request count, latency percentiles in milliseconds, and the shares
// of its responses that were server errors (5xx: ErrorRate) and client errors (4xx).
type RouteLatency struct {
	Method, Route   string
	Count           int64
	P50, P95, P99   float64
	ErrorRate       float64
	ClientErrorRate float64
}

func latency(a Answer, rows []RouteLatencyRow) Latency {
	out := Latency{Answer: a, Routes: make([]RouteLatency, 0, len(rows))}
	for _, r := range rows {
		out.Routes = append(out.Routes, RouteLatency{Method: r.Method, Route: r.Route, Count: r.Count,
			P50: ms(r.P50), P95: ms(r.P95), P99: ms(r.P99),
			ErrorRate: ratio(r.ServErrors, r.Count), ClientErrorRate: ratio(r.ClientErrors, r.Count)})
	}
	return out
}

// ms turns interpolated microseconds into milliseconds, rounded to the microsecond (the unit
// measured), so 95499.99999 µs of float noise reads 95.5 ms.
func ms(us float64) float64 { return math.Round(us) / 1000 }

// Workflows is the workflow answer: per definition, runs started in the window and how the
// finished ones ended; and the analyses that failed in the window by type, step and code.
type Workflows struct {
	Answer
	Definitions []DefinitionStats
	Failures    []AnalysisFailure
}

// DefinitionStats is one workflow definition's runs. SuccessRate is Succeeded over the finished
// runs (Succeeded+Failed+Cancelled): runs still pending have no outcome yet; 0 when none finished.
type DefinitionStats struct {
	Name                                           string
	Started, Succeeded, Failed, Cancelled, Pending int64
	SuccessRate                                    float64
}

func workflows(a Answer, rows WorkflowRows) Workflows {
	out := Workflows{Answer: a, Definitions: make([]DefinitionStats, 0, len(rows.Definitions)),
		Failures: append([]AnalysisFailure{}, rows.Failures...)}
	for _, d := range rows.Definitions {
		out.Definitions = append(out.Definitions, DefinitionStats{Name: d.Name, Started: d.Started, Succeeded: d.Succeeded,
			Failed: d.Failed, Cancelled: d.Cancelled, Pending: d.Pending,
			SuccessRate: ratio(d.Succeeded, d.Succeeded+d.Failed+d.Cancelled)})
	}
	return out
}

// AICache is the cache answer over the successful model calls of the window: HitRate is
// Hits/Calls; SpentMicros what the calls cost (UnknownCost of them had no price), SavedMicros
// what the cache hits would have cost.
type AICache struct {
	Answer
	Calls, Hits              int64
	HitRate                  float64
	SpentMicros, SavedMicros int64
	UnknownCost              int64
}
