package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

// The real Supabase Auth migrator, reduced to what it needs from the database (its first
// migrations, abridged): it logs in as supabase_auth_admin (NOINHERIT, so membership grants it
// nothing) with search_path = auth, creates its bookkeeping table unqualified, its tables in
// auth, and replaces the helper functions. Run once against the real server too (see the
// closing note of issue 7); these tests keep the preconditions in the repository.

// ensureSupabaseAuthAdmin creates the role as Supabase's postgres image does, when missing. Roles
// are cluster-wide and shared by parallel test packages, so losing the race is fine; the role is
// never dropped (other databases' objects may belong to it).
func ensureSupabaseAuthAdmin(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(t.Context(), `do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin noinherit createrole login noreplication;
  end if;
exception when duplicate_object or unique_violation then
  null;
end
$$`)
	if err != nil {
		t.Fatalf("create role supabase_auth_admin: %v", err)
	}
}

// supabaseAuthMigrations are the statements of Supabase Auth's migrations that meet our shim.
var supabaseAuthMigrations = []string{
	`create table if not exists schema_migrations (version varchar(255) not null primary key)`,
	`create table if not exists auth.users (
		instance_id uuid null,
		id uuid not null unique,
		aud varchar(255) null,
		"role" varchar(255) null,
		email varchar(255) null unique,
		raw_user_meta_data jsonb null,
		created_at timestamptz null,
		updated_at timestamptz null,
		deleted_at timestamptz null,
		constraint users_pkey primary key (id))`,
	`create table if not exists auth.audit_log_entries (instance_id uuid null, id uuid not null primary key, payload json null)`,
	`create or replace function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
$$`,
	`create or replace function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
$$`,
	`create or replace function auth.email() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text
$$`,
	`comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.'`,
	`create or replace function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$`,
	`insert into schema_migrations (version) values ('00'), ('20220531120530')`,
}

// asSupabaseAuth runs statements in one transaction as supabase_auth_admin with search_path =
// auth, as Supabase Auth's migrator and server do.
func asSupabaseAuth(ctx context.Context, pool *pgxpool.Pool, stmts ...string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "set local role supabase_auth_admin"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "set local search_path = auth"); err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%.60s: %w", s, err)
			}
		}
		return nil
	})
}

// supabaseAuthDatabase returns a fresh database holding our migrations and Supabase Auth's, in
// the given order. Supabase first starts as Supabase's own setup script does: the schema is
// created for supabase_auth_admin before its migrator runs.
func supabaseAuthDatabase(t *testing.T, oursFirst bool) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.EmptyPool(t)
	ensureSupabaseAuthAdmin(t, pool)
	if oursFirst {
		if err := postgres.Migrate(t.Context(), pool); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	} else if _, err := pool.Exec(t.Context(), "create schema auth authorization supabase_auth_admin"); err != nil {
		t.Fatal(err)
	}
	if err := asSupabaseAuth(t.Context(), pool, supabaseAuthMigrations...); err != nil {
		t.Fatalf("Supabase Auth's migrations: %v", err)
	}
	if !oursFirst {
		if err := postgres.Migrate(t.Context(), pool); err != nil {
			t.Fatalf("Migrate after Supabase Auth: %v", err)
		}
	}
	return pool
}

