package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/migrations"
)

// templateLock is the advisory-lock key (in the maintenance database) held while a template is
// checked and built: "oslira" in ASCII.
const templateLock int64 = 0x6f736c697261

// databaseName returns a fresh name like oslira_test_4242_a1b2c3d4.
func databaseName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("oslira_test_%d_%s", os.Getpid(), hex.EncodeToString(b))
}

// TemplateName is the name of the migrated template for the current migration files:
// oslira_template_ followed by the first 12 hex digits of their SHA-256.
func TemplateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, p)
		if err != nil {
			return err
		}
		_, _ = fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return "oslira_template_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// connectMaintenance opens one connection to URL(); failure is reported as unreachable.
func connectMaintenance(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(URL())
	if err != nil {
		return nil, errors.New("TEST_DATABASE_URL cannot be parsed")
	}
	cfg.ConnectTimeout = 3 * time.Second
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &unreachableError{err: err}
	}
	return conn, nil
}

// openPool opens a pool on database name of the maintenance server.
func openPool(ctx context.Context, name string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(URL())
	if err != nil {
		return nil, errors.New("TEST_DATABASE_URL cannot be parsed")
	}
	cfg.ConnConfig.Database = name
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	cfg.ConnConfig.RuntimeParams["application_name"] = "oslira-pgtest"
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool on %s: %w", name, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping %s: %w", name, err)
	}
	return pool, nil
}

// newDatabase creates database name — a clone of the migrated template, or empty — and opens a
// pool on it.
func newDatabase(ctx context.Context, name string, migrated bool, maxConns int32) (*pgxpool.Pool, error) {
	conn, err := connectMaintenance(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()

	template := "template0"
	if migrated {
		if template, err = ensureTemplate(ctx, conn); err != nil {
			return nil, err
		}
	}
	create := fmt.Sprintf("create database %s template %s", ident(name), ident(template))
	if err := execRetryBusy(ctx, conn, create); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	pool, err := openPool(ctx, name, maxConns)
	if err != nil {
		_ = dropDatabase(context.WithoutCancel(ctx), name)
		return nil, err
	}
	return pool, nil
}

// ensureTemplate returns the template for the current migrations, building it when missing.
// The build happens in a scratch database renamed into place only once fully migrated, so a
// crashed build never leaves a half-migrated template behind.
func ensureTemplate(ctx context.Context, conn *pgx.Conn) (string, error) {
	name, err := TemplateName()
	if err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", templateLock); err != nil {
		return "", fmt.Errorf("lock template: %w", err)
	}
	defer func() { // closing the session would release it too
		_, _ = conn.Exec(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", templateLock)
	}()

	var exists bool
	if err := conn.QueryRow(ctx, "select exists (select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up template: %w", err)
	}
	if exists {
		return name, nil
	}

	build := name + "_build"
	if _, err := conn.Exec(ctx, fmt.Sprintf("drop database if exists %s with (force)", ident(build))); err != nil {
		return "", fmt.Errorf("drop stale template build: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("create database %s template template0", ident(build))); err != nil {
		return "", fmt.Errorf("create template build: %w", err)
	}
	pool, err := openPool(ctx, build, 2)
	if err != nil {
		return "", err
	}
	err = postgres.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		_ = dropDatabase(context.WithoutCancel(ctx), build)
		return "", fmt.Errorf("migrate template: %w", err)
	}
	rename := fmt.Sprintf("alter database %s rename to %s", ident(build), ident(name))
	if err := execRetryBusy(ctx, conn, rename); err != nil {
		return "", fmt.Errorf("publish template: %w", err)
	}
	// Nobody may connect to the template: a connected session would block every clone.
	seal := fmt.Sprintf("alter database %s with is_template true allow_connections false", ident(name))
	if _, err := conn.Exec(ctx, seal); err != nil {
		return "", fmt.Errorf("seal template: %w", err)
	}
	dropOtherTemplates(ctx, conn, name)
	return name, nil
}

// dropOtherTemplates removes templates of earlier migration sets, so a developer's cluster does
// not collect one per schema change. It is best effort and never forces: a template that another
// test binary is cloning right now fails to drop and is simply kept until next time.
func dropOtherTemplates(ctx context.Context, conn *pgx.Conn, keep string) {
	rows, err := conn.Query(ctx, `select datname from pg_catalog.pg_database
		where datname like 'oslira\_template\_%' and datname <> $1 and datname not like '%\_build'`, keep)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, fmt.Sprintf("alter database %s with is_template false", ident(n))); err != nil {
			continue
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("drop database if exists %s", ident(n))); err != nil {
			_, _ = conn.Exec(ctx, fmt.Sprintf("alter database %s with is_template true", ident(n)))
		}
	}
}

// dropDatabase drops name, terminating any session still connected to it.
func dropDatabase(ctx context.Context, name string) error {
	conn, err := connectMaintenance(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	_, err = conn.Exec(ctx, fmt.Sprintf("drop database if exists %s with (force)", ident(name)))
	return err
}

// execRetryBusy runs sql, retrying while the server reports that a database it needs is still
// being accessed (55006): a backend that has just been closed can take a moment to exit.
func execRetryBusy(ctx context.Context, conn *pgx.Conn, sql string) error {
	for attempt := 0; ; attempt++ {
		_, err := conn.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || attempt == 50 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ident quotes a database name; the names here are generated, but quoting costs nothing.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
