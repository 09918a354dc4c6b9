package postgres_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

func TestCreditIsolationBetweenAccounts(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	ledger := postgres.NewLedgerStore(db)
	a, b := provision(t, db, 25), provision(t, db, 25)
	if _, err := ledger.Apply(t.Context(), debit(b.account, "analysis:b", 5)); err != nil {
		t.Fatal(err)
	}

	// Through the user scope as A, with no WHERE clause at all: only A's rows.
	err := db.UserScope(t.Context(), a.principal(), func(ctx context.Context, q postgres.Querier) error {
		if got := ids(t, ctx, q, "select account_id::text from public.credit_ledger"); !slices.Equal(got, []string{a.account}) {
			t.Errorf("credit_ledger as A = %v, want only [%s]", got, a.account)
		}
		if got := ids(t, ctx, q, "select account_id::text from public.credit_balances"); !slices.Equal(got, []string{a.account}) {
			t.Errorf("credit_balances as A = %v, want only [%s]", got, a.account)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The stores with A's user but B's account: the SQL filter would let B through, RLS does not.
	forged := tenant.Principal{UserID: a.user, AccountID: b.account, Roles: []tenant.Role{tenant.RoleUser}}
	if _, err := ledger.Balance(t.Context(), forged); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Balance of B as A: %v, want NotFound", err)
	}
	page, err := ledger.Entries(t.Context(), forged, credit.EntryFilter{Limit: 100})
	if err != nil || len(page.Entries) != 0 || page.NextCursor != "" {
		t.Errorf("Entries of B as A = %+v, %v; want an empty page", page, err)
	}

	// The owners see their own.
	for _, tc := range []struct {
		m    member
		want int64
	}{{a, 25}, {b, 20}} {
		bal, err := ledger.Balance(t.Context(), tc.m.principal())
		if err != nil || bal.Available.Int64() != tc.want || bal.AccountID != tc.m.account || bal.UpdatedAt.IsZero() {
			t.Errorf("Balance of %s = %+v, %v; want %d", tc.m.account, bal, err, tc.want)
		}
	}
	if _, err := ledger.Balance(t.Context(), tenant.Principal{UserID: a.user, AccountID: "nope"}); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Balance of a malformed account id: %v, want NotFound", err)
	}
}

func TestEntriesPagination(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	ledger := postgres.NewLedgerStore(db)
	m := provision(t, db, 0)

	// 25 entries: 15 grants and 10 debits, interleaved.
	var debits []string
	for i := range 25 {
		req := credit.EntryRequest{AccountID: m.account, Kind: credit.AdminGrant, Amount: credit.MustAmount(2), Reference: "grant:" + strconv.Itoa(i)}
		if i%5 == 1 || i%5 == 3 {
			req = debit(m.account, "analysis:"+strconv.Itoa(i), 1)
		}
		r, err := ledger.Apply(t.Context(), req)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if req.Kind == credit.AnalysisDebit {
			debits = append(debits, r.Entry.ID)
		}
	}
	slices.Reverse(debits) // newest first

	walk := func(f credit.EntryFilter) (sizes []int, all []credit.Entry) {
		t.Helper()
		for range 10 {
			page, err := ledger.Entries(t.Context(), m.principal(), f)
			if err != nil {
				t.Fatalf("Entries(%+v): %v", f, err)
			}
			sizes = append(sizes, len(page.Entries))
			all = append(all, page.Entries...)
			if page.NextCursor == "" {
				return sizes, all
			}
			f.Cursor = page.NextCursor
		}
		t.Fatal("pagination did not end")
		return nil, nil
	}

	sizes, all := walk(credit.EntryFilter{Limit: 10})
	if !slices.Equal(sizes, []int{10, 10, 5}) {
		t.Errorf("page sizes %v, want [10 10 5]", sizes)
	}
	seen := map[string]bool{}
	for i, e := range all {
		if seen[e.ID] {
			t.Errorf("entry %s listed twice", e.ID)
		}
		seen[e.ID] = true
		if e.AccountID != m.account || e.Reference == "" || e.CreatedAt.IsZero() {
			t.Errorf("entry %d = %+v", i, e)
		}
		if i > 0 {
			prev := all[i-1]
			if e.CreatedAt.After(prev.CreatedAt) || (e.CreatedAt.Equal(prev.CreatedAt) && e.ID > prev.ID) {
				t.Errorf("entry %d (%v) is newer than entry %d (%v)", i, e.CreatedAt, i-1, prev.CreatedAt)
			}
		}
	}
	// Newest first: the last entry written (i = 24, a grant) leads with the final balance.
	if len(all) != 25 || all[0].Reference != "grant:24" || all[0].BalanceAfter.Int64() != 20 || all[24].Reference != "grant:0" {
		t.Errorf("order: first %+v, last %+v", all[0], all[len(all)-1])
	}

	kind := credit.AnalysisDebit
	sizes, all = walk(credit.EntryFilter{Kind: &kind, Limit: 4})
	if !slices.Equal(sizes, []int{4, 4, 2}) {
		t.Errorf("debit page sizes %v, want [4 4 2]", sizes)
	}
	got := make([]string, len(all))
	for i, e := range all {
		got[i] = e.ID
		if e.Kind != credit.AnalysisDebit || e.Delta != -1 {
			t.Errorf("filtered entry %+v", e)
		}
	}
	if !slices.Equal(got, debits) {
		t.Errorf("debit ids %v, want %v", got, debits)
	}

	// Exactly one page: no cursor. Limit 0 means the default page size.
	if page, err := ledger.Entries(t.Context(), m.principal(), credit.EntryFilter{Limit: 25}); err != nil || len(page.Entries) != 25 || page.NextCursor != "" {
		t.Errorf("limit 25: %d entries, cursor %q, %v", len(page.Entries), page.NextCursor, err)
	}
	if page, err := ledger.Entries(t.Context(), m.principal(), credit.EntryFilter{}); err != nil || len(page.Entries) != credit.DefaultPageSize {
		t.Errorf("limit 0: %d entries, %v; want %d", len(page.Entries), err, credit.DefaultPageSize)
	}
}

func TestEntriesRejectsBadCursors(t *testing.T) {
	t.Parallel()
	ledger := postgres.NewLedgerStore(pgtest.DB(t))
	p := tenant.Principal{UserID: newUUID(), AccountID: newUUID()}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	ts := time.Now().UTC().Format(time.RFC3339Nano)
	for _, c := range []string{
		"not base64!",
		enc("not json"),
		enc(`{"t":"yesterday","id":"` + newUUID() + `"}`),
		enc(`{"t":"` + ts + `","id":"42"}`),
		enc(`{"id":"` + newUUID() + `"}`),
		base64.StdEncoding.EncodeToString([]byte(`{"t":"`+ts+`","id":"`+newUUID()+`"}`)) + "==",
		enc(string(make([]byte, 300))),
	} {
		_, err := ledger.Entries(t.Context(), p, credit.EntryFilter{Cursor: c, Limit: 10})
		if apperr.KindOf(err) != apperr.Invalid || apperr.CodeOf(err) != apperr.CodeInvalidCursor {
			t.Errorf("cursor %q: %v, want Invalid/%s", c, err, apperr.CodeInvalidCursor)
		}
	}
	// A well-formed but hand-made cursor is refused too: cursors are signed.
	for _, c := range []string{
		enc(`{"t":"` + ts + `","id":"` + newUUID() + `"}`),
		enc(`{"t":"`+ts+`","id":"`+newUUID()+`"}`) + "." + enc("0123456789abcdef"),
	} {
		_, err := ledger.Entries(t.Context(), p, credit.EntryFilter{Cursor: c, Limit: 10})
		if apperr.CodeOf(err) != apperr.CodeInvalidCursor {
			t.Errorf("hand-made cursor %q: %v, want %s", c, err, apperr.CodeInvalidCursor)
		}
	}
}

// TestEntriesCursorsAreSigned: a cursor works unchanged with the key that made it, for the
// account it was made for; altered, moved to another account, or read under a rotated key it is
// request.invalid-cursor.
func TestEntriesCursorsAreSigned(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	key := postgres.CursorKey(strings.Repeat("k", postgres.MinCursorKeyBytes))
	ledger, err := postgres.NewLedgerReader(db, key)
	if err != nil {
		t.Fatal(err)
	}
	m := provision(t, db, 25)
	if _, err := ledger.Apply(t.Context(), credit.EntryRequest{AccountID: m.account, Kind: credit.AdminGrant,
		Amount: credit.MustAmount(5), Reference: "cursor-" + newUUID(), Description: "x"}); err != nil {
		t.Fatal(err)
	}
	first, err := ledger.Entries(t.Context(), m.principal(), credit.EntryFilter{Limit: 1})
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	cursor := first.NextCursor
	restarted, _ := postgres.NewLedgerReader(db, key) // same key: another instance, or after a restart
	second, err := restarted.Entries(t.Context(), m.principal(), credit.EntryFilter{Cursor: cursor, Limit: 1})
	if err != nil || len(second.Entries) != 1 || second.Entries[0].ID == first.Entries[0].ID {
		t.Fatalf("second page with the cursor: %+v, %v", second, err)
	}

	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
		return string(b)
	}
	rotated, _ := postgres.NewLedgerReader(db, postgres.CursorKey(strings.Repeat("r", postgres.MinCursorKeyBytes)))
	other := provision(t, db, 25)
	for name, tc := range map[string]struct {
		store  *postgres.LedgerStore
		p      tenant.Principal
		cursor string
	}{
		"payload altered":     {ledger, m.principal(), flip(cursor, 3)},
		"signature altered":   {ledger, m.principal(), flip(cursor, len(cursor)-2)},
		"signature removed":   {ledger, m.principal(), cursor[:strings.IndexByte(cursor, '.')]},
		"another account":     {ledger, other.principal(), cursor},
		"rotated key":         {rotated, m.principal(), cursor},
		"random-key instance": {postgres.NewLedgerStore(db), m.principal(), cursor},
	} {
		_, err := tc.store.Entries(t.Context(), tc.p, credit.EntryFilter{Cursor: tc.cursor, Limit: 1})
		if apperr.CodeOf(err) != apperr.CodeInvalidCursor {
			t.Errorf("%s: %v, want %s", name, err, apperr.CodeInvalidCursor)
		}
	}
	if _, err := postgres.NewLedgerReader(db, postgres.CursorKey("short")); err == nil {
		t.Error("a 5-byte cursor key was accepted")
	}
}

// BenchmarkBalance measures the hottest read: one balance as the user (claims, role and the
// single-row SELECT under RLS pipelined by UserRead: one round trip; it was three with
// UserScope's BEGIN … COMMIT, ~340 µs against ~190 µs now), next to the floor: the same SELECT
// sent alone on the pool as the login role (one round trip, no RLS).
func BenchmarkBalance(b *testing.B) {
	pool := pgtest.Pool(b)
	db := postgres.NewDB(pool)
	ledger := postgres.NewLedgerStore(db)
	p := provision(b, db, 25).principal()
	b.Run("user-scope", func(b *testing.B) {
		for b.Loop() {
			if _, err := ledger.Balance(b.Context(), p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare-pool", func(b *testing.B) {
		var n int64
		var at time.Time
		for b.Loop() {
			err := pool.QueryRow(b.Context(), "select balance, updated_at from public.credit_balances where account_id = $1", p.AccountID).Scan(&n, &at)
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
