package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/workflow"
)

// analysisFixture is an account with a balance and a live business profile, and an
// AnalysisStore on the test database.
type analysisFixture struct {
	store   *postgres.AnalysisStore
	pool    *pgxpool.Pool
	m       member
	profile string
}

func newAnalysisFixture(t *testing.T, credits int64) analysisFixture {
	t.Helper()
	return newAnalysisFixtureOn(t, pgtest.Pool(t), credits)
}

func newAnalysisFixtureOn(t *testing.T, pool *pgxpool.Pool, credits int64) analysisFixture {
	t.Helper()
	db := postgres.NewDB(pool)
	store, err := postgres.NewAnalysisStore(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := provision(t, db, 0)
	pgtest.FundAccount(t, pool, m.account, credits)
	return analysisFixture{store: store, pool: pool, m: m, profile: insertProfile(t, pool, m.account)}
}

// insertProfile creates a live business profile of the account.
func insertProfile(t *testing.T, pool *pgxpool.Pool, accountID string) string {
	t.Helper()
	var id string
	err := pool.QueryRow(t.Context(), `insert into public.business_profiles (account_id, business_name)
		values ($1, 'Acme') returning id::text`, accountID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f analysisFixture) sub(username string, typ analysis.Type) analyze.Submission {
	cost, _ := typ.Cost()
	return analyze.Submission{AccountID: f.m.account, BusinessProfileID: f.profile, Username: username,
		Type: typ, Credits: cost.Int64(), RequestedBy: f.m.user}
}

func noStart(context.Context, analyze.Analysis) error { return nil }

// submit creates a light analysis of username, failing the test on error.
func (f analysisFixture) submit(t *testing.T, username string) analyze.Analysis {
	t.Helper()
	a, err := f.store.Submit(t.Context(), f.sub(username, analysis.Light), noStart)
	if err != nil {
		t.Fatalf("submit %s: %v", username, err)
	}
	return a
}

func (f analysisFixture) balance(t *testing.T) int64 {
	t.Helper()
	return storedBalance(t, f.pool, f.m.account)
}

// entries counts the account's ledger entries of kind for reference (any when "").
func (f analysisFixture) entries(t *testing.T, kind credit.EntryKind, ref string) int {
	t.Helper()
	return count(t, f.pool, `select count(*) from public.credit_ledger
		where account_id = $1 and kind = $2 and ($3 = '' or reference = $3)`, f.m.account, string(kind), ref)
}

func (f analysisFixture) analyses(t *testing.T) int {
	t.Helper()
	return count(t, f.pool, `select count(*) from public.analyses where account_id = $1`, f.m.account)
}

func TestSubmitCreatesDebitsAndStartsInOneTransaction(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	marks := markerTable(t, postgres.NewDB(f.pool))
	var started []analyze.Analysis
	start := func(ctx context.Context, a analyze.Analysis) error {
		tx, ok := workflow.TxFrom(ctx).(pgx.Tx)
		if !ok {
			return errors.New("no transaction in the start context")
		}
		started = append(started, a)
		_, err := tx.Exec(ctx, `insert into `+marks+` default values`)
		return err
	}
	a, err := f.store.Submit(t.Context(), f.sub("ada.lovelace", analysis.Deep), start)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.AccountID != f.m.account || a.BusinessProfileID != f.profile || a.Username != "ada.lovelace" ||
		a.Type != analysis.Deep || a.Credits != 2 || a.Status != analysis.Pending || a.Outcome != "" ||
		a.Step != "queued" || a.Progress != 0 || a.BatchID != "" || a.CreatedAt.IsZero() || !a.StartedAt.IsZero() {
		t.Errorf("analysis = %+v", a)
	}
	if len(started) != 1 || started[0].ID != a.ID {
		t.Errorf("start called with %+v, want the analysis %s once", started, a.ID)
	}
	if n := count(t, f.pool, `select count(*) from `+marks); n != 1 {
		t.Errorf("%d start marks committed, want 1", n)
	}
	if b := f.balance(t); b != 8 {
		t.Errorf("balance = %d, want 10 - 2", b)
	}
	if n := count(t, f.pool, `select count(*) from public.credit_ledger where account_id = $1 and kind = 'analysis_debit'
		and delta = -2 and reference = $2 and created_by = $3 and description = 'deep analysis of @ada.lovelace'`,
		f.m.account, analyze.RunID(a.ID), f.m.user); n != 1 {
		t.Errorf("%d matching debits, want 1", n)
	}
	got, err := f.store.Load(t.Context(), a.ID)
	if err != nil || got.ID != a.ID || got.Status != analysis.Pending || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("Load = %+v, %v", got, err)
	}
}

func TestSubmitFailingStartKeepsNothing(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	boom := errors.New("engine down")
	_, err := f.store.Submit(t.Context(), f.sub("grace", analysis.Light), func(context.Context, analyze.Analysis) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the start's error", err)
	}
	if n := f.analyses(t); n != 0 {
		t.Errorf("%d analyses kept", n)
	}
	if b, n := f.balance(t), f.entries(t, credit.AnalysisDebit, ""); b != 10 || n != 0 {
		t.Errorf("balance %d with %d debits, want 10 and none", b, n)
	}
	// Nothing is left in flight: the same handle can be submitted again.
	f.submit(t, "grace")
}

func TestSubmitInsufficientBalanceKeepsNothing(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 2)
	called := false
	_, err := f.store.Submit(t.Context(), f.sub("grace", analysis.XRay), func(context.Context, analyze.Analysis) error { called = true; return nil })
	if !errors.Is(err, credit.ErrInsufficient) {
		t.Fatalf("err = %v, want credit.ErrInsufficient", err)
	}
	if called || f.analyses(t) != 0 || f.balance(t) != 2 {
		t.Errorf("start called %v, %d analyses, balance %d", called, f.analyses(t), f.balance(t))
	}
}

