package httpapi

import "github.com/gin-gonic/gin"

// analysisRoutes registers the analysis, batch and lead routes: every one authenticated except
// the anonymous analysis of the landing page, which is public and limited per client IP.
func analysisRoutes(public, authed *gin.RouterGroup, api *API, keys gin.HandlerFunc) {
}
