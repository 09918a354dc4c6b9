package postgres_test

import (
	"context"
	"io/fs"
	"maps"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/migrations"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

// exists runs a query returning one boolean.
func exists(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) bool {
	t.Helper()
	var ok bool
	if err := pool.QueryRow(t.Context(), sql, args...).Scan(&ok); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return ok
}

func tableExists(t *testing.T, pool *pgxpool.Pool, name string) bool {
	return exists(t, pool, "select to_regclass($1) is not null", name)
}

func schemaExists(t *testing.T, pool *pgxpool.Pool, name string) bool {
	return exists(t, pool, "select exists (select 1 from pg_namespace where nspname = $1)", name)
}

func version(t *testing.T, pool *pgxpool.Pool) (current, latest int64) {
	t.Helper()
	current, latest, err := postgres.MigrationVersion(t.Context(), pool)
	if err != nil {
		t.Fatalf("MigrationVersion: %v", err)
	}
	return current, latest
}

func TestMigrateFromScratchIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := pgtest.EmptyPool(t)

	if cur, latest := version(t, pool); cur != 0 || latest < 2 {
		t.Fatalf("before: version %d of %d, want 0 of >= 2", cur, latest)
	}
	for i := range 2 {
		if err := postgres.Migrate(t.Context(), pool); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	if cur, latest := version(t, pool); cur != latest {
		t.Fatalf("after: version %d, want %d", cur, latest)
	}
	for _, table := range []string{"public.users", "public.accounts", "public.account_members"} {
		if !tableExists(t, pool, table) {
			t.Errorf("%s missing after Migrate", table)
		}
	}
	for _, fn := range []string{"auth.uid()", "auth.jwt()", "app.user_account_ids()", "app.is_operator()"} {
		if !exists(t, pool, "select to_regprocedure($1) is not null", fn) {
			t.Errorf("function %s missing after Migrate", fn)
		}
	}
	for _, role := range []string{"anon", "authenticated", "service_role"} {
		if !exists(t, pool, "select pg_has_role(current_user, $1, 'MEMBER')", role) {
			t.Errorf("login role is not a member of %s", role)
		}
	}
	if !exists(t, pool, "select rolbypassrls from pg_roles where rolname = 'service_role'") {
		t.Error("service_role lacks BYPASSRLS")
	}
}

func TestMigrateConcurrentCallersAllSucceed(t *testing.T) {
	t.Parallel()
	pool := pgtest.EmptyPool(t)

	const callers = 3
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { errs[i] = postgres.Migrate(context.WithoutCancel(t.Context()), pool) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if cur, latest := version(t, pool); cur != latest {
		t.Fatalf("version %d, want %d", cur, latest)
	}
}

func TestMigrateDownThenUp(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)

	if err := postgres.MigrateDownTo(t.Context(), pool, 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	if cur, _ := version(t, pool); cur != 0 {
		t.Fatalf("after down: version %d, want 0", cur)
	}
	for _, table := range []string{"public.users", "public.accounts", "public.account_members"} {
		if tableExists(t, pool, table) {
			t.Errorf("%s still exists after down", table)
		}
	}
	if schemaExists(t, pool, "app") || schemaExists(t, pool, "auth") {
		t.Error("schema app or auth still exists after down")
	}
	// Roles are cluster-wide and stay.
	if !exists(t, pool, "select exists (select 1 from pg_roles where rolname = 'authenticated')") {
		t.Error("role authenticated was dropped by down")
	}

	if err := postgres.Migrate(t.Context(), pool); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if cur, latest := version(t, pool); cur != latest {
		t.Fatalf("after up: version %d, want %d", cur, latest)
	}
	if !tableExists(t, pool, "public.account_members") {
		t.Error("account_members missing after up")
	}
}

func TestMigrateDownKeepsAForeignAuthSchema(t *testing.T) {
	t.Parallel()
	pool := pgtest.EmptyPool(t)

	// On Supabase the schema auth exists before our first migration; down must not drop it.
	if _, err := pool.Exec(t.Context(), "create schema auth"); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Migrate(t.Context(), pool); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := postgres.MigrateDownTo(t.Context(), pool, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	if !schemaExists(t, pool, "auth") {
		t.Fatal("down dropped a schema auth it did not create")
	}
}

func TestMigrateFailureLeavesSchemaUnchanged(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	before, _ := version(t, pool)

	fsys := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: b}
	}
	broken := fstest.MapFS{"09999_broken.sql": &fstest.MapFile{Data: []byte(`-- +goose Up
create table public.broken_probe (id int);
alter table public.accounts add column probe int;
select 1 / 0;
-- +goose Down
drop table public.broken_probe;
`)}}
	maps.Copy(fsys, broken)

	if err := postgres.MigrateFS(t.Context(), pool, fsys); err == nil {
		t.Fatal("MigrateFS with a failing migration returned nil")
	}
	if after, _ := version(t, pool); after != before {
		t.Errorf("version moved from %d to %d", before, after)
	}
	if tableExists(t, pool, "public.broken_probe") {
		t.Error("table from the failed migration exists")
	}
	if exists(t, pool, `select exists (select 1 from information_schema.columns
		where table_schema = 'public' and table_name = 'accounts' and column_name = 'probe')`) {
		t.Error("column from the failed migration exists")
	}
}

func TestMigrationVersionOnSharedDatabase(t *testing.T) {
	t.Parallel()
	cur, latest := version(t, pgtest.Pool(t))
	if cur != latest || latest < 2 {
		t.Fatalf("version %d of %d, want the latest (>= 2)", cur, latest)
	}
}

// withProbes returns the embedded migrations plus the named probe migrations (each creating and
// dropping a table of its own name), numbered after every real one.
func withProbes(t *testing.T, probes ...string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: b}
	}
	for _, name := range probes {
		table := "public.probe_" + strings.TrimSuffix(strings.SplitN(name, "_", 2)[1], ".sql")
		fsys[name] = &fstest.MapFile{Data: []byte("-- +goose Up\ncreate table " + table +
			" (id int);\n-- +goose Down\ndrop table " + table + ";\n")}
	}
	return fsys
}

