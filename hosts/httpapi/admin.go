package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// HeaderIdempotencyKey makes a write safe to retry: the same key applies it once.
const HeaderIdempotencyKey = "Idempotency-Key"

// grantRequest is the body of POST /v1/admin/accounts/{id}/credits (schema GrantRequest).
type grantRequest struct {
	Amount int64  `json:"amount"`
	Reason string `json:"reason"`
}

// grantResponse is its answer (schema GrantResult).
type grantResponse struct {
	Applied bool      `json:"applied"`
	Entry   entryJSON `json:"entry"`
}

// adminGrantCredits answers POST /v1/admin/accounts/:id/credits (operators only): it grants
// amount credits to the account with a reason, once per Idempotency-Key. 201 when this request
// applied the grant; 200 with the original entry when the key was used before.
func (a *API) adminGrantCredits(c *gin.Context) {
	var in grantRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	res, err := a.credits.AdminGrant(c.Request.Context(), principal(c), c.Param("id"), in.Amount, in.Reason,
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
