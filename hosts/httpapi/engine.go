package httpapi

import (
	"cmp"
	"log/slog"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/idempotency"
)

// NewHandler builds the gin engine: the middleware chain in the order every request crosses it,
// the problem+json answers for unknown routes and methods, and the routes of routes.go (health
// probes, the contract spec, the /v1 handlers of api behind the authentication middleware, the
// Idempotency-Key mechanism over keys on the routes that create something).
//
// Order: HEAD body discard (first, so nothing after it can send a body to a HEAD request) →
// request id (so everything after it can log the id) → access log (sees the final status,
// including a recovered panic's 500) → recovery → CORS (answers preflights) → body limit → error
// rendering (closest to the handlers, so it sees their c.Error calls). Authentication is not global:
// it is the first handler of the authenticated route group (routes.go), after all of these.
func NewHandler(cfg Config, log *slog.Logger, health *Health, api *API, spec *OpenAPI, keys *idempotency.Service) http.Handler {
	return NewHandlerWith(cfg, log, health, api, spec, keys, nil)
}

// Middleware is a handler another module adds to every request (fx group MiddlewareGroup).
// Outer ones run right after the request id, before the access log and recovery, so they see
// every request's final status and latency, a recovered panic's 500 included (metrics,
// analytics); inner ones run after recovery, so a panic below them is theirs to see first and
// is still recovered (error reporting). Within a slot, lower Order runs first.
type Middleware struct {
	Name    string
	Handler gin.HandlerFunc
	Inner   bool
	Order   int
}

// MiddlewareGroup is the fx value group of the Middleware modules add.
const MiddlewareGroup = "http.middleware"

// NewHandlerWith is NewHandler with extra middleware (see Middleware).
func NewHandlerWith(cfg Config, log *slog.Logger, health *Health, api *API, spec *OpenAPI, keys *idempotency.Service, extra []Middleware) http.Handler {
	gin.SetMode(gin.ReleaseMode) // no debug route dump or warnings on stderr; atomic, idempotent
	r := gin.New()
	trustProxies(r, cfg)
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false // an API answers the path it was asked, or 404
	r.RedirectFixedPath = false
	r.ContextWithFallback = true // c.Done/c.Value follow the request context
	extra = slices.Clone(extra)
	slices.SortStableFunc(extra, func(a, b Middleware) int { return cmp.Compare(a.Order, b.Order) })
	chain := []gin.HandlerFunc{headWithoutBody, requestID()}
	for _, m := range extra {
		if !m.Inner {
			chain = append(chain, m.Handler)
		}
	}
	chain = append(chain, accessLog(log), recovery(log))
	for _, m := range extra {
		if m.Inner {
			chain = append(chain, m.Handler)
		}
	}
	r.Use(append(chain, cors(cfg.CORSAllowedOrigins), bodyLimit, errorMiddleware(log))...)
	r.NoRoute(noRoute)
	r.NoMethod(noMethod)
	routes(r, health, api, spec, idempotent(keys, log))
	return r
}

// trustProxies makes c.ClientIP() believe the client-address headers only from cfg's trusted
// proxies: with none (the default) it is the socket's peer, whatever X-Forwarded-For says.
// gin's own default trusts every peer, which would let any client choose the IP its rate
// limits are keyed by. TrustedPlatform is never set: it reads its header from any peer. A list
// Validate refuses trusts nobody here.
func trustProxies(r *gin.Engine, cfg Config) {
	if len(cfg.TrustedProxies) == 0 || r.SetTrustedProxies(cfg.TrustedProxies) != nil {
		_ = r.SetTrustedProxies(nil)
	}
	if cfg.ClientIPHeader != "" {
		r.RemoteIPHeaders = []string{cfg.ClientIPHeader}
	}
}

// headWithoutBody answers a HEAD request like the GET it mirrors (routes.go registers a HEAD
// for every GET), minus the body: status and headers are the GET's. net/http would drop the
// body anyway; doing it here makes every writer of the chain, and tests, see the real answer.
func headWithoutBody(c *gin.Context) {
	if c.Request.Method == http.MethodHead {
		c.Writer = headWriter{c.Writer}
	}
	c.Next()
}

// headWriter discards the body of a HEAD response.
type headWriter struct{ gin.ResponseWriter }

func (w headWriter) Write(b []byte) (int, error) {
	w.WriteHeaderNow()
	return len(b), nil
}

func (w headWriter) WriteString(s string) (int, error) {
	w.WriteHeaderNow()
	return len(s), nil
}
