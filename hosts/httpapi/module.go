package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/ratelimit"
)

// Module is the HTTP host: the gin handler, the health endpoints over every observe.HealthChecker
// in the fx value group "health", the /v1 API, the contract at /openapi.json (loaded and
// validated at construction), and the *Server started and stopped with the application.
// It needs a Config, a *slog.Logger, an identity.TokenVerifier, an *account.Service, a
// *credit.Service, a Billing and a *business.Service in the graph, and a ratelimit.Limiter
// (the routes' limits; Config.RateLimitsOff leaves it unused).
var Module = fx.Module("httpapi",
	fx.Provide(
		newHealth,
		newAPI,
		LoadContract,
		newHandler,
		NewServer,
	),
	fx.Decorate(withLimiter),
	fx.Invoke(registerServer),
)

// handlerParams is what newHandler takes from the graph: NewHandlerWith's arguments, the extra
// middleware from the MiddlewareGroup (none when no module adds any).
type handlerParams struct {
	fx.In

	Config     Config
	Log        *slog.Logger
	Health     *Health
	API        *API
	Spec       *OpenAPI
	Keys       *idempotency.Service
	Middleware []Middleware `group:"http.middleware"`
	Metrics    *Metrics     `optional:"true"`
}

// newHandler also serves the metrics endpoint on the API, when the graph has one and
// Config.MetricsAddr does not move it to a listener of its own.
func newHandler(p handlerParams) http.Handler {
	h := NewHandlerWith(p.Config, p.Log, p.Health, p.API, p.Spec, p.Keys, p.Middleware)
	if p.Metrics != nil && p.Config.MetricsAddr == "" {
		routeMetrics(h.(*gin.Engine), p.Metrics.Handler)
	}
	return h
}

// limiterParams: the limiter comes from postgres.Module; a graph without one (unit tests of
// this module) runs without limits.
type limiterParams struct {
	fx.In

	API     *API
	Config  Config
	Limiter ratelimit.Limiter `optional:"true"`
	Log     *slog.Logger
}

// withLimiter gives the API its limiter, unless the configuration turns limits off.
func withLimiter(p limiterParams) *API {
	l := p.Limiter
	if p.Config.RateLimitsOff {
		p.Log.Warn("rate limits are off (RATE_LIMITS_DISABLED)")
		l = nil
	}
	return p.API.WithLimiter(l, p.Log)
}

// healthParams collects the health checkers registered by adapters.
type healthParams struct {
	fx.In
	Config   Config
	Checkers []observe.HealthChecker `group:"health"`
}

func newHealth(p healthParams) *Health { return NewHealth(p.Checkers, p.Config.Version) }

func registerServer(lc fx.Lifecycle, s *Server) {
	lc.Append(fx.StartStopHook(s.Start, s.Stop))
}
