package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

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

func TestTenantTablesHaveRLSEnabled(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	rows, err := pool.Query(t.Context(), `
		select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity
		  and c.relname in ('users', 'accounts', 'account_members', 'credit_balances', 'credit_ledger',
		                    'plans', 'subscriptions', 'webhook_events', 'business_profiles')`)
	if err != nil {
		t.Fatal(err)
	}
	off, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(off) > 0 {
		t.Fatalf("row-level security disabled on %v", off)
	}
}
