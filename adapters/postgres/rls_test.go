package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

// wrappedUID is how PostgreSQL deparses `(select auth.uid())` in pg_policies.
const wrappedUID = "( SELECT auth.uid() AS uid)"

// barePolicies lists policies whose USING or WITH CHECK expression calls auth.uid() outside the
// wrapped form, which would evaluate it once per row instead of once per statement.
func barePolicies(ctx context.Context, q postgres.Querier) ([]string, error) {
	var bad []string
	rows, err := q.Query(ctx, `
		select schemaname || '.' || tablename || ':' || policyname,
		       coalesce(qual, '') || ' ' || coalesce(with_check, '')
		from pg_policies`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, expr string
		if err := rows.Scan(&name, &expr); err != nil {
			return nil, err
		}
		if strings.Contains(strings.ReplaceAll(expr, wrappedUID, ""), "auth.uid()") {
			bad = append(bad, name+": "+expr)
		}
	}
	return bad, rows.Err()
}

// errRollback ends an admin scope that only probes, so its changes never persist.
var errRollback = errors.New("rollback")

func TestNoPolicyUsesBareAuthUID(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)

	var count int
	if err := pool.QueryRow(t.Context(), "select count(*) from pg_policies where schemaname = 'public'").Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count < 3 {
		t.Fatalf("found %d policies in public, want at least 3 (is the database migrated?)", count)
	}
	bad, err := barePolicies(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("policies with a bare auth.uid(); write (select auth.uid()) instead:\n%s", strings.Join(bad, "\n"))
	}

	// The check itself must catch the bad form (inside a transaction that is rolled back).
	err = postgres.NewDB(pool).AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
		if _, err := q.Exec(ctx, `create policy bare_probe on public.users for select to authenticated
			using (id = auth.uid())`); err != nil {
			return err
		}
		bad, err := barePolicies(ctx, q)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(bad, func(s string) bool { return strings.HasPrefix(s, "public.users:bare_probe") }) {
			t.Errorf("barePolicies missed a bare auth.uid(): %v", bad)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// unsafeAppFunctions lists functions in schema app that are not SECURITY DEFINER with
// search_path fixed to the empty string.
func unsafeAppFunctions(ctx context.Context, q postgres.Querier) (names []string, total int, err error) {
	rows, err := q.Query(ctx, `
		select p.oid::regprocedure::text, p.prosecdef, coalesce(p.proconfig, '{}')
		from pg_proc p join pg_namespace n on n.oid = p.pronamespace
		where n.nspname = 'app'`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var secdef bool
		var config []string
		if err := rows.Scan(&name, &secdef, &config); err != nil {
			return nil, 0, err
		}
		total++
		if !secdef || !slices.Contains(config, `search_path=""`) {
			names = append(names, name)
		}
	}
	return names, total, rows.Err()
}

func TestAppFunctionsAreSecurityDefinerWithEmptySearchPath(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)

	bad, total, err := unsafeAppFunctions(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	if total < 2 {
		t.Fatalf("found %d functions in schema app, want at least 2 (is the database migrated?)", total)
	}
	if len(bad) > 0 {
		t.Fatalf("functions in schema app must be SECURITY DEFINER with set search_path = '': %v", bad)
	}

	err = postgres.NewDB(pool).AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
		if _, err := q.Exec(ctx, `create function app.unsafe_probe() returns int language sql as 'select 1'`); err != nil {
			return err
		}
		bad, _, err := unsafeAppFunctions(ctx, q)
		if err != nil {
			return err
		}
		if !slices.Contains(bad, "app.unsafe_probe()") {
			t.Errorf("unsafeAppFunctions missed app.unsafe_probe(): %v", bad)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// tenantTables must exist with row-level security enabled: the tables holding an account's data
// (read by members through policies) and the system-only tables (RLS on, no policy) that the
// API roles must never read.
var tenantTables = []string{
	"users", "accounts", "account_members", "credit_balances", "credit_ledger", "plans",
	"subscriptions", "webhook_events", "payments", "idempotency_keys", "cron_runs",
	"business_profiles", "ai_usage", "profile_cache", "llm_cache",
}

// rlsExempt are the public tables allowed without row-level security (goose's bookkeeping is
// revoked from the API roles instead).
var rlsExempt = []string{"goose_db_version"}

// tablesWithoutRLS lists the tables of schema public (plain and partitioned) with row-level
// security disabled, apart from rlsExempt, and the tenantTables that do not exist.
func tablesWithoutRLS(ctx context.Context, q postgres.Querier) (off, missing []string, err error) {
	rows, err := q.Query(ctx, `
		select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = 'public' and c.relkind in ('r', 'p')`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var name string
		var rls bool
		if err := rows.Scan(&name, &rls); err != nil {
			return nil, nil, err
		}
		seen[name] = true
		if !rls && !slices.Contains(rlsExempt, name) {
			off = append(off, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, name := range tenantTables {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	slices.Sort(off)
	return off, missing, nil
}

// TestTenantTablesHaveRLSEnabled: every table of schema public has row-level security enabled
// (a new table without it fails here, whoever forgets it), and every listed tenant table exists
// (a renamed one cannot pass by absence).
//
// It runs on a database of its own: other tests of the package create scratch tables in the shared
// one, and those are not the schema under test.
func TestTenantTablesHaveRLSEnabled(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	off, missing, err := tablesWithoutRLS(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(off) > 0 || len(missing) > 0 {
		t.Fatalf("row-level security disabled on %v; tenant tables missing: %v", off, missing)
	}

	// The check itself must catch a table without RLS and a listed table with RLS turned off
	// (inside a transaction that is rolled back).
	err = postgres.NewDB(pool).AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
		if _, err := q.Exec(ctx, `create table public.rls_probe (id int)`); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `alter table public.ai_usage disable row level security`); err != nil {
			return err
		}
		off, _, err := tablesWithoutRLS(ctx, q)
		if err != nil {
			return err
		}
		if !slices.Equal(off, []string{"ai_usage", "rls_probe"}) {
			t.Errorf("tablesWithoutRLS = %v, want [ai_usage rls_probe]", off)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}
