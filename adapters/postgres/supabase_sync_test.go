package postgres_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

// provisionUser provisions the given user id (e-mail address optional) with the signup bonus.
func provisionUser(t *testing.T, pool *pgxpool.Pool, user, email string) member {
	t.Helper()
	m, err := postgres.NewAccountStore(postgres.NewDB(pool)).Ensure(t.Context(), account.NewUser{
		UserID: user, Email: email, SignupBonus: account.SignupBonus,
	})
	if err != nil {
		t.Fatalf("Ensure %s: %v", user, err)
	}
	return member{user: user, account: m.AccountID}
}

// ensureRefused asserts that Ensure refuses user as unknown to the identity provider.
func ensureRefused(t *testing.T, pool *pgxpool.Pool, user string) {
	t.Helper()
	m, err := postgres.NewAccountStore(postgres.NewDB(pool)).Ensure(t.Context(), account.NewUser{
		UserID: user, SignupBonus: credit.MustAmount(25),
	})
	if !errors.Is(err, account.ErrUserNotFound) || apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Ensure %s = %+v, %v; want account.ErrUserNotFound (forbidden)", user, m, err)
	}
}

// userEmail reads public.users.email ("<null>" when NULL).
func userEmail(t *testing.T, pool *pgxpool.Pool, user string) string {
	return text(t, pool, "select email from public.users where id = $1", user)
}

// signUp adds a user to auth.users as Supabase Auth does.
func signUp(t *testing.T, pool *pgxpool.Pool, user, email string) {
	t.Helper()
	if err := asSupabaseAuth(t.Context(), pool,
		fmt.Sprintf("insert into auth.users (id, email, created_at) values ('%s', '%s', now())", user, email)); err != nil {
		t.Fatalf("sign up: %v", err)
	}
}

func TestSupabaseAuthUsersKeepProvisioningInStep(t *testing.T) {
	t.Parallel()
	for _, oursFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("ours first %v", oursFirst), func(t *testing.T) {
			t.Parallel()
			pool := supabaseAuthDatabase(t, oursFirst)

			// A sub auth.users does not list gets nothing.
			stranger := newUUID()
			ensureRefused(t, pool, stranger)
			if n := count(t, pool, "select count(*) from public.users where id = $1", stranger); n != 0 {
				t.Errorf("a refused user left %d users rows", n)
			}

			// A signed-up user is provisioned with the bonus.
			user := newUUID()
			signUp(t, pool, user, "ada@example.test")
			m := provisionUser(t, pool, user, "ada@example.test")
			if b := storedBalance(t, pool, m.account); b != 25 {
				t.Errorf("balance %d, want the 25-credit bonus", b)
			}

			// An e-mail change in Supabase Auth reaches users.email.
			if err := asSupabaseAuth(t.Context(), pool,
				fmt.Sprintf("update auth.users set email = 'Ada.L@Example.test', updated_at = now() where id = '%s'", user)); err != nil {
				t.Fatal(err)
			}
			if got := userEmail(t, pool, user); got != "ada.l@example.test" {
				t.Errorf("users.email after the change in auth.users = %q, want ada.l@example.test", got)
			}
			// Other updates (a sign-in) leave it alone.
			if _, err := pool.Exec(t.Context(), "update public.users set email = 'kept@example.test' where id = $1", user); err != nil {
				t.Fatal(err)
			}
			if err := asSupabaseAuth(t.Context(), pool,
				fmt.Sprintf("update auth.users set updated_at = now() where id = '%s'", user)); err != nil {
				t.Fatal(err)
			}
			if got := userEmail(t, pool, user); got != "kept@example.test" {
				t.Errorf("users.email after an unrelated update = %q, want it unchanged", got)
			}

			// Deleting the user disables the membership: no access under RLS, no new account
			// or bonus for a later token.
			if err := asSupabaseAuth(t.Context(), pool, fmt.Sprintf("delete from auth.users where id = '%s'", user)); err != nil {
				t.Fatalf("delete in auth.users: %v", err)
			}
			if !exists(t, pool, "select deleted_at is not null from public.users where id = $1", user) {
				t.Error("users.deleted_at not set after the deletion")
			}
			if n := count(t, pool, "select count(*) from public.account_members where user_id = $1 and disabled_at is null", user); n != 0 {
				t.Errorf("%d enabled memberships after the deletion, want 0", n)
			}
			if got := accountIDsSeenBy(t, pool, user); len(got) != 0 {
				t.Errorf("the deleted user still sees accounts %v", got)
			}
			ensureRefused(t, pool, user)
			if n := count(t, pool, "select count(*) from public.accounts where owner_id = $1", user); n != 1 {
				t.Errorf("%d accounts for the deleted user, want the 1 it had", n)
			}
			if n := count(t, pool, "select count(*) from public.credit_ledger where kind = 'signup_bonus' and created_by = $1", user); n != 1 {
				t.Errorf("%d signup bonuses for the deleted user, want 1", n)
			}

			// A new user taking the freed address gets it.
			next := newUUID()
			if _, err := pool.Exec(t.Context(), "update public.users set email = 'ada.l@example.test' where id = $1", user); err != nil {
				t.Fatal(err)
			}
			signUp(t, pool, next, "ada.l@example.test")
			provisionUser(t, pool, next, "ada.l@example.test")
			if got := userEmail(t, pool, next); got != "ada.l@example.test" {
				t.Errorf("new user's e-mail %q, want the freed ada.l@example.test", got)
			}

			// A soft delete (Supabase Auth keeps the row with deleted_at) counts as a deletion.
			if err := asSupabaseAuth(t.Context(), pool,
				fmt.Sprintf("update auth.users set deleted_at = now(), email = null where id = '%s'", next)); err != nil {
				t.Fatal(err)
			}
			if n := count(t, pool, "select count(*) from public.account_members where user_id = $1 and disabled_at is null", next); n != 0 {
				t.Errorf("%d enabled memberships after a soft delete, want 0", n)
			}
			ensureRefused(t, pool, next)
		})
	}
}

func TestPlainPostgresProvisionsWithoutAuthUsers(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	if exists(t, pool, "select to_regclass('auth.users') is not null") {
		t.Fatal("the shared test database has auth.users; this test needs plain PostgreSQL with the shim")
	}
	// Any verified sub is provisioned, as before Supabase Auth support.
	m := provisionUser(t, pool, newUUID(), "")
	if b := storedBalance(t, pool, m.account); b != 25 {
		t.Errorf("balance %d, want 25", b)
	}
}

func TestNewUserKeepsAnAddressAnotherUserHeld(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	address := newUUID() + "@example.test"
	old := provisionUser(t, pool, newUUID(), address)
	// The old user changed address (or was deleted) at the identity provider, which gave the
	// address to a new user; our copy of the old address must not cost the new user theirs.
	fresh := provisionUser(t, pool, newUUID(), address)
	if got := userEmail(t, pool, fresh.user); got != address {
		t.Errorf("new user's e-mail %q, want %q", got, address)
	}
	if got := userEmail(t, pool, old.user); got != address {
		t.Errorf("old user's e-mail %q changed, want %q", got, address)
	}
}
