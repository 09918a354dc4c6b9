package dbos

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/core/workflow"
)

// ownPool opens the pool DBOS runs on: a copy of app's configuration (same server, database,
// credentials, TLS and connection hooks) with its own size and application_name.
//
// Why not app itself: DBOS's Shutdown closes the pool it was given (Config.SystemDBPool), and
// pgxpool.Close waits for every acquired connection — stopping the engine would close the
// application's pool under the http host and every other component. DBOS also holds one
// connection for LISTEN for its whole life. A second pool on the same database keeps both
// problems away from the application, and costs nothing in atomicity: a transactional Start
// runs DBOS's insert on the caller's transaction, whichever pool it came from.
func ownPool(ctx context.Context, app *pgxpool.Pool, cfg Config) (*pgxpool.Pool, error) {
	pc := app.Config() // a deep copy
	pc.MaxConns = cfg.MaxConns
	pc.MinConns = 0
	if pc.ConnConfig.RuntimeParams == nil {
		pc.ConnConfig.RuntimeParams = map[string]string{}
	}
	pc.ConnConfig.RuntimeParams["application_name"] = "oslira-dbos-" + cfg.Role
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("dbos: open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("dbos: ping: %w", err)
	}
	return pool, nil
}

// prepare is what both roles do before touching DBOS: fill and check the configuration and the
// definitions, name the logger, and open the engine's own pool (within StartupTimeout, on a
// context of its own — never a caller's).
func prepare(app *pgxpool.Pool, cfg Config, defs []workflow.Definition, log *slog.Logger) (Config, *pgxpool.Pool, *slog.Logger, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return cfg, nil, nil, err
	}
	if err := workflow.ValidateDefinitions(defs); err != nil {
		return cfg, nil, nil, err
	}
	log = logger(log, cfg)
	startCtx, cancel := context.WithTimeout(context.Background(), cfg.StartupTimeout)
	defer cancel()
	pool, err := ownPool(startCtx, app, cfg)
	if err != nil {
		return cfg, nil, nil, err
	}
	return cfg, pool, log, nil
}
