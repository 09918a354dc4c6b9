package lead_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/leadmock"
	"github.com/oslira/oslira/core/lead"
)

func TestCacheHitCostsNothingAndSkipsTheProvider(t *testing.T) {
	ctrl := gomock.NewController(t)
	next, cache := leadmock.NewMockScraper(ctrl), leadmock.NewMockProfileCache(ctrl)
	stored := found("apify")
	cache.EXPECT().Get(gomock.Any(), "nasa", lead.DefaultCacheTTL).Return(stored, true, nil)
	r, err := lead.NewCachedScraper(next, cache).Scrape(context.Background(), " @NASA ")
	if err != nil || !r.Cached || r.CostMicros != 0 || r.OriginalCostMicros != 2300 || r.Provider != "apify" {
		t.Fatalf("got %+v, %v", r, err)
	}
}

func TestCacheMissScrapesAndStores(t *testing.T) {
	ctrl := gomock.NewController(t)
	next, cache := leadmock.NewMockScraper(ctrl), leadmock.NewMockProfileCache(ctrl)
	gomock.InOrder(
		cache.EXPECT().Get(gomock.Any(), "nasa", 2*time.Hour).Return(lead.ScrapeResult{}, false, nil),
		next.EXPECT().Scrape(gomock.Any(), "nasa").Return(found("apify"), nil),
		cache.EXPECT().Put(gomock.Any(), "nasa", found("apify")).Return(nil),
	)
	r, err := lead.NewCachedScraper(next, cache, lead.WithTTL(2*time.Hour, 0)).Scrape(context.Background(), "https://www.instagram.com/NASA/")
	if err != nil || r.Cached || r.CostMicros != 2300 {
		t.Fatalf("got %+v, %v", r, err)
	}
}

func TestCacheServesNotFoundForAShorterTime(t *testing.T) {
	ctrl := gomock.NewController(t)
	next, cache := leadmock.NewMockScraper(ctrl), leadmock.NewMockProfileCache(ctrl)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := lead.NewCachedScraper(next, cache, lead.WithClock(func() time.Time { return now }), lead.WithTTL(0, 30*time.Minute))

	recent := lead.ScrapeResult{Outcome: lead.NotFound, Provider: "apify", FetchedAt: now.Add(-29 * time.Minute)}
	cache.EXPECT().Get(gomock.Any(), "ghost", lead.DefaultCacheTTL).Return(recent, true, nil)
	if r, err := s.Scrape(context.Background(), "ghost"); err != nil || !r.Cached || r.Outcome != lead.NotFound {
		t.Fatalf("recent not-found: %+v, %v", r, err)
	}

	old := lead.ScrapeResult{Outcome: lead.NotFound, Provider: "apify", FetchedAt: now.Add(-31 * time.Minute)}
	fresh := lead.ScrapeResult{Outcome: lead.Found, Provider: "apify", FetchedAt: now}
	gomock.InOrder(
		cache.EXPECT().Get(gomock.Any(), "ghost", lead.DefaultCacheTTL).Return(old, true, nil),
		next.EXPECT().Scrape(gomock.Any(), "ghost").Return(fresh, nil),
		cache.EXPECT().Put(gomock.Any(), "ghost", fresh).Return(nil),
	)
	if r, err := s.Scrape(context.Background(), "ghost"); err != nil || r.Cached || r.Outcome != lead.Found {
		t.Fatalf("stale not-found: %+v, %v", r, err)
	}

	// A private answer keeps the full lifetime.
	private := lead.ScrapeResult{Outcome: lead.Private, Provider: "apify", FetchedAt: now.Add(-20 * time.Hour)}
	cache.EXPECT().Get(gomock.Any(), "shy", lead.DefaultCacheTTL).Return(private, true, nil)
	if r, err := s.Scrape(context.Background(), "shy"); err != nil || !r.Cached || r.Outcome != lead.Private {
		t.Fatalf("private: %+v, %v", r, err)
	}
}

func TestCacheFailuresNeverFailAScrape(t *testing.T) {
	ctrl := gomock.NewController(t)
	next, cache := leadmock.NewMockScraper(ctrl), leadmock.NewMockProfileCache(ctrl)
	var logs bytes.Buffer
	down := errors.New("connection refused")
	cache.EXPECT().Get(gomock.Any(), "nasa", gomock.Any()).Return(lead.ScrapeResult{}, false, down)
	next.EXPECT().Scrape(gomock.Any(), "nasa").Return(found("apify"), nil)
	cache.EXPECT().Put(gomock.Any(), "nasa", gomock.Any()).Return(down)
	s := lead.NewCachedScraper(next, cache, lead.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if r, err := s.Scrape(context.Background(), "nasa"); err != nil || r.Outcome != lead.Found {
		t.Fatalf("got %+v, %v", r, err)
	}
	if !strings.Contains(logs.String(), "profile cache read failed") || !strings.Contains(logs.String(), "profile cache write failed") {
		t.Fatalf("cache failures not logged:\n%s", logs.String())
	}
}

func TestCacheNeverStoresErrorsOrInvalidNames(t *testing.T) {
	ctrl := gomock.NewController(t)
	next, cache := leadmock.NewMockScraper(ctrl), leadmock.NewMockProfileCache(ctrl)
	s := lead.NewCachedScraper(next, cache)
	if _, err := s.Scrape(context.Background(), "not a handle"); !errors.Is(err, lead.ErrInvalidUsername) {
		t.Fatalf("got %v", err)
	}
	cache.EXPECT().Get(gomock.Any(), "nasa", gomock.Any()).Return(lead.ScrapeResult{}, false, nil)
	next.EXPECT().Scrape(gomock.Any(), "nasa").Return(lead.ScrapeResult{}, lead.ErrScraperUnavailable)
	if _, err := s.Scrape(context.Background(), "nasa"); !errors.Is(err, lead.ErrScraperUnavailable) {
		t.Fatalf("got %v", err)
	}
}
