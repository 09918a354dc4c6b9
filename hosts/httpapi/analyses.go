package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
)

// submitRequest is the body of POST /v1/analyses (schema AnalysisRequest).
type submitRequest struct {
	Username          string `json:"username"`
	BusinessProfileID string `json:"business_profile_id"`
	Type              string `json:"type"`
}

// bulkRequest is the body of POST /v1/analyses/bulk (schema BulkAnalysisRequest).
type bulkRequest struct {
	Usernames         []string `json:"usernames"`
	BusinessProfileID string   `json:"business_profile_id"`
	Type              string   `json:"type"`
}

// submitAnalysis answers POST /v1/analyses: 202 with the accepted analysis and its Location,
// its credits debited and its run enqueued. 402 credits.insufficient, 404 for a business
// profile that is not the caller's, 409 analysis.duplicate naming the analysis in flight. An
// optional Idempotency-Key (the keys middleware) replays the first answer: one analysis, one
// debit.
func (a *API) submitAnalysis(c *gin.Context) {
	var in submitRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	an, err := a.analyses.Submit(c.Request.Context(), principal(c), analyze.SubmitInput{
		Username: in.Username, BusinessProfileID: in.BusinessProfileID, Type: in.Type,
	})
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.Set(analyticsTypeKey, string(an.Type))
	c.Set(analyticsCreditsKey, an.Credits)
	c.Header("Location", analysesPath+"/"+an.ID)
	c.JSON(http.StatusAccepted, toAcceptedJSON(an))
}

// submitBulk answers POST /v1/analyses/bulk: 202 with the batch and one accepted analysis per
// handle (Location: the batch), all debited and enqueued, or nothing at all. 400
// analysis.duplicate-usernames / lead.username-invalid name each offending usernames[i];
// 400 analysis.bulk-limit past the plan's limit.
func (a *API) submitBulk(c *gin.Context) {
	var in bulkRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	b, items, err := a.analyses.SubmitBulk(c.Request.Context(), principal(c), analyze.BulkInput{
		Usernames: in.Usernames, BusinessProfileID: in.BusinessProfileID, Type: in.Type,
	})
	if err != nil {
		_ = c.Error(err)
		return
	}
	out := bulkAcceptedJSON{
		Batch:    toBatchJSON(b),
		Analyses: make([]acceptedJSON, 0, len(items)),
		Links:    bulkLinks{Self: batchesPath + "/" + b.ID},
	}
	var credits int64
	for _, an := range items {
		out.Analyses = append(out.Analyses, toAcceptedJSON(an))
		credits += an.Credits
	}
	c.Set(analyticsTypeKey, string(b.Type))
	c.Set(analyticsCreditsKey, credits)
	c.Header("Location", out.Links.Self)
	c.JSON(http.StatusAccepted, out)
}

// getAnalysis answers GET /v1/analyses/{id}. Another account's analysis and an id that is not a
// UUID are 404 resource.not-found.
func (a *API) getAnalysis(c *gin.Context) {
	an, err := a.analyses.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toAnalysisJSON(an))
}

// listAnalyses answers GET /v1/analyses?status=&type=&business_profile_id=&lead_id=&cursor=&limit=:
// the caller's analyses, newest first; empty parameters do not filter. Unknown parameters are
// ignored, as on every listing.
func (a *API) listAnalyses(c *gin.Context) {
	limit, err := analysisPageSize(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	page, err := a.analyses.List(c.Request.Context(), principal(c), analyze.AnalysisFilter{
		Status: analysis.Status(c.Query("status")), Type: analysis.Type(c.Query("type")),
		BusinessProfileID: c.Query("business_profile_id"), LeadID: c.Query("lead_id"),
		Cursor: c.Query("cursor"), Limit: limit,
	})
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toAnalysisPage(page))
}

// analysisPageSize reads ?limit= for the analysis and lead listings (absent: 0, the use case's
// default). A value that is not a whole number, or 0 (which the use case would read as "the
// default"), is analysis.invalid-page-size here; the use case checks the range.
func analysisPageSize(c *gin.Context) (int, error) {
	raw, ok := c.GetQuery("limit")
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n == 0 {
		return 0, apperr.Validation(analyze.CodeInvalidPageSize, "page size out of range",
			apperr.FieldError{Field: "limit", Message: "must be a whole number from 1 to " + strconv.Itoa(analyze.MaxPageSize)})
	}
	return n, nil
}
