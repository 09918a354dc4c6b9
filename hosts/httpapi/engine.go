package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// NewHandler builds the gin engine: the middleware chain in the order every request crosses it,
// the problem+json answers for unknown routes and methods, and the routes of routes.go (health
// probes, the contract spec, the /v1 handlers of api behind the authentication middleware).
//
// Order: request id (so everything after it can log the id) → access log (sees the final status,
// including a recovered panic's 500) → recovery → CORS (answers preflights) → body limit → error
// rendering (closest to the handlers, so it sees their c.Error calls). Authentication is not global:
// it is the first handler of the authenticated route group (routes.go), after all of these.
func NewHandler(cfg Config, log *slog.Logger, health *Health, api *API, spec *OpenAPI) http.Handler {
	gin.SetMode(gin.ReleaseMode) // no debug route dump or warnings on stderr; atomic, idempotent
	r := gin.New()
	// Trust no proxy headers until a deployment names its proxies: ClientIP is the peer address.
	_ = r.SetTrustedProxies(nil)
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false // an API answers the path it was asked, or 404
	r.RedirectFixedPath = false
	r.ContextWithFallback = true // c.Done/c.Value follow the request context
	r.Use(
		requestID(),
		accessLog(log),
		recovery(log),
		cors(cfg.CORSAllowedOrigins),
		bodyLimit,
		errorMiddleware(log),
	)
	r.NoRoute(noRoute)
	r.NoMethod(noMethod)
	routes(r, health, api, spec)
	return r
}