func TestSubmitNeedsTheAccountsLiveProfile(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	other := newAnalysisFixture(t, 10)
	deleted := insertProfile(t, f.pool, f.m.account)
	if _, err := f.pool.Exec(t.Context(), `update public.business_profiles set deleted_at = now() where id = $1`, deleted); err != nil {
		t.Fatal(err)
	}
	for name, profile := range map[string]string{"foreign": other.profile, "deleted": deleted, "not a uuid": "x", "absent": newUUID()} {
		s := f.sub("grace", analysis.Light)
		s.BusinessProfileID = profile
		if _, err := f.store.Submit(t.Context(), s, noStart); !errors.Is(err, business.ErrNotFound) {
			t.Errorf("%s profile: err = %v, want business.ErrNotFound", name, err)
		}
		b := analyze.BatchSubmission{AccountID: f.m.account, BusinessProfileID: profile, Usernames: []string{"a"}, Type: analysis.Light, Credits: 1}
		if _, _, err := f.store.SubmitBatch(t.Context(), b, noStart); !errors.Is(err, business.ErrNotFound) {
			t.Errorf("%s profile: batch err = %v, want business.ErrNotFound", name, err)
		}
	}
	if f.analyses(t) != 0 || f.balance(t) != 10 {
		t.Errorf("%d analyses, balance %d", f.analyses(t), f.balance(t))
	}
}

