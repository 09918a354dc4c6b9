package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

// newUUID returns a random version-4 UUID, as Supabase Auth assigns user ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// member is a user with a provisioned account.
type member struct{ user, account string }

func (m member) principal() tenant.Principal {
	return tenant.Principal{UserID: m.user, AccountID: m.account, Roles: []tenant.Role{tenant.RoleUser}}
}

// provision creates a new user's account through AccountStore.Ensure with the given bonus.
func provision(t testing.TB, db *postgres.DB, bonus int64) member {
	t.Helper()
	id := newUUID()
	m, err := postgres.NewAccountStore(db).Ensure(t.Context(), account.NewUser{
		UserID: id, Email: id + "@example.test", SignupBonus: credit.MustAmount(bonus),
	})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	if !m.Created {
		t.Fatalf("provision: Created = false for a new user")
	}
	return member{user: id, account: m.AccountID}
}

// count runs a count(*) query as the login role.
func count(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// storedBalance reads a balance as the login role.
func storedBalance(t testing.TB, pool *pgxpool.Pool, accountID string) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(t.Context(), "select balance from public.credit_balances where account_id = $1", accountID).Scan(&n); err != nil {
		t.Fatalf("read balance: %v", err)
	}
	return n
}

// contendedPool opens a second pool on the test database with more connections than the shared
// one, so that concurrent calls really meet in the database rather than queue in the pool.
func contendedPool(t *testing.T, conns int32) *pgxpool.Pool {
	t.Helper()
	cfg := pgtest.Pool(t).Config()
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestEnsureConcurrentFirstRequestsCreateOneAccount(t *testing.T) {
	t.Parallel()
	pool := contendedPool(t, 16)
	store := postgres.NewAccountStore(postgres.NewDB(pool))
	user := newUUID()
	nu := account.NewUser{UserID: user, Email: "first@" + user + ".test", FullName: "Ada Lovelace", SignupBonus: account.SignupBonus}

	const callers = 20
	results := make([]account.Membership, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			results[i], errs[i] = store.Ensure(context.WithoutCancel(t.Context()), nu)
		})
	}
	close(start)
	wg.Wait()

	created := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Ensure #%d: %v", i, err)
		}
		m := results[i]
		if m.AccountID != results[0].AccountID || m.UserID != user || m.Role != account.RoleOwner || m.Suspended || m.UserIsAdmin {
			t.Errorf("Ensure #%d = %+v, want owner of %s", i, m, results[0].AccountID)
		}
		if m.Created {
			created++
		}
	}
	if created != 1 {
		t.Errorf("Created = true for %d calls, want exactly 1", created)
	}
	acc := results[0].AccountID
	if n := count(t, pool, "select count(*) from public.account_members where user_id = $1", user); n != 1 {
		t.Errorf("%d memberships, want 1", n)
	}
	if n := count(t, pool, "select count(*) from public.accounts where owner_id = $1", user); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
	if n := count(t, pool, `select count(*) from public.credit_ledger
		where account_id = $1 and kind = 'signup_bonus' and delta = 25 and balance_after = 25
		  and reference = 'signup:' || $2::text and created_by = $2::uuid`, acc, user); n != 1 {
		t.Errorf("%d signup bonus entries of 25, want 1", n)
	}
	if n := count(t, pool, "select count(*) from public.credit_ledger where account_id = $1", acc); n != 1 {
		t.Errorf("%d ledger entries, want 1", n)
	}
	if b := storedBalance(t, pool, acc); b != 25 {
		t.Errorf("balance %d, want 25", b)
	}

	again, err := store.Ensure(t.Context(), nu)
	if err != nil {
		t.Fatal(err)
	}
	if again.AccountID != acc || again.Created {
		t.Errorf("Ensure again = %+v, want account %s with Created false", again, acc)
	}
	if b := storedBalance(t, pool, acc); b != 25 {
		t.Errorf("balance after a second Ensure %d, want 25", b)
	}
}

