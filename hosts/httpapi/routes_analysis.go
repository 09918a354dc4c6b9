package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
)

// analysisRoutes registers the analysis, batch and lead routes: every one authenticated except
// the anonymous analysis of the landing page, which is public and limited per client IP.
//
// The routes that create analyses take an Idempotency-Key (keys): a retried submit returns the
// same analysis and debits once. Cancelling a batch is naturally idempotent (a second cancel
// cancels nothing) and takes none.
func analysisRoutes(public, authed *gin.RouterGroup, api *API, keys gin.HandlerFunc) {
	// RATE LIMITS (hosts/httpapi/ratelimit.go): the limiter's named middlewares go here, in front
	// of the handlers — the anonymous analysis 1 per client IP (c.ClientIP()) per UTC day, the
	// submits per user (create 30/h, bulk 10/h). Put each between the path and the handler:
	//   public.POST("/v1/analyses/anonymous", <anonymous limiter>, api.requireAnonymous, ...)
	public.POST("/v1/analyses/anonymous", api.requireAnonymous, api.anonymousAnalysis)

	an := authed.Group("", api.requireAnalyses)
	an.POST("/v1/analyses", keys, api.submitAnalysis)
	an.POST("/v1/analyses/bulk", keys, api.submitBulk)
	get(an, "/v1/analyses", api.listAnalyses)
	get(an, "/v1/analyses/:id", api.getAnalysis)

	get(an, "/v1/batches/:id", api.getBatch)
	an.POST("/v1/batches/:id/cancel", api.cancelBatch)

	get(an, "/v1/leads", api.listLeads)
	get(an, "/v1/leads/:id", api.getLead)
	get(an, "/v1/leads/:id/analyses", api.leadAnalyses)
	an.DELETE("/v1/leads/:id", api.deleteLead)
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
