// Package pgtest gives tests a real, migrated PostgreSQL database of their own.
//
// Each test binary (one per package) gets one database, cloned with CREATE DATABASE ... TEMPLATE
// from a template that carries every migration. The template is named after a hash of the
// migration files, built once per hash under an advisory lock (so parallel test packages do not
// race) and reused by later runs. Cloning takes a fraction of a second; migrating from scratch in
// every package would not.
//
// Use it from a package's TestMain so the database is dropped at the end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// The server comes from TEST_DATABASE_URL (a maintenance connection allowed to create
// databases), defaulting to postgres://postgres@127.0.0.1:5432/postgres. When it cannot be
// reached a test skips, except when CI is set: then it fails, so a missing database is never
// mistaken for a green run.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
)

// DefaultURL is the maintenance connection used when TEST_DATABASE_URL is empty.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// setupTimeout bounds creating the per-binary database, including a first template build.
const setupTimeout = 2 * time.Minute

// URL returns the maintenance connection URL: TEST_DATABASE_URL, or DefaultURL.
func URL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return DefaultURL
}

var shared struct {
	once sync.Once
	pool *pgxpool.Pool
	name string
	err  error
}

// Pool returns a pool on this test binary's database, creating the database on first use. Tests
// that share it must not assume an empty database: other tests insert rows too.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		shared.name = databaseName()
		shared.pool, shared.err = newDatabase(ctx, shared.name, true, 8)
	})
	if shared.err != nil {
		fail(t, shared.err)
	}
	return shared.pool
}

// DB returns a *postgres.DB over Pool(t).
func DB(t testing.TB) *postgres.DB {
	t.Helper()
	return postgres.NewDB(Pool(t))
}

// IsolatedPool returns a pool on a fresh migrated database of the test's own, dropped when the
// test ends. For tests that change the schema (down migrations, failing migrations).
func IsolatedPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return privateDatabase(t, true)
}

// EmptyPool returns a pool on a fresh database without any migration, dropped when the test ends.
func EmptyPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return privateDatabase(t, false)
}

func privateDatabase(t testing.TB, migrated bool) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	name := databaseName()
	pool, err := newDatabase(ctx, name, migrated, 4)
	if err != nil {
		fail(t, err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := dropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return pool
}

// Main runs the tests and then drops the binary's database, if one was created.
func Main(m *testing.M) {
	code := m.Run()
	if shared.pool != nil {
		shared.pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := dropDatabase(ctx, shared.name); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: drop %s: %v\n", shared.name, err)
		}
		cancel()
	}
	os.Exit(code)
}

// unreachableError means the maintenance server could not be reached at all.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string {
	return fmt.Sprintf("PostgreSQL is not reachable at %s (%v). Start a server there "+
		"(e.g. `pg_ctlcluster 15 main start`) or set TEST_DATABASE_URL to a postgres:// URL of a "+
		"role allowed to create databases", redactedURL(), e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// fail skips on an unreachable server outside CI and fails in every other case.
func fail(t testing.TB, err error) {
	t.Helper()
	var unreachable *unreachableError
	if errors.As(err, &unreachable) && os.Getenv("CI") == "" {
		t.Skipf("pgtest: %v (skipping: CI is not set)", err)
	}
	t.Fatalf("pgtest: %v", err)
}

func redactedURL() string {
	u, err := url.Parse(URL())
	if err != nil {
		return "TEST_DATABASE_URL (unparsable)"
	}
	return u.Redacted()
}