// An acceptance item of the issue: 50 concurrent submits of one handle make one analysis.
func TestSubmitConcurrentSameHandleMakesOneAnalysis(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixtureOn(t, contendedPool(t, 16), 100)
	const callers = 50
	results := make([]analyze.Analysis, callers)
	errs := make([]error, callers)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-gate
			results[i], errs[i] = f.store.Submit(context.WithoutCancel(t.Context()), f.sub("same.handle", analysis.Light), noStart)
		})
	}
	close(gate)
	wg.Wait()

	var winner string
	for i, err := range errs {
		if err == nil {
			if winner != "" {
				t.Fatalf("two submits succeeded: %s and %s", winner, results[i].ID)
			}
			winner = results[i].ID
		}
	}
	if winner == "" {
		t.Fatalf("no submit succeeded: %v", errs[0])
	}
	for i, err := range errs {
		var dup *analyze.DuplicateError
		if err != nil && (!errors.As(err, &dup) || !maps.Equal(dup.Existing, map[string]string{"same.handle": winner})) {
			t.Errorf("submit #%d: err = %v, want a DuplicateError naming %s", i, err, winner)
		}
	}
	if n := f.analyses(t); n != 1 {
		t.Errorf("%d analyses, want 1", n)
	}
	if b, n := f.balance(t), f.entries(t, credit.AnalysisDebit, ""); b != 99 || n != 1 {
		t.Errorf("balance %d with %d debits, want 99 and 1", b, n)
	}
}

func TestSubmitDuplicateOnlyWhileInFlight(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	a := f.submit(t, "grace")
	_, err := f.store.Submit(t.Context(), f.sub("grace", analysis.Deep), noStart)
	var dup *analyze.DuplicateError
	if !errors.As(err, &dup) || dup.Existing["grace"] != a.ID || !errors.Is(err, analyze.ErrDuplicate) {
		t.Fatalf("second submit: err = %v, want a DuplicateError naming %s", err, a.ID)
	}
	// Another profile of the account is another key.
	s := f.sub("grace", analysis.Light)
	s.BusinessProfileID = insertProfile(t, f.pool, f.m.account)
	if _, err := f.store.Submit(t.Context(), s, noStart); err != nil {
		t.Fatalf("submit for another profile: %v", err)
	}
	// Running is still in flight; finished is not.
	if _, ok, err := f.store.MarkRunning(t.Context(), a.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := f.store.Submit(t.Context(), f.sub("grace", analysis.Light), noStart); !errors.As(err, &dup) {
		t.Fatalf("submit while running: err = %v, want a DuplicateError", err)
	}
	finish(t, f, analyze.Finish{ID: a.ID, Outcome: analysis.NotFound})
	again := f.submit(t, "grace")
	if again.ID == a.ID {
		t.Error("the finished analysis was returned again")
	}
	if b := f.balance(t); b != 10-1-1+1-1 {
		t.Errorf("balance = %d, want 8", b)
	}
}

func TestSubmitBatchAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	batch := func(names ...string) analyze.BatchSubmission {
		return analyze.BatchSubmission{AccountID: f.m.account, BusinessProfileID: f.profile, Usernames: names,
			Type: analysis.Deep, Credits: 2, RequestedBy: f.m.user}
	}
	var started []string
	start := func(ctx context.Context, a analyze.Analysis) error {
		if _, ok := workflow.TxFrom(ctx).(pgx.Tx); !ok {
			return errors.New("no transaction")
		}
		started = append(started, a.ID)
		return nil
	}
	b, items, err := f.store.SubmitBatch(t.Context(), batch("c.one", "a.two", "b.three"), start)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID == "" || b.AccountID != f.m.account || b.BusinessProfileID != f.profile || b.Type != analysis.Deep || b.Total != 3 || b.CreatedAt.IsZero() {
		t.Errorf("batch = %+v", b)
	}
	if len(items) != 3 || len(started) != 3 {
		t.Fatalf("%d items, %d started, want 3 and 3", len(items), len(started))
	}
	for i, name := range []string{"c.one", "a.two", "b.three"} {
		a := items[i]
		if a.Username != name || a.BatchID != b.ID || a.Status != analysis.Pending || a.Credits != 2 || started[i] != a.ID {
			t.Errorf("item %d = %+v, want %s of the batch, started in order", i, a, name)
		}
		if n := f.entries(t, credit.AnalysisDebit, analyze.RunID(a.ID)); n != 1 {
			t.Errorf("%s: %d debits", name, n)
		}
	}
	if bal := f.balance(t); bal != 4 {
		t.Fatalf("balance = %d, want 10 - 3×2", bal)
	}

	// Handles in flight: every one is named, nothing else is created.
	_, _, err = f.store.SubmitBatch(t.Context(), batch("new.one", "a.two", "c.one"), noStart)
	var dup *analyze.DuplicateError
	if !errors.As(err, &dup) || !maps.Equal(dup.Existing, map[string]string{"a.two": items[1].ID, "c.one": items[0].ID}) {
		t.Fatalf("err = %v, want a DuplicateError naming a.two and c.one", err)
	}
	// Short of credits halfway (4 left, 3×2 needed): nothing is kept.
	_, _, err = f.store.SubmitBatch(t.Context(), batch("x.1", "x.2", "x.3"), noStart)
	if !errors.Is(err, credit.ErrInsufficient) {
		t.Fatalf("err = %v, want credit.ErrInsufficient", err)
	}
	// A start failing on the last item: nothing is kept either.
	boom := errors.New("engine down")
	n := 0
	_, _, err = f.store.SubmitBatch(t.Context(), batch("y.1", "y.2"), func(context.Context, analyze.Analysis) error {
		if n++; n == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the start's error", err)
	}
	if f.analyses(t) != 3 || f.balance(t) != 4 || f.entries(t, credit.AnalysisDebit, "") != 3 ||
		count(t, f.pool, `select count(*) from public.analysis_batches where account_id = $1`, f.m.account) != 1 {
		t.Errorf("after refused batches: %d analyses, balance %d, want 3 and 4 and one batch", f.analyses(t), f.balance(t))
	}
}

func TestBulkLimitFollowsTheSubscription(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 0)
	limit := func() int {
		t.Helper()
		n, err := f.store.BulkLimit(t.Context(), f.m.account)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := limit(); n != 5 {
		t.Errorf("no subscription: %d, want the free plan's 5", n)
	}
	_, err := f.pool.Exec(t.Context(), `insert into public.subscriptions (account_id, plan, status, stripe_subscription_id, stripe_updated_at)
		values ($1, 'pro', 'active', $2, now())`, f.m.account, "sub_"+f.m.account)
	if err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string]int{"active": 100, "trialing": 100, "past_due": 100, "canceled": 5, "unpaid": 5, "incomplete": 5} {
		if _, err := f.pool.Exec(t.Context(), `update public.subscriptions set status = $2 where account_id = $1`, f.m.account, status); err != nil {
			t.Fatal(err)
		}
		if n := limit(); n != want {
			t.Errorf("pro %s: %d, want %d", status, n, want)
		}
	}
	if n, err := f.store.BulkLimit(t.Context(), "not-a-uuid"); n != 5 || err != nil {
		t.Errorf("BulkLimit(not a uuid) = %d, %v", n, err)
	}
}

