package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
)

// ids collects the first column of every row of sql, run in the given scope.
func ids(t *testing.T, ctx context.Context, q postgres.Querier, sql string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// tenants seeds two users who each own one account.
type tenants struct {
	userA, userB       string
	accountA, accountB string
}

func seedTenants(t *testing.T, pool *pgxpool.Pool) tenants {
	t.Helper()
	var s tenants
	s.userA, s.userB = pgtest.InsertUser(t, pool), pgtest.InsertUser(t, pool)
	s.accountA, s.accountB = pgtest.InsertAccount(t, pool, s.userA), pgtest.InsertAccount(t, pool, s.userB)
	return s
}

func TestUserScopeSeesOnlyOwnRowsWithoutWhere(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	s := seedTenants(t, pool)

	for _, tc := range []struct {
		user, account string
	}{{s.userA, s.accountA}, {s.userB, s.accountB}} {
		err := db.UserScope(t.Context(), tenant.Principal{UserID: tc.user}, func(ctx context.Context, q postgres.Querier) error {
			// No WHERE clause anywhere: row-level security alone narrows the result.
			if got := ids(t, ctx, q, "select id::text from public.accounts"); !slices.Equal(got, []string{tc.account}) {
				t.Errorf("accounts for %s = %v, want [%s]", tc.user, got, tc.account)
			}
			if got := ids(t, ctx, q, "select account_id::text from public.account_members"); !slices.Equal(got, []string{tc.account}) {
				t.Errorf("memberships for %s = %v, want [%s]", tc.user, got, tc.account)
			}
			if got := ids(t, ctx, q, "select id::text from public.users"); !slices.Equal(got, []string{tc.user}) {
				t.Errorf("users for %s = %v, want [%s]", tc.user, got, tc.user)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("UserScope: %v", err)
		}
	}
}

func TestUserScopeSeesAccountsItIsMemberOf(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	s := seedTenants(t, pool)
	pgtest.AddMember(t, pool, s.accountB, s.userA, "member")

	err := db.UserScope(t.Context(), tenant.Principal{UserID: s.userA}, func(ctx context.Context, q postgres.Querier) error {
		if got, want := ids(t, ctx, q, "select id::text from public.accounts"), sorted(s.accountA, s.accountB); !slices.Equal(got, want) {
			t.Errorf("accounts = %v, want %v", got, want)
		}
		// A's membership in B's account reveals B's membership row, but not B's user row.
		if got := ids(t, ctx, q, "select user_id::text from public.account_members where account_id = $1", s.accountB); !slices.Equal(got, sorted(s.userA, s.userB)) {
			t.Errorf("members of B = %v", got)
		}
		if got := ids(t, ctx, q, "select id::text from public.users"); !slices.Equal(got, []string{s.userA}) {
			t.Errorf("users = %v, want only A", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAdminScopeSeesEveryAccount(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	s := seedTenants(t, pool)

	err := db.AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
		got := ids(t, ctx, q, "select id::text from public.accounts")
		if !slices.Contains(got, s.accountA) || !slices.Contains(got, s.accountB) {
			t.Errorf("admin scope accounts %v lack %s or %s", got, s.accountA, s.accountB)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUserScopeSetsRoleAndClaims(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	user := pgtest.InsertUser(t, pool)

	for _, tc := range []struct {
		name     string
		p        tenant.Principal
		operator bool
	}{
		{"user", tenant.Principal{UserID: user, Email: "a@example.test"}, false},
		{"operator", tenant.Principal{UserID: user, Email: "a@example.test", Roles: []tenant.Role{tenant.RoleOperator}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.UserScope(t.Context(), tc.p, func(ctx context.Context, q postgres.Querier) error {
				var role, uid, email, aud string
				var operator bool
				err := q.QueryRow(ctx, `select current_user, auth.uid()::text, auth.jwt() ->> 'email',
					auth.jwt() ->> 'aud', app.is_operator()`).Scan(&role, &uid, &email, &aud, &operator)
				if err != nil {
					return err
				}
				if role != "authenticated" || uid != user || email != "a@example.test" || aud != "authenticated" {
					t.Errorf("got role=%s uid=%s email=%s aud=%s", role, uid, email, aud)
				}
				if operator != tc.operator {
					t.Errorf("app.is_operator() = %v, want %v", operator, tc.operator)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestClaimsShape(t *testing.T) {
	t.Parallel()
	raw, err := postgres.ClaimsFor(tenant.Principal{
		UserID: "0B7E6C1E-2D1F-4C7A-9C53-5A0D2F1B9E11", Email: "u@example.test",
		Roles: []tenant.Role{tenant.RoleOperator},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sub": "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11", "role": "authenticated", "aud": "authenticated",
		"email": "u@example.test", "app_metadata": map[string]any{"role": "admin"},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Fatalf("claims = %s, want %s", gotJSON, wantJSON)
	}
}

func TestUserScopeResetsTheConnection(t *testing.T) {
	t.Parallel()
	// One connection, so the admin scope below reuses the one the user scope ran on.
	cfg := pgtest.Pool(t).Config()
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db := postgres.NewDB(pool)
	user := pgtest.InsertUser(t, pool)

	if err := db.UserScope(t.Context(), tenant.Principal{UserID: user}, func(context.Context, postgres.Querier) error { return nil }); err != nil {
		t.Fatal(err)
	}
	err = db.AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
		var role, claims string
		if err := q.QueryRow(ctx, "select current_user, coalesce(current_setting('request.jwt.claims', true), '')").Scan(&role, &claims); err != nil {
			return err
		}
		if role == "authenticated" || claims != "" {
			t.Errorf("after the user scope: role %q, claims %q", role, claims)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// probeTable creates a table the authenticated role may write, for commit/rollback tests.
func probeTable(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(t.Context(), `
		create table if not exists public.scope_probe (id text primary key);
		grant select, insert on public.scope_probe to authenticated`)
	if err != nil {
		t.Fatal(err)
	}
}

func probeExists(t *testing.T, pool *pgxpool.Pool, id string) bool {
	return exists(t, pool, "select exists (select 1 from public.scope_probe where id = $1)", id)
}

func TestScopesCommitAndRollBack(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t) // fixed row ids: a shared database would collide under -count>1
	probeTable(t, pool)
	db := postgres.NewDB(pool)
	user := pgtest.InsertUser(t, pool)
	boom := errors.New("boom")

	scopes := map[string]func(context.Context, func(context.Context, postgres.Querier) error) error{
		"user": func(ctx context.Context, fn func(context.Context, postgres.Querier) error) error {
			return db.UserScope(ctx, tenant.Principal{UserID: user}, fn)
		},
		"admin": db.AdminScope,
	}
	for name, scope := range scopes {
		t.Run(name, func(t *testing.T) {
			insert := func(id string) func(context.Context, postgres.Querier) error {
				return func(ctx context.Context, q postgres.Querier) error {
					_, err := q.Exec(ctx, "insert into public.scope_probe (id) values ($1)", id)
					return err
				}
			}

			if err := scope(t.Context(), insert(name+"-commit")); err != nil {
				t.Fatalf("commit: %v", err)
			}
			if !probeExists(t, pool, name+"-commit") {
				t.Error("row of a successful scope is missing")
			}

			err := scope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
				if err := insert(name+"-error")(ctx, q); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || apperr.KindOf(err) != apperr.Internal {
				t.Errorf("error = %v (kind %v), want boom as Internal", err, apperr.KindOf(err))
			}
			if probeExists(t, pool, name+"-error") {
				t.Error("row of a failed scope was committed")
			}

			func() {
				defer func() {
					if recover() == nil {
						t.Error("panic did not propagate")
					}
				}()
				_ = scope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
					if err := insert(name+"-panic")(ctx, q); err != nil {
						return err
					}
					panic("scope panic")
				})
			}()
			if probeExists(t, pool, name+"-panic") {
				t.Error("row of a panicking scope was committed")
			}

			// A failed statement swallowed by fn must not turn into a silent commit.
			err = scope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
				_ = insert(name+"-commit")(ctx, q) // duplicate key: the transaction is aborted
				return nil
			})
			if err == nil {
				t.Error("commit after a swallowed failure returned nil")
			}

			// A domain error passes through unchanged.
			sentinel := apperr.New(apperr.PaymentRequired, "credits.insufficient", "not enough credits")
			if err := scope(t.Context(), func(context.Context, postgres.Querier) error { return sentinel }); err != sentinel { //nolint:errorlint // an apperr passes through unchanged
				t.Errorf("apperr from fn = %v, want it unchanged", err)
			}
		})
	}
}

func TestUserScopeCannotWriteWithoutGrant(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	user := pgtest.InsertUser(t, pool)
	err := db.UserScope(t.Context(), tenant.Principal{UserID: user}, func(ctx context.Context, q postgres.Querier) error {
		_, err := q.Exec(ctx, "update public.users set is_admin = true where id = $1", user)
		return err
	})
	if apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("update in user scope: %v (kind %v), want Forbidden", err, apperr.KindOf(err))
	}
}

func TestUserScopeRejectsPrincipalWithoutUser(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	for _, id := range []string{"", "not-a-uuid"} {
		called := false
		err := db.UserScope(t.Context(), tenant.Principal{UserID: id}, func(context.Context, postgres.Querier) error {
			called = true
			return nil
		})
		if apperr.KindOf(err) != apperr.Unauthenticated || called {
			t.Errorf("user id %q: err %v, fn called %v; want Unauthenticated before fn", id, err, called)
		}
	}
}

func TestScopesWithCancelledContext(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	fn := func(context.Context, postgres.Querier) error { t.Error("fn ran"); return nil }
	if err := db.AdminScope(ctx, fn); apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("admin scope: %v, want Unavailable", err)
	}
	p := tenant.Principal{UserID: "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"}
	if err := db.UserScope(ctx, p, fn); apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("user scope: %v, want Unavailable", err)
	}
}

// BenchmarkUserScope measures a user-scope transaction running one RLS-filtered query. The
// scope's BEGIN, set_config and SET LOCAL ROLE are pipelined: one round trip, then the query,
// then COMMIT.
func BenchmarkUserScope(b *testing.B) {
	pool := pgtest.Pool(b)
	db := postgres.NewDB(pool)
	user := pgtest.InsertUser(b, pool)
	pgtest.InsertAccount(b, pool, user)
	p := tenant.Principal{UserID: user}
	for b.Loop() {
		err := db.UserScope(b.Context(), p, func(ctx context.Context, q postgres.Querier) error {
			var n int
			return q.QueryRow(ctx, "select count(*) from public.accounts").Scan(&n)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
