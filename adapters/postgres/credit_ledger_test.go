package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

func debit(accountID, ref string, n int64) credit.EntryRequest {
	return credit.EntryRequest{AccountID: accountID, Kind: credit.AnalysisDebit, Amount: credit.MustAmount(n), Reference: ref}
}

func TestApplyConcurrentDebitsNeverOverspend(t *testing.T) {
	t.Parallel()
	pool := contendedPool(t, 16)
	db := postgres.NewDB(pool)
	ledger := postgres.NewLedgerStore(db)
	m := provision(t, db, 10)

	const callers = 100
	results := make([]credit.Result, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			results[i], errs[i] = ledger.Apply(context.WithoutCancel(t.Context()), debit(m.account, "analysis:"+strconv.Itoa(i), 1))
		})
	}
	close(start)
	wg.Wait()

	var afters []int64
	refused := 0
	for i, err := range errs {
		switch {
		case err == nil:
			r := results[i]
			if !r.Applied || r.Entry.Delta != -1 || r.Entry.Kind != credit.AnalysisDebit || r.Entry.AccountID != m.account {
				t.Errorf("debit #%d = %+v", i, r)
			}
			afters = append(afters, r.Entry.BalanceAfter.Int64())
		case errors.Is(err, credit.ErrInsufficient):
			refused++
			if apperr.KindOf(err) != apperr.PaymentRequired || apperr.CodeOf(err) != credit.CodeInsufficient {
				t.Errorf("debit #%d: %v, want payment-required/%s", i, err, credit.CodeInsufficient)
			}
		default:
			t.Errorf("debit #%d: unexpected error %v", i, err)
		}
	}
	slices.Sort(afters)
	if want := []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}; !slices.Equal(afters, want) {
		t.Errorf("balance_after of the successful debits = %v, want %v", afters, want)
	}
	if refused != callers-10 {
		t.Errorf("%d debits refused with ErrInsufficient, want %d", refused, callers-10)
	}
	if b := storedBalance(t, pool, m.account); b != 0 {
		t.Errorf("final balance %d, want 0", b)
	}
	if n := count(t, pool, "select count(*) from public.credit_ledger where account_id = $1 and kind = 'analysis_debit'", m.account); n != 10 {
		t.Errorf("%d debit entries, want 10", n)
	}
	// The ledger explains the balance: the sum of the deltas is the balance.
	if n := count(t, pool, "select sum(delta) from public.credit_ledger where account_id = $1", m.account); n != 0 {
		t.Errorf("sum of deltas %d, want 0", n)
	}
}

func TestApplySameReferenceOnce(t *testing.T) {
	t.Parallel()
	pool := contendedPool(t, 16)
	db := postgres.NewDB(pool)
	ledger := postgres.NewLedgerStore(db)
	m := provision(t, db, 10)
	admin := pgtest.InsertUser(t, pool)

	// Sequentially: the second call changes nothing and returns the first entry as stored.
	grant := credit.EntryRequest{AccountID: m.account, Kind: credit.AdminGrant, Amount: credit.MustAmount(5),
		Reference: "admin:key-1", Description: "goodwill", CreatedBy: admin}
	first, err := ledger.Apply(t.Context(), grant)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Applied || first.Entry.Delta != 5 || first.Entry.BalanceAfter.Int64() != 15 ||
		first.Entry.Description != "goodwill" || first.Entry.CreatedBy != admin || first.Entry.ID == "" ||
		first.Entry.Reference != "admin:key-1" || first.Entry.CreatedAt.IsZero() {
		t.Fatalf("first grant = %+v", first)
	}
	retry := grant
	retry.Description, retry.CreatedBy, retry.Amount = "typo", "", credit.MustAmount(500)
	second, err := ledger.Apply(t.Context(), retry)
	if err != nil {
		t.Fatal(err)
	}
	if second.Applied || second.Entry != first.Entry {
		t.Errorf("second grant = %+v, want the first entry %+v with Applied false", second, first.Entry)
	}

	// Concurrently: 20 callers, one entry, one Applied.
	const callers = 20
	results := make([]credit.Result, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			results[i], errs[i] = ledger.Apply(context.WithoutCancel(t.Context()), debit(m.account, "analysis:same", 3))
		})
	}
	close(start)
	wg.Wait()
	applied := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("debit #%d: %v", i, err)
		}
		if results[i].Applied {
			applied++
		}
		if results[i].Entry != results[0].Entry {
			t.Errorf("debit #%d entry %+v differs from %+v", i, results[i].Entry, results[0].Entry)
		}
	}
	if applied != 1 {
		t.Errorf("Applied = true for %d calls, want 1", applied)
	}
	if n := count(t, pool, "select count(*) from public.credit_ledger where account_id = $1 and reference = 'analysis:same'", m.account); n != 1 {
		t.Errorf("%d entries for the reference, want 1", n)
	}
	if b := storedBalance(t, pool, m.account); b != 12 {
		t.Errorf("balance %d, want 10 + 5 - 3 = 12", b)
	}

	// The same reference under another kind is another entry (a refund of that analysis).
	refund := credit.EntryRequest{AccountID: m.account, Kind: credit.AnalysisRefund, Amount: credit.MustAmount(3), Reference: "analysis:same"}
	if r, err := ledger.Apply(t.Context(), refund); err != nil || !r.Applied || r.Entry.BalanceAfter.Int64() != 15 {
		t.Errorf("refund = %+v, %v; want applied, balance 15", r, err)
	}
}

