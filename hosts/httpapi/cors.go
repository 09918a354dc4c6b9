package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// CORS response values. Requests authenticate with a bearer token; credentials are allowed
// because the origin is always echoed exactly, never "*".
const (
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, Idempotency-Key, X-Request-ID"
	corsExposeHeaders = "X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
	corsMaxAge        = "600"
)

// cors implements the allow-list from Config.CORSAllowedOrigins. An allowed origin gets its own
// value echoed back with credentials allowed; any other origin gets no CORS headers at all, so the
// browser blocks the response. Preflight requests are answered here with 204 and never reach a
// route.
func cors(allowed []string) gin.HandlerFunc {
	set := make(map[string]struct{}, len(allowed))
	for _, o := range allowed {
		set[normalizeOrigin(o)] = struct{}{}
	}
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Add("Vary", "Origin")
		_, ok := set[normalizeOrigin(origin)]
		preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
		if ok {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if !preflight {
			if ok {
				h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
			}
			c.Next()
			return
		}
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		if ok {
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
		}
		c.AbortWithStatus(http.StatusNoContent)
	}
}
