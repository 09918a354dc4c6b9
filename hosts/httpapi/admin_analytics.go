package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/insights"
)

// The operator analytics routes (GET /v1/admin/analytics/*, under the admin group: operators
// only). Each takes ?window= ("30d", "7d", "24h"; 1h..400d; a default per route) and answers one
// core/insights use case; a bad window is 400 analytics.window-invalid. Money is in
// micro-dollars, latencies in milliseconds, rates and shares are fractions 0..1.

var errInsightsOff = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "Analytics are not available on this server.")

// WithInsights sets the operator analytics use cases and returns a; nil makes their routes
// answer 503 service.unavailable.
func (a *API) WithInsights(s *insights.Service) *API {
	a.insights = s
	return a
}

// analyticsWindow parses the request's ?window=, or answers 400 and returns false.
func analyticsWindow(c *gin.Context, def insights.Window) (insights.Window, bool) {
	w, err := insights.ParseWindow(c.Query("window"), def)
	if err != nil {
		_ = c.Error(err)
		return insights.Window{}, false
	}
	return w, true
}

// analytics is the shape of every analytics handler: parse the window, call, write JSON.
func analytics[T any](def insights.Window, call func(*API, *gin.Context, insights.Window) (T, error), body func(T) any) func(*API) gin.HandlerFunc {
	return func(a *API) gin.HandlerFunc {
		return func(c *gin.Context) {
			if a.insights == nil {
				_ = c.Error(errInsightsOff)
				return
			}
			w, ok := analyticsWindow(c, def)
			if !ok {
				return
			}
			res, err := call(a, c, w)
			if err != nil {
				_ = c.Error(err)
				return
			}
			c.JSON(http.StatusOK, body(res))
		}
	}
}

var (
	analyticsCost = analytics(insights.DefaultCostWindow, func(a *API, c *gin.Context, w insights.Window) (insights.CostConcentration, error) {
		return a.insights.CostConcentration(c.Request.Context(), principal(c), w)
	}, CostConcentrationBody)
	analyticsLatency = analytics(insights.DefaultLatencyWindow, func(a *API, c *gin.Context, w insights.Window) (insights.Latency, error) {
		return a.insights.Latency(c.Request.Context(), principal(c), w)
	}, LatencyBody)
	analyticsWorkflows = analytics(insights.DefaultWorkflowWindow, func(a *API, c *gin.Context, w insights.Window) (insights.Workflows, error) {
		return a.insights.Workflows(c.Request.Context(), principal(c), w)
	}, WorkflowsBody)
	analyticsAICache = analytics(insights.DefaultAICacheWindow, func(a *API, c *gin.Context, w insights.Window) (insights.AICache, error) {
		return a.insights.AICache(c.Request.Context(), principal(c), w)
	}, AICacheBody)
)

// analyticsRoutes registers the four answers on the admin group.
func analyticsRoutes(admin *gin.RouterGroup, api *API) {
	get(admin, "/analytics/cost-concentration", analyticsCost(api))
	get(admin, "/analytics/latency", analyticsLatency(api))
	get(admin, "/analytics/workflows", analyticsWorkflows(api))
	get(admin, "/analytics/ai-cache", analyticsAICache(api))
}