func TestApplySemantics(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	ledger := postgres.NewLedgerStore(db)

	apply := func(acc string, kind credit.EntryKind, n int64, ref string) (credit.Result, error) {
		return ledger.Apply(t.Context(), credit.EntryRequest{AccountID: acc, Kind: kind, Amount: credit.MustAmount(n), Reference: ref})
	}
	steps := []struct {
		kind      credit.EntryKind
		amount    int64
		wantDelta int64
		wantAfter int64
	}{
		{credit.Purchase, 100, 100, 103},
		{credit.SubscriptionGrant, 250, 250, 353},
		{credit.AnalysisDebit, 3, -3, 350},
		{credit.AnalysisRefund, 3, 3, 353},
		{credit.AdminGrant, 7, 7, 360},
		{credit.AnalysisDebit, 360, -360, 0},
		{credit.Chargeback, 10, 0, 0}, // nothing left to take: recorded once with delta 0
		{credit.AdminGrant, 3, 3, 3},
		{credit.Chargeback, 10, -3, 0}, // floors at zero
	}
	m := provision(t, db, 3)
	if _, err := apply(m.account, credit.AnalysisDebit, 4, "too-much"); !errors.Is(err, credit.ErrInsufficient) {
		t.Fatalf("debit above the balance: %v, want ErrInsufficient", err)
	}
	for i, s := range steps {
		r, err := apply(m.account, s.kind, s.amount, "step:"+strconv.Itoa(i))
		if err != nil {
			t.Fatalf("step %d (%s %d): %v", i, s.kind, s.amount, err)
		}
		if !r.Applied || r.Entry.Delta != s.wantDelta || r.Entry.BalanceAfter.Int64() != s.wantAfter {
			t.Errorf("step %d (%s %d) = delta %d, after %d; want %d, %d", i, s.kind, s.amount,
				r.Entry.Delta, r.Entry.BalanceAfter.Int64(), s.wantDelta, s.wantAfter)
		}
	}
	if b := storedBalance(t, pool, m.account); b != 0 {
		t.Errorf("balance %d, want 0", b)
	}
	// 3 (bonus) plus the steps; the refused debit wrote nothing.
	if n := count(t, pool, "select count(*) from public.credit_ledger where account_id = $1", m.account); n != 1+len(steps) {
		t.Errorf("%d entries, want %d", n, 1+len(steps))
	}

	// An account without a balance row, an unknown account, a malformed id: NotFound.
	bare := pgtest.InsertAccount(t, pool, pgtest.InsertUser(t, pool))
	for _, acc := range []string{bare, newUUID(), "nope"} {
		if _, err := apply(acc, credit.AdminGrant, 1, "x"); apperr.KindOf(err) != apperr.NotFound || apperr.CodeOf(err) != apperr.CodeNotFound {
			t.Errorf("apply on %q: %v, want NotFound", acc, err)
		}
	}
	// The factory creates the row through the same function.
	if b := pgtest.FundAccount(t, pool, bare, 4); b != 4 {
		t.Errorf("FundAccount balance %d, want 4", b)
	}

	// Bad requests: amount 0, an empty reference, an unknown kind, a balance above the maximum.
	bad := []credit.EntryRequest{
		{AccountID: m.account, Kind: credit.AdminGrant, Reference: "zero"},
		{AccountID: m.account, Kind: credit.AnalysisDebit, Reference: "zero-debit"},
		{AccountID: m.account, Kind: credit.AdminGrant, Amount: credit.MustAmount(1)},
		{AccountID: m.account, Kind: "gift", Amount: credit.MustAmount(1), Reference: "gift"},
		{AccountID: m.account, Kind: credit.AdminGrant, Amount: credit.MustAmount(1), Reference: "bad-actor", CreatedBy: "nobody"},
	}
	for _, req := range bad {
		if _, err := ledger.Apply(t.Context(), req); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("Apply(%+v): %v, want Invalid", req, err)
		}
	}
	if _, err := apply(m.account, credit.Purchase, credit.MaxAmount, "max"); err != nil {
		t.Fatalf("grant of MaxAmount on an empty balance: %v", err)
	}
	if _, err := apply(m.account, credit.Purchase, 1, "max+1"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("grant above MaxAmount: %v, want Invalid", err)
	}
	if b := storedBalance(t, pool, m.account); b != credit.MaxAmount {
		t.Errorf("balance %d after refused grants, want %d", b, credit.MaxAmount)
	}
}