func TestEnsureStoresUserDetails(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	store := postgres.NewAccountStore(postgres.NewDB(pool))
	// read returns the user's stored address and the name of the account they own.
	read := func(user string) (email *string, accountName string) {
		t.Helper()
		err := pool.QueryRow(t.Context(), `select u.email, a.name
			from public.users u join public.accounts a on a.owner_id = u.id where u.id = $1`, user).
			Scan(&email, &accountName)
		if err != nil {
			t.Fatal(err)
		}
		return email, accountName
	}

	named := newUUID()
	email := named + "@example.test"
	if _, err := store.Ensure(t.Context(), account.NewUser{UserID: named, Email: "  " + email + " ", FullName: " Grace Hopper "}); err != nil {
		t.Fatal(err)
	}
	if got, name := read(named); got == nil || *got != email || name != "Grace Hopper's account" {
		t.Errorf("named user: email %v, account %q", got, name)
	}

	// A phone user has no address; no bonus means no entry, but a balance row at zero.
	phone := newUUID()
	m, err := store.Ensure(t.Context(), account.NewUser{UserID: strings.ToUpper(phone)})
	if err != nil {
		t.Fatal(err)
	}
	if m.UserID != phone {
		t.Errorf("UserID = %q, want the canonical %q", m.UserID, phone)
	}
	if got, name := read(phone); got != nil || name != "My account" {
		t.Errorf("phone user: email %v, account %q", got, name)
	}
	if b := storedBalance(t, pool, m.AccountID); b != 0 {
		t.Errorf("balance %d without a bonus, want 0", b)
	}

	// (An address another user id holds too: TestNewUserKeepsAnAddressAnotherUserHeld.)

	// users.is_admin is reported; an existing user without a membership gets an account.
	admin := pgtest.InsertUser(t, pool)
	if _, err := pool.Exec(t.Context(), "update public.users set is_admin = true where id = $1", admin); err != nil {
		t.Fatal(err)
	}
	m, err = store.Ensure(t.Context(), account.NewUser{UserID: admin, SignupBonus: account.SignupBonus})
	if err != nil {
		t.Fatal(err)
	}
	if !m.UserIsAdmin || !m.Created {
		t.Errorf("existing admin user: %+v, want UserIsAdmin and Created", m)
	}

	// A suspended account is reported as such.
	if _, err := pool.Exec(t.Context(), "update public.accounts set is_suspended = true where id = $1", m.AccountID); err != nil {
		t.Fatal(err)
	}
	if m, err = store.Ensure(t.Context(), account.NewUser{UserID: admin}); err != nil || !m.Suspended || m.Created {
		t.Errorf("suspended: %+v, %v", m, err)
	}

	if _, err := store.Ensure(t.Context(), account.NewUser{UserID: "not-a-uuid"}); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("Ensure with a bad user id: %v, want Unauthenticated", err)
	}
}

func TestEnsurePrefersTheOwnedAccount(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	host := provision(t, db, 0)
	guest := pgtest.InsertUser(t, pool)
	pgtest.AddMember(t, pool, host.account, guest, "member")

	// The guest's only membership is in someone else's account: it is returned, nothing created.
	m, err := postgres.NewAccountStore(db).Ensure(t.Context(), account.NewUser{UserID: guest})
	if err != nil {
		t.Fatal(err)
	}
	if m.AccountID != host.account || m.Role != account.RoleMember || m.Created {
		t.Errorf("guest = %+v, want member of %s", m, host.account)
	}
	own := pgtest.InsertAccount(t, pool, guest)
	if m, err = postgres.NewAccountStore(db).Ensure(t.Context(), account.NewUser{UserID: guest}); err != nil || m.AccountID != own {
		t.Errorf("guest with an own account = %+v, %v; want owner of %s", m, err, own)
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	store := postgres.NewAccountStore(db)
	id := newUUID()
	m, err := store.Ensure(t.Context(), account.NewUser{
		UserID: id, Email: id + "@example.test", FullName: "Ada Lovelace", SignupBonus: account.SignupBonus,
	})
	if err != nil {
		t.Fatal(err)
	}
	me := member{user: id, account: m.AccountID}

	p, err := store.Profile(t.Context(), me.principal())
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != id || p.Email != id+"@example.test" || p.FullName != "Ada Lovelace" ||
		p.AccountID != m.AccountID || p.AccountName != "Ada Lovelace's account" || p.Role != account.RoleOwner ||
		p.Balance.Int64() != 25 || p.Plan != "free" || p.OnboardingCompleted || p.CreatedAt.IsZero() {
		t.Errorf("Profile = %+v", p)
	}
	// The account's own creation time (a backdated user row makes the two differ).
	if _, err := pool.Exec(t.Context(), "update public.users set created_at = created_at - interval '1 day' where id = $1", id); err != nil {
		t.Fatal(err)
	}
	var accountCreated time.Time
	if err := pool.QueryRow(t.Context(), "select created_at from public.accounts where id = $1", m.AccountID).Scan(&accountCreated); err != nil {
		t.Fatal(err)
	}
	if p, err = store.Profile(t.Context(), me.principal()); err != nil || !p.CreatedAt.Equal(accountCreated) {
		t.Errorf("Profile.CreatedAt = %v (err %v), want the account's %v", p.CreatedAt, err, accountCreated)
	}

	other := provision(t, db, 25)
	for name, pr := range map[string]tenant.Principal{
		"another account":        {UserID: me.user, AccountID: other.account},
		"an account id not uuid": {UserID: me.user, AccountID: "x"},
		"no account":             {UserID: me.user},
	} {
		if _, err := store.Profile(t.Context(), pr); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("%s: Profile err = %v, want account.ErrNotFound", name, err)
		}
	}
}

