package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestOperatorCommandsCreateNothing: pointed at an empty database, or at one that does not
// exist, the read-only commands fail with exit 1 and say to run `oslira migrate` (not DBOS's
// own advice), and leave the server as they found it: no schema, no database.
func TestOperatorCommandsCreateNothing(t *testing.T) {
	t.Parallel()
	empty := throwawayDatabase(t)
	u, err := url.Parse(empty)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + strings.TrimPrefix(u.Path, "/") + "_missing"
	missing := u.String()

	for _, args := range [][]string{{"workflows", "list"}, {"workflows", "show", "x"}, {"webhooks", "list"}} {
		for name, dbURL := range map[string]string{"empty": empty, "missing": missing} {
			env := map[string]string{"APP_ENV": "development", "DATABASE_URL": dbURL, "DATA_DIR": t.TempDir()}
			code, stdout, stderr := runCapture(t, env, args...)
			if code != exitError || stdout != "" || !strings.Contains(stderr, "`oslira migrate`") || strings.Contains(stderr, "dbos migrate") {
				t.Errorf("%v on the %s database: exit %d, stdout %q, stderr:\n%s", args, name, code, stdout, stderr)
			}
		}
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	var schemas, tables int
	if err := conn.QueryRow(ctx, `select (select count(*) from pg_namespace where nspname = 'dbos'),
		(select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema'))`).Scan(&schemas, &tables); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 || tables != 0 {
		t.Errorf("the read-only commands created %d dbos schema(s) and %d table(s)", schemas, tables)
	}
	var exists bool
	if err := conn.QueryRow(ctx, `select exists (select 1 from pg_database where datname = $1)`,
		strings.TrimPrefix(u.Path, "/")).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("a read-only command created the database %s", u.Path)
	}
}
