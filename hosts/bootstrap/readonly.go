package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/localdb"
)

// migrateHint is how every read-only failure on a missing database or schema ends.
const migrateHint = "run `oslira migrate` first (in development it creates the database too), or start the server (`make run`)"

// ErrNotMigrated is matched (errors.Is) by RequireMigrated's error.
var ErrNotMigrated = errors.New("the database is not migrated")

// ResolveExistingDatabase is ResolveDatabase for operator commands (`oslira workflows`,
// `webhooks`): in development and test it connects to the database that exists
// (localdb.Find: DATABASE_URL, else the local server's database, else a private cluster another
// process keeps running) and never creates a database or starts a cluster. A missing database
// is an error that says to run `oslira migrate`. In staging and production it changes nothing.
// Like ResolveDatabase it must be given at the top level of fx.New.
var ResolveExistingDatabase = fx.Decorate(resolveExistingDatabase)

func resolveExistingDatabase(cfg Config, pg postgres.Config, log *slog.Logger) (postgres.Config, error) {
	if !cfg.Env.Local() {
		return pg, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	db, err := localdb.Find(ctx, localdb.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, DBName: localDBName(cfg.Env), Logger: log})
	switch {
	case errors.Is(err, localdb.ErrNotProvisioned) && cfg.DatabaseURL != "":
		return pg, fmt.Errorf("%w; create it (createdb), then run `oslira migrate`", err)
	case errors.Is(err, localdb.ErrNotProvisioned):
		return pg, fmt.Errorf("%w; %s", err, migrateHint)
	case err != nil:
		return pg, err
	}
	pg.URL = db.URL
	return pg, nil
}

// RequireMigrated, for commands that only use the schema (operator commands), fails unless the
// application's migrations and the workflow engine's schema are in place, with an error that
// says to run `oslira migrate` (instead of the workflow engine's own advice, which names a tool
// this project does not ship). It decorates *pgxpool.Pool and must be given at the top level of
// fx.New; it only reads.
var RequireMigrated = fx.Decorate(requireMigrated)

func requireMigrated(pool *pgxpool.Pool) (*pgxpool.Pool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), migrateTimeout)
	defer cancel()
	current, latest, err := postgres.MigrationVersion(ctx, pool)
	if err != nil {
		return nil, err
	}
	ok, err := dbos.Migrated(ctx, pool)
	if err != nil {
		return nil, err
	}
	switch {
	case current == 0 || !ok:
		return nil, fmt.Errorf("%w: database %q has no Oslira schema; %s", ErrNotMigrated, pool.Config().ConnConfig.Database, migrateHint)
	case current < latest:
		return nil, fmt.Errorf("%w: database %q is at migration %d, this build expects %d; %s",
			ErrNotMigrated, pool.Config().ConnConfig.Database, current, latest, migrateHint)
	}
	return pool, nil
}
