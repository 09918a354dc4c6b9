package worker

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/adapters/samplescraper"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// downScraper is the sample scraper, except that the provider is down for one handle: every
// attempt fails with a retryable Unavailable error, as the Apify adapter answers when its own
// HTTP retries and its breaker give up.
type downScraper struct {
	lead.Scraper
	down string
}

func (s downScraper) Scrape(ctx context.Context, username string) (lead.ScrapeResult, error) {
	if username == s.down {
		return lead.ScrapeResult{}, lead.ErrScraperUnavailable.WithMessage("apify: 503 after retries")
	}
	return s.Scraper.Scrape(ctx, username)
}

// fastPolicy retries like Standard (several attempts) without minutes of waiting.
var fastPolicy = workflow.Policy{MaxAttempts: 3, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: 10 * time.Second}

// TestEveryAnalysisOutcomeEndsWithTheRightBalance runs the real analysis.v1 workflow on the DBOS
// executor over the real store, the sample scraper and the offline analyzer behind the real LLM
// gateway: one analysis per outcome. Scored analyses keep their debit; not found, private,
// outside the ICP and a provider down through every attempt are refunded once. The final
// balance, the ledger and each analysis's row say so.
func TestEveryAnalysisOutcomeEndsWithTheRightBalance(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.IsolatedPool(t)
	if err := dbos.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	db := postgres.NewDB(pool)
	store, err := postgres.NewAnalysisStore(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	sample, err := samplescraper.New(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	llm, _, err := bootstrap.NewLLMGateway(bootstrap.EnvTest, func(string) (string, bool) { return "", false },
		secrets.NewEnv(func(string) (string, bool) { return "", false }), db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	def := analyze.Definition(store, store, downScraper{Scraper: sample, down: "down.provider"}, llm, nil,
		analyze.WithPolicies(fastPolicy, fastPolicy))
	x, err := dbos.NewExecutor(pool, testConfig("outcomes"), []workflow.Definition{def}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Launch(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	svc := analyze.NewService(store, x.Engine, nil)

	user := pgtest.InsertUser(t, pool)
	account := pgtest.InsertAccount(t, pool, user)
	start := pgtest.FundAccount(t, pool, account, 20)
	var profile string
	// An ICP up to 500,000 followers: chef.antonio (1.25 M) is outside it.
	if err := pool.QueryRow(ctx, `insert into public.business_profiles (account_id, business_name, icp_min_followers, icp_max_followers)
		values ($1, 'Outcomes Co', 500, 500000) returning id::text`, account).Scan(&profile); err != nil {
		t.Fatal(err)
	}
	p := tenant.Principal{UserID: user, AccountID: account, Roles: []tenant.Role{tenant.RoleUser}}
	cases := []struct {
		handle, typ string
		outcome     analysis.Outcome
		code        string
	}{
		{"lumen.coffee", "light", analysis.Scored, ""},
		{"fitwithmaya", "deep", analysis.Scored, ""},
		{"northpeak.gear", "xray", analysis.Scored, ""},
		{"no_such_profile", "deep", analysis.NotFound, ""},
		{"quiet.studio", "xray", analysis.Private, ""},
		{"chef.antonio", "deep", analysis.ICPMismatch, ""},
		{"down.provider", "xray", analysis.ProviderFailed, analyze.CodeScrapeFailed},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		a, err := svc.Submit(ctx, p, analyze.SubmitInput{Username: c.handle, BusinessProfileID: profile, Type: c.typ})
		if err != nil {
			t.Fatalf("submit %s: %v", c.handle, err)
		}
		ids[i] = a.ID
	}
	deadline := time.Now().Add(time.Minute)
	for i, c := range cases {
		var a analyze.Analysis
		for {
			if a, err = store.Load(ctx, ids[i]); err != nil {
				t.Fatal(err)
			}
			if a.Status.Terminal() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never finished: %+v", c.handle, a)
			}
			time.Sleep(20 * time.Millisecond)
		}
		refund := c.outcome != analysis.Scored
		if a.Outcome != c.outcome || a.Status != c.outcome.Status() || a.ErrorCode != c.code || a.Refunded != refund {
			t.Errorf("%s: %s/%s code %q refunded %v; want %s, code %q, refunded %v", c.handle, a.Status, a.Outcome,
				a.ErrorCode, a.Refunded, c.outcome, c.code, refund)
		}
		if scored := a.Score != nil && a.Result != nil && a.Result.Summary != ""; scored != (c.outcome == analysis.Scored) {
			t.Errorf("%s: score %v result %+v", c.handle, a.Score, a.Result)
		}
		if (a.Metrics != nil) != (c.outcome == analysis.Scored && c.typ != "light") {
			t.Errorf("%s (%s): metrics stored = %v", c.handle, c.typ, a.Metrics != nil)
		}
		var debits, refunds int
		if err := pool.QueryRow(ctx, `select count(*) filter (where kind = 'analysis_debit'), count(*) filter (where kind = 'analysis_refund')
			from public.credit_ledger where account_id = $1 and reference = $2`, account, analyze.RunID(a.ID)).Scan(&debits, &refunds); err != nil {
			t.Fatal(err)
		}
		if debits != 1 || refunds != map[bool]int{true: 1, false: 0}[refund] {
			t.Errorf("%s: %d debits, %d refunds", c.handle, debits, refunds)
		}
	}
	var balance int64
	if err := pool.QueryRow(ctx, `select balance from public.credit_balances where account_id = $1`, account).Scan(&balance); err != nil {
		t.Fatal(err)
	}
	if want := start - (1 + 2 + 3); balance != want {
		t.Errorf("balance %d, want %d: only the three scored analyses (light 1, deep 2, xray 3) are paid for", balance, want)
	}
	var leads int
	if err := pool.QueryRow(ctx, `select count(*) from public.leads where account_id = $1`, account).Scan(&leads); err != nil {
		t.Fatal(err)
	}
	if leads != 5 { // scored ×3, private, outside the ICP; not found and the failed scrape have no profile
		t.Errorf("%d leads, want 5", leads)
	}
	if _, err := store.Load(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, analyze.ErrNotFound) {
		t.Errorf("load of a missing analysis = %v", err)
	}
}