// TestProfileOnboardingCompleted: /v1/me's onboarding_completed is true once one of the account's
// live business profiles has completed onboarding (a later generation running or failing keeps
// it), and false before that, after that profile is deleted, and for another account's profiles.
func TestProfileOnboardingCompleted(t *testing.T) {
	t.Parallel()
	svc, store, db := newBusiness(t)
	accounts := postgres.NewAccountStore(db)
	writer := postgres.NewBusinessContextStore(db)
	me, other := provision(t, db, 0), provision(t, db, 0)
	completed := func(m member) bool {
		t.Helper()
		p, err := accounts.Profile(t.Context(), m.principal())
		if err != nil {
			t.Fatal(err)
		}
		return p.OnboardingCompleted
	}
	// complete runs generation from+1 of profile id to the end, as the onboarding workflow does.
	run := func(m member, id string, from int, ok bool) {
		t.Helper()
		runID := business.ContextRunID(id, from+1)
		if won, err := store.MarkContextRunning(t.Context(), m.principal(), id, from, runID); !won || err != nil {
			t.Fatalf("mark running = %v, %v", won, err)
		}
		var done bool
		var err error
		if ok {
			done, err = writer.SaveContext(t.Context(), m.account, id, runID, business.Written{OneLiner: "One.", Summary: "A. B. C. D."})
		} else {
			done, err = writer.MarkContextFailed(t.Context(), m.account, id, runID, "service.unavailable")
		}
		if !done || err != nil {
			t.Fatalf("finish run = %v, %v", done, err)
		}
	}

	if completed(me) {
		t.Error("a new account: onboarding_completed = true")
	}
	first, err := svc.Create(t.Context(), me.principal(), business.Context{BusinessName: "First"})
	if err != nil {
		t.Fatal(err)
	}
	if completed(me) {
		t.Error("a profile not yet onboarded: onboarding_completed = true")
	}
	run(me, first.ID, 0, false)
	if completed(me) {
		t.Error("a failed first onboarding: onboarding_completed = true")
	}
	// Another account's completed profile says nothing about mine.
	theirs, err := svc.Create(t.Context(), other.principal(), business.Context{BusinessName: "Theirs"})
	if err != nil {
		t.Fatal(err)
	}
	run(other, theirs.ID, 0, true)
	if !completed(other) || completed(me) {
		t.Errorf("other's completed profile: other %v, me %v; want true, false", completed(other), completed(me))
	}

	run(me, first.ID, 1, true)
	if !completed(me) {
		t.Error("after onboarding completed: onboarding_completed = false")
	}
	// Regenerating (running, then failing) keeps the account onboarded.
	if won, err := store.MarkContextRunning(t.Context(), me.principal(), first.ID, 2, business.ContextRunID(first.ID, 3)); !won || err != nil {
		t.Fatalf("mark running = %v, %v", won, err)
	}
	if !completed(me) {
		t.Error("a regeneration running: onboarding_completed = false")
	}
	if _, err := writer.MarkContextFailed(t.Context(), me.account, first.ID, business.ContextRunID(first.ID, 3), "x"); err != nil {
		t.Fatal(err)
	}
	if !completed(me) {
		t.Error("a regeneration failed: onboarding_completed = false")
	}
	// The only onboarded profile deleted: the account is no longer onboarded.
	if err := svc.Delete(t.Context(), me.principal(), first.ID); err != nil {
		t.Fatal(err)
	}
	if completed(me) {
		t.Error("onboarded profile deleted: onboarding_completed = true")
	}
}

// TestAccountOwner: the owner of a live account with their e-mail; a suspended account, a
// soft-deleted one and a disabled owner membership read as Suspended; an unknown or malformed id
// is account.ErrNoAccount.
func TestAccountOwner(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	store := postgres.NewAccountStore(db)
	m := provision(t, db, 0)
	got, err := store.Owner(t.Context(), m.account)
	if err != nil || got.UserID != m.user || got.AccountID != m.account || got.Email != m.user+"@example.test" ||
		got.Role != account.RoleOwner || got.Suspended || got.UserIsAdmin {
		t.Fatalf("Owner = %+v, %v", got, err)
	}
	for name, sql := range map[string]string{
		"suspended":  `update public.accounts set is_suspended = true where id = $1`,
		"deleted":    `update public.accounts set deleted_at = now() where id = $1`,
		"membership": `update public.account_members set disabled_at = now() where account_id = $1`,
	} {
		other := provision(t, db, 0)
		if _, err := db.Pool().Exec(t.Context(), sql, other.account); err != nil {
			t.Fatal(err)
		}
		if got, err := store.Owner(t.Context(), other.account); err != nil || !got.Suspended {
			t.Errorf("%s: Owner = %+v, %v; want Suspended", name, got, err)
		}
	}
	for _, id := range []string{newUUID(), "acme"} {
		if _, err := store.Owner(t.Context(), id); !errors.Is(err, account.ErrNoAccount) {
			t.Errorf("Owner(%q) = %v, want ErrNoAccount", id, err)
		}
	}
}
