package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/adapters/metrics"
)

// Metrics is the Prometheus scrape endpoint a metrics module provides to this host's graph
// (hosts/bootstrap: Metrics). Without one, or with Config.MetricsAddr set (the endpoint then has
// a listener of its own, which operators keep off the public network), the API serves no
// /metrics.
type Metrics struct{ Handler http.Handler }

// MetricsPath is where the scrape endpoint is served.
const MetricsPath = "/metrics"

// routeMetrics registers GET (and HEAD) /metrics on engine's public group: Prometheus scrapes
// without a token. The series carry no user or account labels, but they describe the traffic:
// README tells operators to firewall the path or to move it with METRICS_ADDR. Not rate
// limited, like the health probes (scrapers poll it).
func routeMetrics(engine *gin.Engine, h http.Handler) {
	get(&engine.RouterGroup, MetricsPath, gin.WrapH(h))
}

// MetricsOrder is the Order of the metrics middleware among the outer ones.
const MetricsOrder = 10

// MetricsMiddleware records every request in h: in flight while it runs, then its duration by
// route template (c.FullPath(); metrics.UnmatchedRoute when no route matched), method and final
// status. It is an outer middleware (after the request id, before recovery), so a recovered
// panic counts as the 500 it becomes. Never the raw path, the caller or the request id: labels
// must stay bounded and impersonal.
func MetricsMiddleware(h *metrics.HTTP) Middleware {
	return Middleware{Name: "metrics", Order: MetricsOrder, Handler: func(c *gin.Context) {
		start := time.Now()
		end := h.Begin()
		defer end()
		c.Next()
		h.Observe(c.FullPath(), c.Request.Method, c.Writer.Status(), time.Since(start))
	}}
}
