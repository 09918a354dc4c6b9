package dbos

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/core/workflow"
)

// Client is the engine of processes that must not run workflows: the http host (and a cron host
// that only enqueues and runs the janitor). It wraps a DBOS client, which is never launched — a
// launched process consumes every queue, including runs of definitions it may not know.
type Client struct {
	*Engine
	cfg Config
}

// NewClient connects a DBOS client for defs (it needs their names and queues, not their bodies)
// on its own pool cloned from app (see ownPool). It verifies that schema "dbos" is migrated and
// fails when it is not (run Migrate). It never uses a caller's context for DBOS: the client's
// life is its own until Close.
func NewClient(app *pgxpool.Pool, cfg Config, defs []workflow.Definition, log *slog.Logger) (*Client, error) {
	cfg, pool, log, err := prepare(app, cfg, defs, log)
	if err != nil {
		return nil, err
	}
	client, err := sdk.NewClient(context.Background(), sdk.ClientConfig{
		AppName:                cfg.AppName,
		SystemDBPool:           pool,
		DatabaseSchema:         Schema,
		Logger:                 log,
		SystemDBStartupTimeout: cfg.StartupTimeout,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("dbos: new client: %w", err)
	}
	return &Client{Engine: newEngine(client, pool, defs, log), cfg: cfg}, nil
}

// Close stops the client's listener and closes its pool, within the configured shutdown timeout
// or ctx's deadline, whichever is sooner.
func (c *Client) Close(ctx context.Context) error {
	return sdk.Shutdown(c.client, shutdownTimeout(ctx, c.cfg.ShutdownTimeout))
}

// shutdownTimeout is limit, or less when ctx's deadline is sooner (kept a little short of it).
func shutdownTimeout(ctx context.Context, limit time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) * 9 / 10; left < limit {
			return max(left, time.Millisecond)
		}
	}
	return limit
}

// logger is log (or slog's default) tagged for this adapter.
func logger(log *slog.Logger, cfg Config) *slog.Logger {
	if log == nil {
		log = slog.Default()
	}
	return log.With("component", "dbos", "executor_id", cfg.ExecutorID, "role", cfg.Role)
}
