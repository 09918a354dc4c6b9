package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/metrics"
	"github.com/oslira/oslira/core/analytics"
	"github.com/oslira/oslira/hosts/httpapi"
)

// Metrics is the Prometheus module of serve, http and worker (README "Metrics"). It provides
// the process's *metrics.Metrics (Go runtime and process collectors, the database pool of the
// graph's *pgxpool.Pool, the drops of an *analytics.Buffer when the graph has one) and hands it
// to the pieces that report:
//
//   - the HTTP host: the request middleware (group "http.middleware", outer, Order 10) and the
//     scrape endpoint *httpapi.Metrics, served by the API at GET /metrics unless METRICS_ADDR is
//     set;
//   - the workflow executor: the dbos.Observer (run starts, outcomes, step retries);
//   - the provider clients and the LLM gateway (scraping.go, llm.go): the httpclient hook and the
//     ai.UsageRecorder decorator, read from the graph.
//
// With METRICS_ADDR set, the endpoint gets a listener of its own there, and the API does not
// serve it. A graph without an HTTP host (worker)
// never builds the HTTP instruments and serves metrics only on METRICS_ADDR.
var Metrics = fx.Module("metrics",
	fx.Provide(
		newMetrics,
		func(m *metrics.Metrics) dbos.Observer { return m },
		func(m *metrics.Metrics) *httpapi.Metrics { return &httpapi.Metrics{Handler: m.Handler()} },
		fx.Annotate(
			func(m *metrics.Metrics) httpapi.Middleware { return httpapi.MetricsMiddleware(m.HTTP()) },
			fx.ResultTags(`group:"`+httpapi.MiddlewareGroup+`"`),
		),
	),
	fx.Invoke(serveMetricsAddr),
)

type metricsParams struct {
	fx.In

	Pool *pgxpool.Pool
	// Analytics is the request-analytics buffer, when the graph has one: its Dropped count is
	// exported as analytics_events_dropped_total.
	Analytics *analytics.Buffer `optional:"true"`
}

func newMetrics(p metricsParams) (*metrics.Metrics, error) {
	m := metrics.New()
	if err := m.Pool(p.Pool); err != nil {
		return nil, fmt.Errorf("metrics: database pool: %w", err)
	}
	if p.Analytics != nil {
		if err := m.AnalyticsDropped(p.Analytics.Dropped); err != nil {
			return nil, fmt.Errorf("metrics: analytics drops: %w", err)
		}
	}
	return m, nil
}

// metricsReadHeaderTimeout and metricsWriteTimeout bound a scrape on the METRICS_ADDR listener.
const (
	metricsReadHeaderTimeout = 5 * time.Second
	metricsWriteTimeout      = 30 * time.Second
)

// serveMetricsAddr serves GET /metrics on cfg.MetricsAddr when it is set. The listener opens in
// OnStart (a busy address fails start-up) and closes in OnStop.
func serveMetricsAddr(lc fx.Lifecycle, cfg Config, m *metrics.Metrics, log *slog.Logger) {
	if cfg.MetricsAddr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+httpapi.MetricsPath, m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: metricsReadHeaderTimeout, WriteTimeout: metricsWriteTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			var lcfg net.ListenConfig
			ln, err := lcfg.Listen(ctx, "tcp", cfg.MetricsAddr)
			if err != nil {
				return fmt.Errorf("metrics: listen on %s: %w", cfg.MetricsAddr, err)
			}
			log.Info("metrics server listening", "addr", ln.Addr().String())
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("metrics server stopped serving", "error", err.Error())
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error { return srv.Shutdown(ctx) },
	})
}