// TestMigrateAppliesAMigrationCommittedOutOfOrder: migration numbers are handed out to work done
// in parallel, so a development database may have applied a later number (09999) before an
// earlier one (09998) was merged. The earlier one is applied when it arrives, and until then the
// version reports it pending (current stops before it) instead of "up to date".
func TestMigrateAppliesAMigrationCommittedOutOfOrder(t *testing.T) {
	t.Parallel()
	pool := pgtest.EmptyPool(t)
	ctx := t.Context()
	_, real, err := postgres.MigrationVersionFS(ctx, pool, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}

	later := withProbes(t, "09999_later.sql")
	if err := postgres.MigrateFS(ctx, pool, later); err != nil {
		t.Fatalf("first migration: %v", err)
	}
	both := withProbes(t, "09998_earlier.sql", "09999_later.sql")
	current, latest, err := postgres.MigrationVersionFS(ctx, pool, both)
	if err != nil || current != real || latest != 9999 {
		t.Fatalf("with 09998 pending: version %d of %d, %v; want %d of 9999 (pending)", current, latest, err, real)
	}

	if err := postgres.MigrateFS(ctx, pool, both); err != nil {
		t.Fatalf("the earlier migration, after the later one: %v", err)
	}
	if !tableExists(t, pool, "public.probe_earlier") || !tableExists(t, pool, "public.probe_later") {
		t.Error("a probe migration's table is missing")
	}
	if current, latest, err := postgres.MigrationVersionFS(ctx, pool, both); err != nil || current != 9999 || latest != 9999 {
		t.Errorf("after: version %d of %d, %v; want 9999 of 9999", current, latest, err)
	}
	// A database ahead of the binary (a newer release migrated it) is not "pending".
	if current, latest, err := postgres.MigrationVersionFS(ctx, pool, migrations.FS); err != nil || current != 9999 || latest != real {
		t.Errorf("older binary: version %d of %d, %v; want 9999 of %d", current, latest, err, real)
	}
}
