package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/localdb"
	"github.com/oslira/oslira/adapters/secrets"
)

// Process is what main hands to the application graph: the configuration it already loaded (so
// configuration errors are reported before any graph is built), the environment lookup, and the
// process logger.
type Process struct {
	Config Config
	Lookup func(string) (string, bool) // os.LookupEnv in the binary; the env secrets source reads it
	Logger *slog.Logger
	// Role is the process role, the subcommand ("serve", "http", "worker", "cron", "cli"): it
	// names the default workflow executor id and the engine's connections. Empty means "serve".
	Role Role
}

// Role is a process role (see Process.Role).
type Role string

// processOut spreads a Process over the graph.
type processOut struct {
	fx.Out

	Config Config
	Logger *slog.Logger
	Lookup secrets.LookupFunc
	Role   Role
}

func provideProcess(p Process) processOut {
	lookup := p.Lookup
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	log := p.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	role := p.Role
	if role == "" {
		role = "serve"
	}
	return processOut{Config: p.Config, Logger: log, Lookup: lookup, Role: role}
}

// Module provides Config, *slog.Logger, secrets.LookupFunc, Role and, through AdapterConfigs,
// the postgres.Config, secrets.Config, httpapi.Config and billing.Config the adapter and host
// modules need, plus the
// jwt.Config of adapters/jwt (see JWTConfig) and the postgres.CursorKey (see CursorKey), each
// built only when a graph asks for it, and then it needs a secret.Provider. It needs a Process in the graph: fx.Supply(bootstrap.Process{...}).
var Module = fx.Module("bootstrap",
	fx.Provide(
		provideProcess,
		Config.Adapters,
		Config.Cron,
		provideJWTConfig,
		provideCursorKey,
	),
)

// FxLogger routes fx's own events to the process logger at debug level (quiet by default, visible
// with LOG_LEVEL=debug); fx errors stay at error level. Use it at the top level of fx.New.
var FxLogger = fx.WithLogger(func(log *slog.Logger) fxevent.Logger {
	l := &fxevent.SlogLogger{Logger: log.With("component", "fx")}
	l.UseLogLevel(slog.LevelDebug)
	l.UseErrorLevel(slog.LevelError)
	return l
})

// resolveTimeout bounds finding or provisioning the local database; creating a private cluster
// with initdb is the slow case.
const resolveTimeout = 2 * time.Minute

// ResolveDatabase, in development and test, replaces postgres.Config.URL with the database
// localdb.Ensure finds: DATABASE_URL when set, else the server on 127.0.0.1:5432 (creating the
// database), else a private cluster under DATA_DIR, stopped again when the application stops. In
// staging and production it changes nothing (DATABASE_URL is required there).
//
// It is an fx.Decorate and must be given at the top level of fx.New (not inside a module) so that
// it applies to the postgres module.
var ResolveDatabase = fx.Decorate(resolveDatabase)

func resolveDatabase(lc fx.Lifecycle, cfg Config, pg postgres.Config, log *slog.Logger) (postgres.Config, error) {
	if !cfg.Env.Local() {
		return pg, nil
	}
	// Runs while the graph is built: under its own deadline, never under a context fx controls.
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	db, err := localdb.Ensure(ctx, localdb.Options{
		URL:     cfg.DatabaseURL,
		DataDir: cfg.DataDir,
		DBName:  localDBName(cfg.Env),
		Logger:  log,
	})
	if err != nil {
		return pg, err
	}
	// Appended before the pool's hooks, so it runs after the pool closed. If building the graph
	// fails later, the cluster keeps running and the next start reuses it.
	lc.Append(fx.StopHook(db.Close))
	log.Info("database resolved", "source", db.Source)
	pg.URL = db.URL
	return pg, nil
}

// localDBName keeps development data apart from what test runs create.
func localDBName(env Env) string {
	if env == EnvTest {
		return "oslira_test"
	}
	return localdb.DefaultDBName
}

// MigrateOnStart, in development and test only, brings the schema up to date before anything
// uses the database: the application's migrations, then the workflow engine's schema (see
// Migrate). It decorates *pgxpool.Pool, so it runs while the graph is built — before the
// workflow engine, which verifies its schema when it is constructed, and long before any host
// serves. Like ResolveDatabase it must be given at the top level of fx.New. In staging and
// production it does nothing: `oslira migrate` is an explicit deployment step.
var MigrateOnStart = fx.Decorate(migrateOnStart)

// migrateTimeout bounds MigrateOnStart (a cold database takes a few seconds).
const migrateTimeout = 2 * time.Minute

func migrateOnStart(cfg Config, pool *pgxpool.Pool, log *slog.Logger) (*pgxpool.Pool, error) {
	if !cfg.Env.Local() {
		return pool, nil
	}
	// Runs while the graph is built: under its own deadline, never under a context fx controls.
	ctx, cancel := context.WithTimeout(context.Background(), migrateTimeout)
	defer cancel()
	if err := Migrate(ctx, pool, log); err != nil {
		return nil, err
	}
	return pool, nil
}

// Migrate applies every pending migration: the application's (postgres.Migrate), then schema
// "dbos" of the workflow engine (dbos.Migrate). Both hold advisory locks, so processes that
// migrate at once queue up and the later ones find nothing to do. `oslira migrate` and
// MigrateOnStart call it.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	if err := postgres.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	current, latest, err := postgres.MigrationVersion(ctx, pool)
	if err != nil {
		return fmt.Errorf("read migration version: %w", err)
	}
	log.Info("database migrated", "version", current, "latest", latest)
	if err := dbos.Migrate(ctx, pool, log); err != nil {
		return fmt.Errorf("migrate workflow schema: %w", err)
	}
	log.Info("workflow schema migrated", "schema", dbos.Schema)
	return nil
}
