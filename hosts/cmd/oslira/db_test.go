package main

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
)

// defaultTestDatabaseURL is the maintenance connection used when TEST_DATABASE_URL is empty.
const defaultTestDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// throwawayDatabase creates an empty database on the test server and returns its URL; it is
// dropped when the test ends. Without a reachable server the test is skipped, or fails when CI is
// set.
func throwawayDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		admin = defaultTestDatabaseURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no test database (CI is set): %v", err)
		}
		t.Skipf("no test database at TEST_DATABASE_URL or %s; set TEST_DATABASE_URL to run this test", defaultTestDatabaseURL)
	}
	defer func() { _ = conn.Close(context.Background()) }()

	name := "oslira_cmd_" + strings.ToLower(rand.Text()[:12])
	if _, err := conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer func() { _ = c.Close(ctx) }()
		if _, err := c.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// migrationVersion returns the database's migration version and the newest embedded one.
func migrationVersion(t *testing.T, dbURL string) (current, latest int64) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	current, latest, err = postgres.MigrationVersion(ctx, pool)
	if err != nil {
		t.Fatalf("migration version: %v", err)
	}
	return current, latest
}

// workflowSchemaExists reports whether the workflow engine's tables exist in the database.
func workflowSchemaExists(t *testing.T, dbURL string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	var ok bool
	if err := conn.QueryRow(ctx, `select to_regclass('dbos.workflow_status') is not null and to_regclass('dbos.oslira_executors') is not null`).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}
