package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/ratelimit"
)

// analysisRoutes registers the analysis, batch and lead routes: every one authenticated except
// the anonymous analysis of the landing page, which is public and limited per client IP.
//
// The routes that create analyses take an Idempotency-Key (keys): a retried submit returns the
// same analysis and debits once. Cancelling a batch is naturally idempotent (a second cancel
// cancels nothing) and takes none.
func analysisRoutes(public, authed *gin.RouterGroup, api *API, keys gin.HandlerFunc) {
	// Rate limits (ratelimit.go, numbers in core/ratelimit): the anonymous analysis per client
	// IP (a short burst limit, then one per UTC day; the burst limit first, so refused bursts
	// spend no quota), the submits per user on top of the group's General budget, before the
	// Idempotency-Key mechanism so a flood of retries is limited too.
	public.POST("/v1/analyses/anonymous", api.requireAnonymous,
		api.limit(ratelimit.Anonymous, ratelimit.AnonymousDaily), api.anonymousAnalysis)

	an := authed.Group("", api.requireAnalyses)
	an.POST("/v1/analyses", api.limit(ratelimit.AnalysisCreate), keys, api.submitAnalysis)
	an.POST("/v1/analyses/bulk", api.limit(ratelimit.AnalysisBulk), keys, api.submitBulk)
	get(an, "/v1/analyses", api.listAnalyses)
	get(an, "/v1/analyses/active", api.activeAnalyses) // a static segment: gin prefers it to :id
	get(an, "/v1/analyses/:id", api.getAnalysis)
	get(an, "/v1/analyses/:id/events", api.requireLive, api.analysisEvents) // Server-Sent Events

	get(an, "/v1/batches/:id", api.getBatch)
	get(an, "/v1/batches/:id/events", api.requireLive, api.batchEvents) // Server-Sent Events
	an.POST("/v1/batches/:id/cancel", api.cancelBatch)

	eventRoutes(public, authed, api)

	get(an, "/v1/leads", api.listLeads)
	get(an, "/v1/leads/:id", api.getLead)
	get(an, "/v1/leads/:id/analyses", api.leadAnalyses)
	an.DELETE("/v1/leads/:id", api.deleteLead)
}

// eventRoutes registers the live progress routes (events_ws.go). The WebSocket is on the
// public group, outside the bearer group — a browser cannot set Authorization on it — but is
// never public in effect: authenticateSocket admits it only with a ticket or an access token
// (see there), and without either answers the bearer group's 401, which TestDefaultDeny checks
// like any other route's (the contract does not mark it public). The ticket route is an
// ordinary authenticated route. Both spend the General budget.
func eventRoutes(public, authed *gin.RouterGroup, api *API) {
	authed.POST("/v1/events/ticket", api.requireLive, api.issueTicket)
	get(public, "/v1/events", api.authenticateSocket, api.limit(ratelimit.General), api.requireLive, api.eventsSocket)
}

// errAnalysesOff answers the analysis routes of an API built without the analysis services.
var errAnalysesOff = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "Analyses are not available on this server.")

// requireAnalyses stops the request with 503 when the API has no analysis use cases.
func (a *API) requireAnalyses(c *gin.Context) {
	if a.analyses == nil {
		_ = c.Error(errAnalysesOff)
		c.Abort()
	}
}

// requireAnonymous stops the request with 503 when the API has no anonymous analysis.
func (a *API) requireAnonymous(c *gin.Context) {
	if a.anonymous == nil {
		_ = c.Error(errAnalysesOff)
		c.Abort()
	}
}