// windowJSON starts every answer (schema AnalyticsWindow).
type windowJSON struct {
	Window string    `json:"window"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
}

func toWindowJSON(a insights.Answer) windowJSON {
	return windowJSON{Window: a.Window, From: a.From, To: a.To}
}

type costConcentrationJSON struct {
	windowJSON
	TotalCostMicros int64              `json:"total_cost_micros"`
	Accounts        int                `json:"accounts"`
	Top80Accounts   int                `json:"top_80_accounts"`
	Data            []accountShareJSON `json:"data"`
}

type accountShareJSON struct {
	AccountID       string  `json:"account_id"`
	CostMicros      int64   `json:"cost_micros"`
	Share           float64 `json:"share"`
	CumulativeShare float64 `json:"cumulative_share"`
	InTop80         bool    `json:"in_top_80"`
}

// CostConcentrationBody is the cost answer exactly as the API writes it (schema
// CostConcentration), for `oslira stats --json`.
func CostConcentrationBody(r insights.CostConcentration) any {
	out := costConcentrationJSON{windowJSON: toWindowJSON(r.Answer), TotalCostMicros: r.TotalCostMicros, Accounts: r.AccountCount,
		Top80Accounts: r.Top80Count, Data: make([]accountShareJSON, 0, len(r.Accounts))}
	for _, s := range r.Accounts {
		out.Data = append(out.Data, accountShareJSON{AccountID: s.AccountID, CostMicros: s.CostMicros, Share: s.Share,
			CumulativeShare: s.CumulativeShare, InTop80: s.InTop80})
	}
	return out
}

type latencyJSON struct {
	windowJSON
	Data []routeLatencyJSON `json:"data"`
}

type routeLatencyJSON struct {
	Method          string  `json:"method"`
	Route           string  `json:"route"`
	Count           int64   `json:"count"`
	P50             float64 `json:"p50_ms"`
	P95             float64 `json:"p95_ms"`
	P99             float64 `json:"p99_ms"`
	ErrorRate       float64 `json:"error_rate"`
	ClientErrorRate float64 `json:"client_error_rate"`
}

// LatencyBody is the latency answer as the API writes it (schema RouteLatencies).
func LatencyBody(r insights.Latency) any {
	out := latencyJSON{windowJSON: toWindowJSON(r.Answer), Data: make([]routeLatencyJSON, 0, len(r.Routes))}
	for _, l := range r.Routes {
		out.Data = append(out.Data, routeLatencyJSON{Method: l.Method, Route: l.Route, Count: l.Count, P50: l.P50, P95: l.P95,
			P99: l.P99, ErrorRate: l.ErrorRate, ClientErrorRate: l.ClientErrorRate})
	}
	return out
}

type workflowsJSON struct {
	windowJSON
	Definitions      []definitionJSON      `json:"definitions"`
	AnalysisFailures []analysisFailureJSON `json:"analysis_failures"`
}

type definitionJSON struct {
	Name        string  `json:"name"`
	Started     int64   `json:"started"`
	Succeeded   int64   `json:"succeeded"`
	Failed      int64   `json:"failed"`
	Cancelled   int64   `json:"cancelled"`
	Pending     int64   `json:"pending"`
	SuccessRate float64 `json:"success_rate"`
}

type analysisFailureJSON struct {
	Type      string `json:"type"`
	Step      string `json:"step"`
	Outcome   string `json:"outcome"`
	ErrorCode string `json:"error_code"`
	Count     int64  `json:"count"`
}

// WorkflowsBody is the workflow answer as the API writes it (schema WorkflowStats).
func WorkflowsBody(r insights.Workflows) any {
	out := workflowsJSON{windowJSON: toWindowJSON(r.Answer), Definitions: make([]definitionJSON, 0, len(r.Definitions)),
		AnalysisFailures: make([]analysisFailureJSON, 0, len(r.Failures))}
	for _, d := range r.Definitions {
		out.Definitions = append(out.Definitions, definitionJSON{Name: d.Name, Started: d.Started, Succeeded: d.Succeeded,
			Failed: d.Failed, Cancelled: d.Cancelled, Pending: d.Pending, SuccessRate: d.SuccessRate})
	}
	for _, f := range r.Failures {
		out.AnalysisFailures = append(out.AnalysisFailures, analysisFailureJSON{Type: f.Type, Step: f.Step, Outcome: f.Outcome,
			ErrorCode: f.ErrorCode, Count: f.Count})
	}
	return out
}

type aiCacheJSON struct {
	windowJSON
	Calls            int64   `json:"calls"`
	CacheHits        int64   `json:"cache_hits"`
	HitRate          float64 `json:"hit_rate"`
	SpentMicros      int64   `json:"spent_micros"`
	SavedMicros      int64   `json:"saved_micros"`
	UnknownCostCalls int64   `json:"unknown_cost_calls"`
}

// AICacheBody is the cache answer as the API writes it (schema AICacheStats).
func AICacheBody(r insights.AICache) any {
	return aiCacheJSON{windowJSON: toWindowJSON(r.Answer), Calls: r.Calls, CacheHits: r.Hits, HitRate: r.HitRate,
		SpentMicros: r.SpentMicros, SavedMicros: r.SavedMicros, UnknownCostCalls: r.UnknownCost}
}