// Two bulk requests naming the same handles in opposite orders must not deadlock: one wins,
// the other is told which handles are in flight.
func TestSubmitBatchesInOppositeOrdersDoNotDeadlock(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixtureOn(t, contendedPool(t, 4), 1000)
	names := make([]string, 30)
	for i := range names {
		names[i] = fmt.Sprintf("h%02d", i)
	}
	reversed := slices.Clone(names)
	slices.Reverse(reversed)
	for round := range 5 {
		profile := insertProfile(t, f.pool, f.m.account)
		errs := make([]error, 2)
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for i, list := range [][]string{names, reversed} {
			wg.Go(func() {
				<-gate
				_, _, errs[i] = f.store.SubmitBatch(context.WithoutCancel(t.Context()), analyze.BatchSubmission{AccountID: f.m.account,
					BusinessProfileID: profile, Usernames: list, Type: analysis.Light, Credits: 1}, noStart)
			})
		}
		close(gate)
		wg.Wait()
		var dup *analyze.DuplicateError
		ok := (errs[0] == nil) != (errs[1] == nil) && (errors.As(errs[0], &dup) || errors.As(errs[1], &dup)) && len(dup.Existing) == len(names)
		if !ok {
			t.Fatalf("round %d: errors %v and %v, want one success and one DuplicateError naming every handle", round, errs[0], errs[1])
		}
	}
}
