package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// getBatch answers GET /v1/batches/{id}: the batch with the number of items in each status, the
// overall percent and every item. Another account's batch and an id that is not a UUID are 404.
func (a *API) getBatch(c *gin.Context) {
	b, err := a.analyses.Batch(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toBatchViewJSON(b))
}

// cancelBatch answers POST /v1/batches/{id}/cancel: the items that had not started are
// cancelled and refunded, those running finish; 200 with how many were cancelled and the batch
// afterwards. Cancelling again cancels nothing (cancelled: 0) and is still 200.
func (a *API) cancelBatch(c *gin.Context) {
	b, n, err := a.analyses.CancelBatch(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, cancelBatchJSON{Cancelled: n, Batch: toBatchViewJSON(b)})
}
