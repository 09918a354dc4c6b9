package maintenance_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/maintenance"
)

type plans map[string]billing.Plan

func (p plans) Plan(_ context.Context, name string) (billing.Plan, bool, error) {
	pl, ok := p[name]
	return pl, ok, nil
}

// fakeAccounts pages ids like the store, skipping accounts granted in fakeLedger.
type fakeAccounts struct {
	ids    []string // sorted
	ledger *fakeLedger
	pages  []maintenance.FreeAccountQuery
}

func (f *fakeAccounts) FreeAccounts(_ context.Context, q maintenance.FreeAccountQuery) ([]string, error) {
	f.pages = append(f.pages, q)
	var out []string
	for _, id := range f.ids {
		if id > q.After && !f.ledger.has(id, q.Reference) && len(out) < q.Limit {
			out = append(out, id)
		}
	}
	return out, nil
}

type fakeLedger struct {
	mu      sync.Mutex
	entries map[string]credit.EntryRequest // account|reference
	missing map[string]bool                // accounts without a balance row
	fail    map[string]error
}

func newFakeLedger() *fakeLedger {
	return &fakeLedger{entries: map[string]credit.EntryRequest{}, missing: map[string]bool{}, fail: map[string]error{}}
}

func (l *fakeLedger) has(account, ref string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.entries[account+"|"+ref]
	return ok
}

func (l *fakeLedger) Apply(_ context.Context, r credit.EntryRequest) (credit.Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.fail[r.AccountID]; err != nil {
		return credit.Result{}, err
	}
	if l.missing[r.AccountID] {
		return credit.Result{}, apperr.New(apperr.NotFound, apperr.CodeNotFound, "no balance")
	}
	k := r.AccountID + "|" + r.Reference
	if _, ok := l.entries[k]; ok {
		return credit.Result{}, nil
	}
	l.entries[k] = r
	return credit.Result{Applied: true}, nil
}

func freePlans(credits int64) plans {
	return plans{billing.FreePlan: {Name: billing.FreePlan, DisplayName: "Free", CreditsPerMonth: credit.MustAmount(credits)}}
}

func TestFreeGrantPagesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	ledger := newFakeLedger()
	accounts := &fakeAccounts{ids: []string{"a1", "a2", "a3", "a4", "a5"}, ledger: ledger}
	ledger.missing["a4"] = true
	g := maintenance.NewFreeGrant(freePlans(10), accounts, ledger, maintenance.FreeGrantConfig{PageSize: 2, Concurrency: 2})

	rep, err := g.Run(t.Context(), "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Granted != 4 || rep.Vanished != 1 || rep.Credits != 10 || rep.Pages != 3 {
		t.Errorf("first run = %+v, want 4 granted, 1 vanished, 3 pages", rep)
	}
	if len(ledger.entries) != 4 {
		t.Fatalf("%d entries, want 4", len(ledger.entries))
	}
	e := ledger.entries["a1|free-grant:2026-03"]
	if e.Kind != credit.SubscriptionGrant || e.Amount.Int64() != 10 {
		t.Errorf("entry = %+v", e)
	}
	q := accounts.pages[0]
	if q.Kind != credit.SubscriptionGrant || q.Reference != "free-grant:2026-03" ||
		!slices.Equal(q.EntitledStatuses, []string{"trialing", "active", "past_due"}) {
		t.Errorf("query = %+v", q)
	}
	if accounts.pages[1].After != "a2" || accounts.pages[2].After != "a4" {
		t.Errorf("cursors = %q, %q", accounts.pages[1].After, accounts.pages[2].After)
	}

	rep, err = g.Run(t.Context(), "2026-03")
	if err != nil || rep.Granted != 0 || len(ledger.entries) != 4 {
		t.Errorf("second run = %+v, %v; %d entries", rep, err, len(ledger.entries))
	}
	// Another month grants again.
	if rep, err := g.Run(t.Context(), "2026-04"); err != nil || rep.Granted != 4 {
		t.Errorf("next month = %+v, %v", rep, err)
	}
}

func TestFreeGrantWithoutCreditsWritesNothing(t *testing.T) {
	t.Parallel()
	ledger := newFakeLedger()
	accounts := &fakeAccounts{ids: []string{"a1"}, ledger: ledger}
	for name, p := range map[string]plans{"zero credits": freePlans(0), "no free plan": {}} {
		g := maintenance.NewFreeGrant(p, accounts, ledger, maintenance.FreeGrantConfig{})
		rep, err := g.Run(t.Context(), "2026-03")
		if err != nil || rep.Granted != 0 || rep.Credits != 0 {
			t.Errorf("%s: %+v, %v", name, rep, err)
		}
	}
	if len(accounts.pages) != 0 || len(ledger.entries) != 0 {
		t.Errorf("read %d pages, wrote %d entries; want none", len(accounts.pages), len(ledger.entries))
	}
}

func TestFreeGrantStopsOnError(t *testing.T) {
	t.Parallel()
	ledger := newFakeLedger()
	boom := apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")
	ledger.fail["a2"] = boom
	accounts := &fakeAccounts{ids: []string{"a1", "a2", "a3", "a4", "a5", "a6"}, ledger: ledger}
	g := maintenance.NewFreeGrant(freePlans(10), accounts, ledger, maintenance.FreeGrantConfig{PageSize: 2, Concurrency: 1})
	if _, err := g.Run(t.Context(), "2026-03"); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the ledger's", err)
	}
	if len(accounts.pages) != 1 {
		t.Errorf("read %d pages after the failing one, want 1", len(accounts.pages))
	}
	if _, err := g.Run(t.Context(), "March"); err == nil {
		t.Error("a month that is not YYYY-MM was accepted")
	}
}

// staleAccounts lists every id whatever the ledger holds: the page read of a run that raced
// another run which granted the same accounts between the read and the grant.
type staleAccounts struct{ ids []string }

func (s staleAccounts) FreeAccounts(_ context.Context, q maintenance.FreeAccountQuery) ([]string, error) {
	var out []string
	for _, id := range s.ids {
		if id > q.After && len(out) < q.Limit {
			out = append(out, id)
		}
	}
	return out, nil
}

func TestFreeGrantCountsAccountsAConcurrentRunGranted(t *testing.T) {
	t.Parallel()
	ledger := newFakeLedger()
	ledger.entries["a2|free-grant:2026-03"] = credit.EntryRequest{AccountID: "a2"} // the other run's
	g := maintenance.NewFreeGrant(freePlans(10), staleAccounts{ids: []string{"a1", "a2", "a3"}}, ledger,
		maintenance.FreeGrantConfig{PageSize: 10, Concurrency: 1})
	rep, err := g.Run(t.Context(), "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Granted != 2 || rep.AlreadyGranted != 1 || rep.Vanished != 0 {
		t.Errorf("report = %+v, want 2 granted and 1 already granted", rep)
	}
	if got := rep.String(); got != "month=2026-03 credits=10 granted=2 already=1 vanished=0 pages=1" {
		t.Errorf("String() = %q", got)
	}
	if len(ledger.entries) != 3 {
		t.Errorf("%d entries, want 3 (no second entry for a2)", len(ledger.entries))
	}
}
