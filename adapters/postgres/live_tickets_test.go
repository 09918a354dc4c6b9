package postgres_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/live"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/tenant"
)

func issue(t *testing.T, s *postgres.TicketStore, p tenant.Principal) string {
	t.Helper()
	ticket, err := s.Issue(t.Context(), p, live.TicketTTL)
	if err != nil {
		t.Fatal(err)
	}
	return ticket
}

func TestTicketRedeemsOnceForItsPrincipal(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	s := postgres.NewTicketStore(postgres.NewDB(pool))
	m := provision(t, postgres.NewDB(pool), 0)
	p := m.principal()
	p.Email, p.Roles = "someone@example.test", []tenant.Role{tenant.RoleUser, tenant.RoleOperator}
	ticket := issue(t, s, p)
	other := issue(t, s, p)
	if ticket == other || len(ticket) != 43 || strings.ContainsAny(ticket, "+/=") {
		t.Fatalf("tickets %q and %q: want two distinct 43-character base64url strings", ticket, other)
	}
	// Only the hash is stored.
	if n := count(t, pool, `select count(*) from public.event_tickets where hash = sha256(convert_to($1, 'UTF8'))
		and user_id = $2 and account_id = $3 and expires_at > now() and expires_at <= now() + interval '31 seconds'`,
		ticket, m.user, m.account); n != 1 {
		t.Fatalf("%d rows hold the ticket's hash, its principal and a 30 s expiry; want 1", n)
	}
	if n := count(t, pool, `select count(*) from public.event_tickets where position(convert_to($1, 'UTF8') in hash) > 0`,
		ticket); n != 0 {
		t.Fatal("the ticket itself is stored")
	}

	got, err := s.Redeem(t.Context(), ticket)
	if err != nil {
		t.Fatal(err)
	}
	// The ticket grants a user's access to its account, never more (no operator role).
	if got.UserID != m.user || got.AccountID != m.account || !slices.Equal(got.Roles, []tenant.Role{tenant.RoleUser}) {
		t.Fatalf("Redeem = %+v, want the user of the account", got)
	}
	if _, err := s.Redeem(t.Context(), ticket); !errors.Is(err, live.ErrTicket) {
		t.Fatalf("second Redeem = %v, want ErrTicket", err)
	}
	if got, err := s.Redeem(t.Context(), other); err != nil || got.UserID != m.user {
		t.Fatalf("the other ticket = %+v, %v", got, err)
	}
}

func TestTicketConcurrentRedeemsOneWins(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	s := postgres.NewTicketStore(db)
	ticket := issue(t, s, provision(t, db, 0).principal())
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.Redeem(t.Context(), ticket)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, live.ErrTicket):
			t.Errorf("Redeem = %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d redemptions won, want exactly 1", won)
	}
}

func TestTicketExpiredOrUnknownIsRefused(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	s := postgres.NewTicketStore(db)
	m := provision(t, db, 0)
	expired := issue(t, s, m.principal())
	if _, err := pool.Exec(t.Context(), `update public.event_tickets set expires_at = now() - interval '1 second'
		where hash = sha256(convert_to($1, 'UTF8'))`, expired); err != nil {
		t.Fatal(err)
	}
	valid := issue(t, s, m.principal())
	for name, ticket := range map[string]string{
		"expired":          expired,
		"unknown":          strings.Repeat("A", 43),
		"empty":            "",
		"too long":         valid + "A",
		"one char changed": valid[:42] + map[bool]string{true: "B", false: "A"}[valid[42] == 'A'],
	} {
		if _, err := s.Redeem(t.Context(), ticket); !errors.Is(err, live.ErrTicket) {
			t.Errorf("%s: Redeem = %v, want ErrTicket", name, err)
		}
	}
	if _, err := s.Redeem(t.Context(), valid); err != nil {
		t.Fatalf("the valid ticket was consumed by a failed attempt: %v", err)
	}
	if n := count(t, pool, `select count(*) from public.event_tickets where hash = sha256(convert_to($1, 'UTF8'))`, expired); n != 1 {
		t.Fatalf("an expired ticket's redemption deleted it (%d rows); retention does", n)
	}
}

func TestTicketIssueNeedsAUserAndAnAccount(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	s := postgres.NewTicketStore(db)
	m := provision(t, db, 0)
	for name, p := range map[string]tenant.Principal{
		"no user":    {AccountID: m.account},
		"no account": {UserID: m.user},
	} {
		if _, err := s.Issue(t.Context(), p, time.Minute); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
	if _, err := s.Issue(t.Context(), m.principal(), 0); err == nil {
		t.Error("a ticket without a lifetime was issued")
	}
}

func TestPurgeExpiredTickets(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t) // counts the whole table
	db := postgres.NewDB(pool)
	s := postgres.NewTicketStore(db)
	m := provision(t, db, 0)
	var tickets []string
	for range 3 {
		tickets = append(tickets, issue(t, s, m.principal()))
	}
	if _, err := pool.Exec(t.Context(), `update public.event_tickets set expires_at = now() - interval '1 minute'
		where hash <> sha256(convert_to($1, 'UTF8'))`, tickets[2]); err != nil {
		t.Fatal(err)
	}
	store := postgres.NewMaintenanceStore(db)
	for i, want := range []int64{1, 1, 0} {
		if n, err := store.Purge(t.Context(), maintenance.TargetEventTickets, time.Now(), 1); err != nil || n != want {
			t.Fatalf("batch %d = %d, %v; want %d", i, n, err, want)
		}
	}
	if _, err := s.Redeem(t.Context(), tickets[2]); err != nil {
		t.Fatalf("the live ticket was purged: %v", err)
	}
}
