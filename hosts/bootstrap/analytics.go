package bootstrap

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/analytics"
	"github.com/oslira/oslira/hosts/httpapi"
)

// Analytics records every HTTP request: the *analytics.Buffer (defaults: 10,000 events, batches
// of 500 or every second, COPY into public.analytics_events through postgres.AnalyticsWriter)
// and the outer analytics middleware in the http.middleware group.
//
// The buffer's lifecycle hook is appended when the buffer is built, which happens while the
// HTTP handler is built for the server (the middleware group is the handler's dependency), so
// before the server's own hook: on stop fx runs hooks in reverse, so the server drains first and
// the buffer then flushes every event of the drained requests. List it before httpapi.Module.
var Analytics = fx.Module("analytics",
	fx.Provide(
		newAnalyticsBuffer,
		fx.Annotate(newAnalyticsMiddleware, fx.ResultTags(`group:"`+httpapi.MiddlewareGroup+`"`)),
	),
)

// newAnalyticsBuffer builds the buffer over the database and runs its flusher from start to
// stop (Close: flush what is buffered within the stop deadline).
func newAnalyticsBuffer(lc fx.Lifecycle, db *postgres.DB, log *slog.Logger) *analytics.Buffer {
	b := analytics.New(postgres.NewAnalyticsWriter(db), analytics.Config{Log: log})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { b.Start(); return nil },
		OnStop:  b.Close,
	})
	return b
}

func newAnalyticsMiddleware(b *analytics.Buffer) httpapi.Middleware {
	return httpapi.NewAnalyticsMiddleware(b)
}
