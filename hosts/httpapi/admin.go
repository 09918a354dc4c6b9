package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// grantRequest is the body of POST /v1/admin/accounts/{id}/credits (schema GrantRequest).
type grantRequest struct {
	Credits int64  `json:"credits"`
	Reason  string `json:"reason"`
}

// grantResponse is its answer (schema GrantResult).
type grantResponse struct {
	Applied bool      `json:"applied"`
	Entry   entryJSON `json:"entry"`
}

// adminGrantCredits answers POST /v1/admin/accounts/:id/credits (operators only): it grants
// credits to the account with a reason, once per Idempotency-Key (required; it is also the
// ledger reference). The idempotency middleware replays a repeated request's 201; 200 with the
// original entry comes from the ledger when the key was used for this account by another
// operator or more than 24 hours ago.
func (a *API) adminGrantCredits(c *gin.Context) {
	var in grantRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	res, err := a.credits.AdminGrant(c.Request.Context(), principal(c), c.Param("id"), in.Credits, in.Reason,
		c.GetHeader(HeaderIdempotencyKey))
	if err != nil {
		_ = c.Error(err)
		return
	}
	status := http.StatusOK
	if res.Applied {
		status = http.StatusCreated
	}
	c.JSON(status, grantResponse{Applied: res.Applied, Entry: toEntryJSON(res.Entry)})
}
