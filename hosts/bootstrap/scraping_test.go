package bootstrap

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/observe"
)

func scrapingFor(t *testing.T, cfg Config, env map[string]string) (scrapingOut, error) {
	t.Helper()
	return provideScraping(scrapingParams{
		Config: cfg, Lookup: secrets.LookupFunc(mapLookup(env)), Secrets: secrets.NewEnv(mapLookup(env)),
		DB: pgtest.DB(t), Log: slog.New(slog.DiscardHandler),
	})
}

func TestScrapingWithoutATokenServesTheSampleSetLocallyOnly(t *testing.T) {
	t.Parallel()
	out, err := scrapingFor(t, loadFor(t, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := out.Scraper.Scrape(t.Context(), "lumen.coffee")
	if err != nil || r.Provider != "sample" || r.Outcome != lead.Found {
		t.Fatalf("development without a token: %+v, %v", r, err)
	}
	if out.Health.Name() != "breaker:apify" || !errors.Is(out.Health.Check(t.Context()), observe.ErrNotConfigured) || out.Health.Critical() {
		t.Fatalf("health %s: %v", out.Health.Name(), out.Health.Check(t.Context()))
	}
	if _, err := scrapingFor(t, loadFor(t, prodEnv()), nil); err == nil || !strings.Contains(err.Error(), "APIFY_API_TOKEN is required in production") {
		t.Fatalf("production without a token: %v", err)
	}
}

func TestScrapingWithATokenCachesApifyAndFallsBackLocally(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var failing atomic.Bool
	handle := "brand_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer apify_api_T" || failing.Load() {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"type":"token-not-valid","message":"bad token"}}`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`[{"username":"` + handle + `","fullName":"Brand","followersCount":10,"latestPosts":[]}]`))
	}))
	defer fake.Close()
	env := map[string]string{"APIFY_API_TOKEN": "apify_api_T", "APIFY_BASE_URL": fake.URL + "/v2/", "PROFILE_CACHE_TTL": "2h"}
	out, err := scrapingFor(t, loadFor(t, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	first, err := out.Scraper.Scrape(t.Context(), handle)
	if err != nil || first.Provider != "apify" || first.Cached || first.Outcome != lead.Found {
		t.Fatalf("first: %+v, %v", first, err)
	}
	second, err := out.Scraper.Scrape(t.Context(), handle)
	if err != nil || !second.Cached || calls.Load() != 1 {
		t.Fatalf("second: %+v, %v after %d Apify calls", second, err, calls.Load())
	}
	failing.Store(true)
	r, err := out.Scraper.Scrape(t.Context(), "lumen.coffee")
	if err != nil || r.Provider != "sample" {
		t.Fatalf("development fallback: %+v, %v", r, err)
	}
	if out.Health.Name() != "breaker:apify" || out.Health.Check(t.Context()) != nil {
		t.Fatalf("health %s: %v", out.Health.Name(), out.Health.Check(t.Context()))
	}

	prodOut, err := scrapingFor(t, loadFor(t, prodEnv()), env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prodOut.Scraper.Scrape(t.Context(), "lumen.coffee"); !errors.Is(err, lead.ErrScraperRejected) {
		t.Fatalf("production never falls back to the sample set: %v", err)
	}
}

func TestScrapingConfig(t *testing.T) {
	t.Parallel()
	c, err := LoadScrapingConfig(mapLookup(nil))
	if err != nil || c.CacheTTL != lead.DefaultCacheTTL || c.Apify.ActorID != "" {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = LoadScrapingConfig(mapLookup(map[string]string{"APIFY_ACTOR_ID": "dSCLg0C3YEZ83HzYX", "PROFILE_CACHE_TTL": "6h"}))
	if err != nil || c.Apify.ActorID != "dSCLg0C3YEZ83HzYX" || c.CacheTTL != 6*time.Hour {
		t.Fatalf("set: %+v, %v", c, err)
	}
	_, err = LoadScrapingConfig(mapLookup(map[string]string{"APIFY_ACTOR_ID": "apify/instagram-profile-scraper", "APIFY_BASE_URL": "ftp://x", "PROFILE_CACHE_TTL": "1s"}))
	for _, name := range []string{"APIFY_ACTOR_ID", "APIFY_BASE_URL", "PROFILE_CACHE_TTL"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Fatalf("bad %s not named: %v", name, err)
		}
	}
	if _, err := scrapingFor(t, loadFor(t, nil), map[string]string{"PROFILE_CACHE_TTL": "x"}); err == nil {
		t.Fatal("bad configuration accepted")
	}
	// The cache is never asked to serve a row the retention job deletes (profile_cache after
	// maintenance.ProfileCacheKeep): 168h is the longest TTL.
	if c, err := LoadScrapingConfig(mapLookup(map[string]string{"PROFILE_CACHE_TTL": "168h"})); err != nil || c.CacheTTL != maintenance.ProfileCacheKeep {
		t.Errorf("168h: %+v, %v", c, err)
	}
	if _, err := LoadScrapingConfig(mapLookup(map[string]string{"PROFILE_CACHE_TTL": "169h"})); err == nil || !strings.Contains(err.Error(), "168h") {
		t.Errorf("169h: %v, want a refusal naming the 168h maximum", err)
	}
}
