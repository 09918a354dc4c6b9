package maintenance

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
)

// PlanSource reads plans (billing.Store satisfies it).
type PlanSource interface {
	Plan(ctx context.Context, name string) (p billing.Plan, found bool, err error)
}

// FreeAccountQuery selects one page of accounts due a free-plan grant.
type FreeAccountQuery struct {
	// After is the last account id of the previous page ("" for the first page); ids ascend.
	After string
	Limit int
	// EntitledStatuses are the subscription statuses that give an account its paid plan
	// (billing.Status.Entitled); an account whose subscription has one of them and a plan other
	// than the free one is not on the free plan.
	EntitledStatuses []string
	// Kind and Reference name the grant: accounts that already have a ledger entry with them
	// are skipped.
	Kind      credit.EntryKind
	Reference string
}

// FreeAccountSource lists accounts on the free plan, a page at a time.
type FreeAccountSource interface {
	// FreeAccounts returns up to q.Limit ids of accounts, ascending and greater than q.After,
	// that are on the free plan (no subscription, or one that is not entitled or is on the free
	// plan), are neither deleted nor suspended, have a credit balance, and have no ledger entry
	// (q.Kind, q.Reference) yet. Fewer than q.Limit ids means the last page.
	FreeAccounts(ctx context.Context, q FreeAccountQuery) ([]string, error)
}

// FreeGrantConfig tunes FreeGrant. Zero fields take the defaults.
type FreeGrantConfig struct {
	PageSize    int // accounts read per page; default 500
	Concurrency int // ledger calls in flight at once; default 4
}

// Defaults of FreeGrantConfig.
const (
	DefaultFreeGrantPageSize    = 500
	DefaultFreeGrantConcurrency = 4
)

// FreeGrant gives every account on the free plan the free plan's monthly credits, once per
// calendar month: a subscription_grant ledger entry with reference FreeGrantReference(month).
// Accounts are read in keyset pages, so memory stays flat however many there are. A free plan
// that grants 0 credits (or does not exist) makes a run do nothing and write nothing.
//
// Idempotent: the page query skips accounts that already have the month's entry, and the
// ledger refuses a second entry with the same (account, kind, reference) even when two runs
// race. An account that becomes paid while a run is under way may still get the month's free
// credits (harmless: they add to its balance).
type FreeGrant struct {
	plans    PlanSource
	accounts FreeAccountSource
	ledger   credit.Ledger
	cfg      FreeGrantConfig
}

// FreeGrantReport says what one run did.
type FreeGrantReport struct {
	Month          string
	Credits        int64 // per account; 0 when the free plan grants nothing
	Granted        int   // entries written by this run
	AlreadyGranted int   // accounts the ledger found granted (a concurrent run got there first)
	Vanished       int   // accounts deleted between the page read and the grant
	Pages          int
}

// String summarises the report for the run log.
func (r FreeGrantReport) String() string {
	return fmt.Sprintf("month=%s credits=%d granted=%d already=%d vanished=%d pages=%d",
		r.Month, r.Credits, r.Granted, r.AlreadyGranted, r.Vanished, r.Pages)
}

// FreeGrantReference is the ledger reference of the free grant of month ("2026-03").
func FreeGrantReference(month string) string { return "free-grant:" + month }

// NewFreeGrant returns the use case. It logs nothing: a failure is returned (the scheduler logs it)
// and everything else is counted in the report.
func NewFreeGrant(plans PlanSource, accounts FreeAccountSource, ledger credit.Ledger, cfg FreeGrantConfig) *FreeGrant {
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultFreeGrantPageSize
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultFreeGrantConcurrency
	}
	return &FreeGrant{plans: plans, accounts: accounts, ledger: ledger, cfg: cfg}
}

// entitledStatuses lists billing's entitled statuses for the page query.
func entitledStatuses() []string {
	var out []string
	for _, s := range billing.Statuses() {
		if s.Entitled() {
			out = append(out, string(s))
		}
	}
	return out
}

// Run grants month's free credits ("YYYY-MM"). It stops at the first error other than a
// vanished account; running it again continues where it stopped, in effect.
func (g *FreeGrant) Run(ctx context.Context, month string) (FreeGrantReport, error) {
	rep := FreeGrantReport{Month: month}
	if _, err := time.Parse(monthLayout, month); err != nil {
		return rep, fmt.Errorf("free grant: month %q is not YYYY-MM", month)
	}
	plan, found, err := g.plans.Plan(ctx, billing.FreePlan)
	if err != nil {
		return rep, fmt.Errorf("free grant: read the free plan: %w", err)
	}
	if !found || plan.CreditsPerMonth.IsZero() {
		return rep, nil
	}
	rep.Credits = plan.CreditsPerMonth.Int64()
	q := FreeAccountQuery{
		Limit: g.cfg.PageSize, EntitledStatuses: entitledStatuses(),
		Kind: credit.SubscriptionGrant, Reference: FreeGrantReference(month),
	}
	for {
		ids, err := g.accounts.FreeAccounts(ctx, q)
		if err != nil {
			return rep, fmt.Errorf("free grant: list accounts after %q: %w", q.After, err)
		}
		rep.Pages++
		if err := g.grantPage(ctx, ids, plan, q.Reference, &rep); err != nil {
			return rep, err
		}
		if len(ids) < q.Limit {
			return rep, nil
		}
		q.After = ids[len(ids)-1]
	}
}

// grantPage applies the grant to ids with at most cfg.Concurrency calls in flight.
func (g *FreeGrant) grantPage(ctx context.Context, ids []string, plan billing.Plan, ref string, rep *FreeGrantReport) error {
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, g.cfg.Concurrency)
	for _, id := range ids {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res, err := g.ledger.Apply(ctx, credit.EntryRequest{
				AccountID: id, Kind: credit.SubscriptionGrant, Amount: plan.CreditsPerMonth,
				Reference: ref, Description: fmt.Sprintf("%s plan: monthly credits", plan.DisplayName),
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && res.Applied:
				rep.Granted++
			case err == nil:
				rep.AlreadyGranted++
			case apperr.KindOf(err) == apperr.NotFound:
				rep.Vanished++
			case firstErr == nil:
				firstErr = fmt.Errorf("free grant: account %s: %w", id, err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("free grant: %w", err)
	}
	return nil
}
