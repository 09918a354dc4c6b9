package bootstrap

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/live"
)

// Live provides the live progress of the HTTP host: a *live.Hub following analysis_events
// through postgres.LiveSource, woken by one LISTEN connection (postgres.Listener), run from
// start to stop; the live.Replayer (stored events, user scope) and the live.Tickets (WebSocket
// tickets). Every http process runs its own hub: the NOTIFY reaches all of them.
//
// List it after httpapi.Module: its invoke then registers the hub's lifecycle after the HTTP
// server's, so on stop the hub ends first — every SSE stream and WebSocket closes — and the
// server's drain is not held up by streams that would otherwise run to the shutdown deadline.
var Live = fx.Module("live",
	fx.Provide(
		fx.Annotate(postgres.NewLiveSource, fx.As(new(live.Source)), fx.As(new(live.Replayer))),
		fx.Annotate(postgres.NewTicketStore, fx.As(new(live.Tickets))),
		newHub,
	),
	fx.Invoke(runHub),
)

// newHub builds the hub over the source and one LISTEN connection.
func newHub(src live.Source, pool *pgxpool.Pool, log *slog.Logger) *live.Hub {
	return live.NewHub(src, postgres.NewListener(pool, log), log)
}

// runHub runs the hub for the application's lifetime (never under fx's start context, which
// ends when start-up does); stopping it ends every subscription.
func runHub(lc fx.Lifecycle, hub *live.Hub) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				_ = hub.Run(ctx)
			}()
			return nil
		},
		OnStop: func(stop context.Context) error {
			cancel()
			select {
			case <-done:
				return nil
			case <-stop.Done():
				return stop.Err()
			}
		},
	})
}
