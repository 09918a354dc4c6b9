package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
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
//
// Out-of-order migrations are applied, not refused: numbers are handed out to work done in
// parallel and merged in any order, so a database may have applied 00014 before 00013 existed
// (goose's default would then fail every start with "found 1 missing migrations"). Missing ones
// are applied first, then the new ones, in version order. This is sound because every migration
// is written against the schema of the migrations merged before it, never against a number it
// has not seen merged; a migration that must follow another takes a number after it once that
// one is merged.
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
		goose.WithAllowOutofOrder(true),
		goose.WithSlog(slog.Default().With("component", "migrate")),
	)
	if err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return p, func() { _ = db.Close() }, nil
}

// MigrationVersion reports the version the database is at (0 before the first migration) and the
// newest embedded migration; current < latest means migrations are pending. Since migrations may
// be applied out of order (see Migrate), current is not simply the highest applied version: when
// an embedded migration is not applied, current is the last embedded version before the first
// such one, so a database that applied 00014 but not 00013 is at 12, pending. When every embedded
// migration is applied, current is the highest applied version (above latest when a newer release
// migrated the database). It only reads, so readiness checks may call it freely.
func MigrationVersion(ctx context.Context, pool *pgxpool.Pool) (current, latest int64, err error) {
	embedded, err := embeddedVersions()
	if err != nil {
		return 0, 0, err
	}
	return migrationVersion(ctx, pool, embedded)
}

func migrationVersionFS(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) (current, latest int64, err error) {
	embedded, err := versions(fsys)
	if err != nil {
		return 0, 0, err
	}
	return migrationVersion(ctx, pool, embedded)
}

// migrationVersion implements MigrationVersion for the sorted versions of the binary's migrations.
func migrationVersion(ctx context.Context, pool *pgxpool.Pool, embedded []int64) (current, latest int64, err error) {
	if len(embedded) > 0 {
		latest = embedded[len(embedded)-1]
	}
	rows, err := pool.Query(ctx, "select distinct version_id from "+versionTable)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table: never migrated
		return 0, latest, nil
	}
	if err != nil {
		return 0, latest, fmt.Errorf("read migration version: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, latest, fmt.Errorf("read migration version: %w", err)
	}
	for _, v := range embedded {
		if !slices.Contains(applied, v) {
			return current, latest, nil // the first pending one: current stops before it
		}
		current = v
	}
	for _, v := range applied {
		current = max(current, v)
	}
	return current, latest, nil
}

// embeddedVersions are the versions of the embedded migration files, in ascending order.
var embeddedVersions = sync.OnceValues(func() ([]int64, error) { return versions(migrations.FS) })

// versions lists the versions of the migration files in fsys, in ascending order.
func versions(fsys fs.FS) ([]int64, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	out := make([]int64, 0, len(names))
	for _, name := range names {
		prefix, _, ok := strings.Cut(path.Base(name), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %q: name must start with a version number and '_'", name)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}
