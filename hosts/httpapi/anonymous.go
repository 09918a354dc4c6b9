package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/analysis"
)

// anonymousRequest is the body of POST /v1/analyses/anonymous (schema AnonymousRequest).
type anonymousRequest struct {
	Username string `json:"username"`
}

// anonymousAnalysis answers POST /v1/analyses/anonymous (public, the landing page): 200 with a
// light analysis of the handle (a name, @name or instagram.com link). No account, no charge;
// the result is cached per handle (cached: true on a hit). The per-IP daily limit is the rate
// limiter's, in front of this handler (routes_analysis.go). Results are not cached by clients
// or proxies: the next answer may be fresher.
func (a *API) anonymousAnalysis(c *gin.Context) {
	var in anonymousRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	r, err := a.anonymous.Analyze(c.Request.Context(), in.Username)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.Set(analyticsTypeKey, string(analysis.Light))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, r)
}
