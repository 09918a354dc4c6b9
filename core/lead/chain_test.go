package lead_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/leadmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
)

func found(provider string) lead.ScrapeResult {
	return lead.ScrapeResult{Outcome: lead.Found, Provider: provider, Profile: &lead.ProfileSnapshot{Username: "nasa"}, CostMicros: 2300, OriginalCostMicros: 2300}
}

func TestChainFirstAnswerWins(t *testing.T) {
	for _, outcome := range []lead.Outcome{lead.Found, lead.NotFound, lead.Private} {
		t.Run(string(outcome), func(t *testing.T) {
			ctrl := gomock.NewController(t)
			a, b := leadmock.NewMockScraper(ctrl), leadmock.NewMockScraper(ctrl)
			a.EXPECT().Scrape(gomock.Any(), "nasa").Return(lead.ScrapeResult{Outcome: outcome}, nil)
			// b is never asked: an answer (even "not found") is not a failure.
			chain := lead.NewChain(nil, lead.ChainLink{Name: "apify", Scraper: a}, lead.ChainLink{Name: "sample", Scraper: b})
			r, err := chain.Scrape(context.Background(), "nasa")
			if err != nil || r.Outcome != outcome || r.Provider != "apify" {
				t.Fatalf("got %+v, %v", r, err)
			}
		})
	}
}

func TestChainMovesOnAfterRetryableFailures(t *testing.T) {
	open := lead.ErrScraperUnavailable.WithCause(errors.New("apify: circuit breaker open"))
	for name, failure := range map[string]error{
		"breaker open": open,
		"rate limited": lead.ErrScraperRateLimited,
		"rejected":     lead.ErrScraperRejected,
	} {
		t.Run(name, func(t *testing.T) {
			ctrl := gomock.NewController(t)
			a, b := leadmock.NewMockScraper(ctrl), leadmock.NewMockScraper(ctrl)
			gomock.InOrder(
				a.EXPECT().Scrape(gomock.Any(), "nasa").Return(lead.ScrapeResult{}, failure),
				b.EXPECT().Scrape(gomock.Any(), "nasa").Return(found("sample"), nil),
			)
			chain := lead.NewChain(nil, lead.ChainLink{Name: "apify", Scraper: a}, lead.ChainLink{Name: "sample", Scraper: b})
			r, err := chain.Scrape(context.Background(), "nasa")
			if err != nil || r.Provider != "sample" || r.Outcome != lead.Found {
				t.Fatalf("got %+v, %v", r, err)
			}
		})
	}
}

func TestChainStopsAtNonRetryableErrors(t *testing.T) {
	ctrl := gomock.NewController(t)
	a, b := leadmock.NewMockScraper(ctrl), leadmock.NewMockScraper(ctrl)
	bug := apperr.New(apperr.Internal, "internal", "decoder bug")
	a.EXPECT().Scrape(gomock.Any(), "nasa").Return(lead.ScrapeResult{}, bug)
	chain := lead.NewChain(nil, lead.ChainLink{Name: "apify", Scraper: a}, lead.ChainLink{Name: "sample", Scraper: b})
	if _, err := chain.Scrape(context.Background(), "nasa"); !errors.Is(err, bug) {
		t.Fatalf("got %v, want the internal error unchanged", err)
	}
	a.EXPECT().Scrape(gomock.Any(), "x!").Return(lead.ScrapeResult{}, lead.ErrInvalidUsername)
	if _, err := chain.Scrape(context.Background(), "x!"); !errors.Is(err, lead.ErrInvalidUsername) {
		t.Fatalf("got %v", err)
	}
}

func TestChainStopsWhenTheCallerGaveUp(t *testing.T) {
	ctrl := gomock.NewController(t)
	a, b := leadmock.NewMockScraper(ctrl), leadmock.NewMockScraper(ctrl)
	ctx, cancel := context.WithCancel(context.Background())
	a.EXPECT().Scrape(gomock.Any(), "nasa").DoAndReturn(func(context.Context, string) (lead.ScrapeResult, error) {
		cancel()
		return lead.ScrapeResult{}, lead.ErrScraperUnavailable
	})
	chain := lead.NewChain(nil, lead.ChainLink{Name: "apify", Scraper: a}, lead.ChainLink{Name: "sample", Scraper: b})
	if _, err := chain.Scrape(ctx, "nasa"); !errors.Is(err, lead.ErrScraperUnavailable) {
		t.Fatalf("got %v", err)
	}
}

func TestChainExhausted(t *testing.T) {
	ctrl := gomock.NewController(t)
	a, b := leadmock.NewMockScraper(ctrl), leadmock.NewMockScraper(ctrl)
	a.EXPECT().Scrape(gomock.Any(), "nasa").Return(lead.ScrapeResult{}, lead.ErrScraperRateLimited).Times(2)
	b.EXPECT().Scrape(gomock.Any(), "nasa").Return(lead.ScrapeResult{}, lead.ErrScraperRateLimited)
	b.EXPECT().Scrape(gomock.Any(), "nasa").Return(lead.ScrapeResult{}, lead.ErrScraperUnavailable.WithCause(errors.New("dial tcp: refused")))
	chain := lead.NewChain(nil, lead.ChainLink{Name: "apify", Scraper: a}, lead.ChainLink{Name: "backup", Scraper: b})
	if got := chain.Names(); len(got) != 2 || got[0] != "apify" || got[1] != "backup" {
		t.Fatalf("Names %v", got)
	}

	_, err := chain.Scrape(context.Background(), "nasa")
	if !errors.Is(err, lead.ErrScraperRateLimited) || !apperr.KindOf(err).Retryable() {
		t.Fatalf("all throttled: got %v", err)
	}
	_, err = chain.Scrape(context.Background(), "nasa")
	if !errors.Is(err, lead.ErrScraperUnavailable) {
		t.Fatalf("mixed failures: got %v", err)
	}
	for _, want := range []string{"apify: ", "backup: ", "dial tcp: refused"} {
		if !contains(err.Error(), want) {
			t.Fatalf("cause lacks %q: %v", want, err)
		}
	}

	if _, err := lead.NewChain(nil).Scrape(context.Background(), "nasa"); !errors.Is(err, lead.ErrScraperUnavailable) {
		t.Fatalf("empty chain: %v", err)
	}
}

func TestChainKeepsTheProviderAnAnswerNames(t *testing.T) {
	ctrl := gomock.NewController(t)
	a := leadmock.NewMockScraper(ctrl)
	a.EXPECT().Scrape(gomock.Any(), "nasa").Return(found("apify"), nil)
	r, err := lead.NewChain(nil, lead.ChainLink{Name: "primary", Scraper: a}).Scrape(context.Background(), "nasa")
	if err != nil || r.Provider != "apify" {
		t.Fatalf("got %+v, %v", r, err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