func TestLedgerIsAppendOnly(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	m := provision(t, db, 25)

	for _, sql := range []string{
		"update public.credit_ledger set delta = 1000 where account_id = $1",
		"update public.credit_ledger set description = 'edited' where account_id = $1",
		"delete from public.credit_ledger where account_id = $1",
		"truncate public.credit_ledger",
	} {
		err := db.AdminScope(t.Context(), func(ctx context.Context, q postgres.Querier) error {
			if _, err := q.Exec(ctx, "set local lock_timeout = '10s'"); err != nil {
				return err
			}
			args := []any{m.account}
			if sql == "truncate public.credit_ledger" {
				args = nil
			}
			_, err := q.Exec(ctx, sql, args...)
			return err
		})
		if apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v, want Forbidden", sql, err)
		}
	}
	if n := count(t, pool, "select count(*) from public.credit_ledger where account_id = $1 and delta = 25 and description = 'Welcome bonus'", m.account); n != 1 {
		t.Errorf("the bonus entry changed: %d matching rows, want 1", n)
	}

	// Through the user scope nothing can be written at all, and the ledger function is not callable.
	for _, sql := range []string{
		"insert into public.credit_ledger (account_id, kind, delta, balance_after, reference) values ($1, 'admin_grant', 5, 30, 'forged')",
		"update public.credit_balances set balance = 1000 where account_id = $1",
		"select * from app.apply_credit($1, 'admin_grant', 5, 'forged', '', null)",
		"select * from app.provision_account($1, null, null, null, 1000)",
	} {
		err := db.UserScope(t.Context(), m.principal(), func(ctx context.Context, q postgres.Querier) error {
			_, err := q.Exec(ctx, sql, m.account)
			return err
		})
		if apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("user scope: %s: %v, want Forbidden", sql, err)
		}
	}

	// The foreign keys' cascades still work: an admin who granted credits can be deleted (the
	// entry keeps its place with created_by cleared), and a deleted account takes its entries.
	admin := pgtest.InsertUser(t, pool)
	_, err := postgres.NewLedgerStore(db).Apply(t.Context(), credit.EntryRequest{AccountID: m.account,
		Kind: credit.AdminGrant, Amount: credit.MustAmount(1), Reference: "admin:cascade", CreatedBy: admin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(t.Context(), "delete from public.users where id = $1", admin); err != nil {
		t.Fatalf("delete a user who wrote entries: %v", err)
	}
	if n := count(t, pool, "select count(*) from public.credit_ledger where reference = 'admin:cascade' and created_by is null"); n != 1 {
		t.Errorf("%d entries with created_by cleared, want 1", n)
	}
	if _, err := pool.Exec(t.Context(), "delete from public.accounts where id = $1", m.account); err != nil {
		t.Fatalf("delete an account: %v", err)
	}
	if n := count(t, pool, "select count(*) from public.credit_ledger where account_id = $1", m.account); n != 0 {
		t.Errorf("%d entries left after deleting the account, want 0", n)
	}
}

// Balance and Entries need a principal; a principal without a user is refused before any query.
func TestReaderNeedsAUser(t *testing.T) {
	t.Parallel()
	ledger := postgres.NewLedgerStore(pgtest.DB(t))
	p := tenant.Principal{AccountID: newUUID()}
	if _, err := ledger.Balance(t.Context(), p); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("Balance: %v, want Unauthenticated", err)
	}
	if _, err := ledger.Entries(t.Context(), p, credit.EntryFilter{Limit: 10}); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("Entries: %v, want Unauthenticated", err)
	}
}
