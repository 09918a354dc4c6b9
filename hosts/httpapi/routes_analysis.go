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
