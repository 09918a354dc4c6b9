package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/oslira/oslira/adapters/postgres/migrations"
)

// versionTable is goose's bookkeeping table (in the first schema of the search path: public).
const versionTable = "goose_db_version"

// Migrate applies every pending embedded migration.
//
// A session-level advisory lock (per database) serialises concurrent callers, so several processes
// may migrate at start-up at once: the first applies, the others wait and then find nothing to do.
// Each migration runs in its own transaction, so a failing one leaves the schema as it was before
// that migration (earlier ones stay applied) and Migrate returns its error.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return migrateFS(ctx, pool, migrations.FS)
}

func migrateFS(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	p, closeDB, err := newProvider(pool, fsys)
	if err != nil {
		return err
	}
	defer closeDB()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// newProvider builds a goose provider over pool. The returned func closes the database/sql view
// of the pool (it does not close the pool).
func newProvider(pool *pgxpool.Pool, fsys fs.FS) (*goose.Provider, func(), error) {
	// Poll the lock every second, for up to five minutes (goose's default polls every 5 s).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: lock: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
		goose.WithTableName(versionTable),
		goose.WithSlog(slog.Default().With("component", "migrate")),
	)
	if err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return p, func() { _ = db.Close() }, nil
}

// MigrationVersion reports the version the database is at (0 before the first migration) and the
// newest embedded migration. It only reads, so readiness checks may call it freely.
func MigrationVersion(ctx context.Context, pool *pgxpool.Pool) (current, latest int64, err error) {
	latest, err = latestVersion()
	if err != nil {
		return 0, 0, err
	}
	err = pool.QueryRow(ctx, "select coalesce(max(version_id), 0) from "+versionTable).Scan(&current)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table: never migrated
		return 0, latest, nil
	}
	if err != nil {
		return 0, latest, fmt.Errorf("read migration version: %w", err)
	}
	return current, latest, nil
}

// latestVersion is the highest version among the embedded migration files.
var latestVersion = sync.OnceValues(func() (int64, error) { return maxVersion(migrations.FS) })

func maxVersion(fsys fs.FS) (int64, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return 0, fmt.Errorf("list migrations: %w", err)
	}
	var top int64
	for _, name := range names {
		prefix, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil {
			return 0, fmt.Errorf("migration %q: name must start with a version number and '_'", name)
		}
		top = max(top, v)
	}
	return top, nil
}