// text runs a query returning one text value (NULL as "<null>").
func text(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) string {
	t.Helper()
	var s *string
	if err := pool.QueryRow(t.Context(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if s == nil {
		return "<null>"
	}
	return *s
}

// supabaseAuthObjects lists what Supabase Auth's migrations made, each of which must survive
// every Down of ours.
var supabaseAuthObjects = []string{
	"select to_regclass('auth.users') is not null",
	"select to_regclass('auth.schema_migrations') is not null",
	"select to_regclass('auth.audit_log_entries') is not null",
	"select to_regprocedure('auth.uid()') is not null",
	"select to_regprocedure('auth.jwt()') is not null",
	"select to_regprocedure('auth.role()') is not null",
	"select to_regprocedure('auth.email()') is not null",
}

// followTrigger reports whether our trigger is on auth.users.
const followTrigger = `select exists (select 1 from pg_trigger
	where tgrelid = to_regclass('auth.users') and tgname = 'oslira_follow_user')`

func TestSupabaseAuthTakesOverAfterOurMigrations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// roleLater puts the database in the state our migrations leave when supabase_auth_admin
		// does not exist yet (it is created by Supabase Auth's setup afterwards).
		roleLater bool
	}{{"role exists", false}, {"role created after our migrations", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool := pgtest.EmptyPool(t)
			ensureSupabaseAuthAdmin(t, pool)
			if err := postgres.Migrate(t.Context(), pool); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if tc.roleLater {
				if _, err := pool.Exec(t.Context(), `
					revoke usage, create on schema auth from supabase_auth_admin;
					alter function auth.uid() owner to current_user;
					alter function auth.jwt() owner to current_user`); err != nil {
					t.Fatal(err)
				}
			}

			if err := asSupabaseAuth(t.Context(), pool, supabaseAuthMigrations...); err != nil {
				t.Fatalf("Supabase Auth's migrations after ours: %v", err)
			}
			for _, fn := range []string{"auth.uid()", "auth.jwt()", "auth.role()"} {
				if owner := text(t, pool, "select pg_get_userbyid(proowner)::text from pg_proc where oid = to_regprocedure($1)", fn); owner != "supabase_auth_admin" {
					t.Errorf("%s belongs to %s, want supabase_auth_admin", fn, owner)
				}
			}
			if !exists(t, pool, followTrigger) {
				t.Error("oslira_follow_user is not on auth.users")
			}

			// Our policies still call the (replaced) auth.uid(): a user sees their own account.
			user := newUUID()
			if err := asSupabaseAuth(t.Context(), pool, fmt.Sprintf("insert into auth.users (id, email) values ('%s', 'a-%s@example.test')", user, user)); err != nil {
				t.Fatal(err)
			}
			m := provisionUser(t, pool, user, "")
			if got := accountIDsSeenBy(t, pool, user); len(got) != 1 || got[0] != m.account {
				t.Errorf("account ids under RLS = %v, want [%s]", got, m.account)
			}

			// Down to zero drops our objects only.
			if err := postgres.MigrateDownTo(t.Context(), pool, 0); err != nil {
				t.Fatalf("down: %v", err)
			}
			for _, q := range supabaseAuthObjects {
				if !exists(t, pool, q) {
					t.Errorf("down dropped Supabase Auth's object: %s is false", q)
				}
			}
			if exists(t, pool, followTrigger) {
				t.Error("down left oslira_follow_user on auth.users")
			}
			if err := postgres.Migrate(t.Context(), pool); err != nil {
				t.Fatalf("up again beside Supabase Auth: %v", err)
			}
		})
	}
}

func TestSupabaseAuthFirstThenOurMigrations(t *testing.T) {
	t.Parallel()
	pool := supabaseAuthDatabase(t, false)

	for _, fn := range []string{"auth.uid()", "auth.jwt()"} {
		if owner := text(t, pool, "select pg_get_userbyid(proowner)::text from pg_proc where oid = to_regprocedure($1)", fn); owner != "supabase_auth_admin" {
			t.Errorf("%s belongs to %s, want supabase_auth_admin (untouched)", fn, owner)
		}
	}
	if c := text(t, pool, "select obj_description(to_regprocedure('auth.uid()'), 'pg_proc')"); c != "Deprecated. Use auth.jwt() -> 'sub' instead." {
		t.Errorf("auth.uid() comment %q: our migrations changed Supabase's function", c)
	}
	if n := count(t, pool, "select count(*) from pg_event_trigger where evtname like 'oslira%'"); n != 0 {
		t.Errorf("%d event triggers on a database whose schema auth is Supabase's, want 0", n)
	}
	if !exists(t, pool, followTrigger) {
		t.Error("oslira_follow_user is not on auth.users")
	}
	// Supabase Auth's migrator runs again on every start: it must still own what it replaces.
	if err := asSupabaseAuth(t.Context(), pool, supabaseAuthMigrations[3:8]...); err != nil {
		t.Fatalf("Supabase Auth's migrations again: %v", err)
	}

	if err := postgres.MigrateDownTo(t.Context(), pool, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	for _, q := range supabaseAuthObjects {
		if !exists(t, pool, q) {
			t.Errorf("down dropped Supabase Auth's object: %s is false", q)
		}
	}
}

func TestShimDownKeepsWhatOthersPutInSchemaAuth(t *testing.T) {
	t.Parallel()
	pool := pgtest.EmptyPool(t)
	if err := postgres.Migrate(t.Context(), pool); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if _, err := pool.Exec(t.Context(), "create table auth.sessions (id uuid primary key)"); err != nil {
		t.Fatal(err)
	}
	if err := postgres.MigrateDownTo(t.Context(), pool, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	for _, q := range []string{
		"select to_regclass('auth.sessions') is not null",
		"select to_regprocedure('auth.uid()') is not null",
	} {
		if !exists(t, pool, q) {
			t.Errorf("down dropped something another owner relies on: %s is false", q)
		}
	}
}

// accountIDsSeenBy returns app.user_account_ids() in the user's scope (RLS as under PostgREST).
func accountIDsSeenBy(t *testing.T, pool *pgxpool.Pool, user string) []string {
	t.Helper()
	var ids []string
	err := pgx.BeginFunc(t.Context(), pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), "select set_config('request.jwt.claims', $1, true)",
			fmt.Sprintf(`{"sub":%q,"role":"authenticated"}`, user)); err != nil {
			return err
		}
		if _, err := tx.Exec(t.Context(), "set local role authenticated"); err != nil {
			return err
		}
		rows, err := tx.Query(t.Context(), "select id::text from public.accounts")
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatalf("read as %s: %v", user, err)
	}
	return ids
}
