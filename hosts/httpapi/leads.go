package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/analyze"
)

// listLeads answers GET /v1/leads?business_profile_id=&sort=&search=&cursor=&limit=: one
// business profile's leads (business_profile_id is required; another account's profile is
// 404), sorted by last_analyzed (the default), followers or score, descending; search is a
// case-insensitive substring of the handle.
func (a *API) listLeads(c *gin.Context) {
	limit, err := analysisPageSize(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	page, err := a.analyses.Leads(c.Request.Context(), principal(c), analyze.LeadFilter{
		BusinessProfileID: c.Query("business_profile_id"), Sort: analyze.LeadSort(c.Query("sort")),
		Search: c.Query("search"), Cursor: c.Query("cursor"), Limit: limit,
	})
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toLeadPage(page))
}

// getLead answers GET /v1/leads/{id}: the lead with its latest completed analysis (null when
// none has completed). Another account's lead, a deleted one and a non-UUID id are 404.
func (a *API) getLead(c *gin.Context) {
	l, err := a.analyses.Lead(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toLeadDetailJSON(l))
}

// leadAnalyses answers GET /v1/leads/{id}/analyses?cursor=&limit=: the lead's analyses, newest
// first (404 for a lead that is not the caller's).
func (a *API) leadAnalyses(c *gin.Context) {
	limit, err := analysisPageSize(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	page, err := a.analyses.LeadAnalyses(c.Request.Context(), principal(c), c.Param("id"), c.Query("cursor"), limit)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toAnalysisPage(page))
}

// deleteLead answers DELETE /v1/leads/{id}: 204; the lead leaves reads and listings (a second
// delete is 404) while its analyses stay readable.
func (a *API) deleteLead(c *gin.Context) {
	if err := a.analyses.DeleteLead(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		_ = c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
