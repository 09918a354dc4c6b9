package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// activeAnalyses answers GET /v1/analyses/active: the caller's analyses in flight (pending or
// running, newest first, at most analyze.MaxActive) with their latest percent and step — what a
// page that just loaded shows before its live stream (GET /v1/events) takes over.
func (a *API) activeAnalyses(c *gin.Context) {
	items, err := a.analyses.Active(c.Request.Context(), principal(c))
	if err != nil {
		_ = c.Error(err)
		return
	}
	out := activeJSON{Data: make([]analysisJSON, 0, len(items))}
	for _, an := range items {
		out.Data = append(out.Data, toAnalysisJSON(an))
	}
	c.JSON(http.StatusOK, out)
}
