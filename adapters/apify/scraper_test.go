package apify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/apify"
	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/secret"
)

// secrets is a secret.Provider over a map.
type secrets map[string]string

func (s secrets) Get(_ context.Context, name string) (string, error) {
	if v, ok := s[name]; ok {
		return v, nil
	}
	return "", secret.ErrNotFound
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type env struct {
	fake    *fakeApify
	scraper *apify.Scraper
	client  *httpclient.Client
	logs    *syncBuffer
}

func setup(t *testing.T, tweak func(*apify.Config, *httpclient.Config)) env {
	t.Helper()
	f := newFakeApify(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := apify.Config{BaseURL: f.URL(), PollWait: 0, PollInterval: 5 * time.Millisecond, MaxWait: 5 * time.Second}
	hc := httpclient.Config{BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, Logger: log}
	if tweak != nil {
		tweak(&cfg, &hc)
	}
	client, err := apify.NewHTTPClient(cfg, hc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := apify.New(cfg, client, secrets{apify.TokenSecret: testToken}, log)
	if err != nil {
		t.Fatal(err)
	}
	return env{fake: f, scraper: s, client: client, logs: logs}
}

func TestFoundProfileIsMappedAndCosted(t *testing.T) {
	e := setup(t, nil)
	r, err := e.scraper.Scrape(t.Context(), "ExampleBrand")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Profile
	if r.Outcome != lead.Found || r.Provider != "apify" || r.CostMicros != apify.DefaultCostPerResultMicros || r.OriginalCostMicros != r.CostMicros || r.Cached || p == nil {
		t.Fatalf("result %+v", r)
	}
	if p.Username != "examplebrand" || p.FullName != "Example Brand" || p.FollowersCount != 48210 || p.FollowingCount != 312 ||
		p.PostsCount != 1187 || !p.BusinessAccount || p.BusinessCategory != "Shopping & retail" || p.Private || p.Verified ||
		p.ExternalURL != "https://example.com/shop" || len(p.ExternalURLs) != 1 || p.ProfilePicURL != "https://cdn.example/hd.jpg" ||
		p.HighlightReelCount != 9 || p.ScrapedAt.IsZero() {
		t.Fatalf("profile %+v", p)
	}
	if len(p.RecentPosts) != 2 {
		t.Fatalf("posts %+v", p.RecentPosts)
	}
	first, reel := p.RecentPosts[0], p.RecentPosts[1]
	if first.Type != lead.PostCarousel || first.Likes != 1320 || first.Comments != 41 || first.Hashtags[0] != "launch" ||
		first.Mentions[0] != "partner" || !first.Timestamp.Equal(time.Date(2026, 11, 28, 17, 4, 11, 0, time.UTC)) {
		t.Fatalf("carousel %+v", first)
	}
	if reel.Type != lead.PostVideo || !reel.IsReel() || !reel.LikesHidden || reel.Likes != 0 || reel.VideoViews != 20500 {
		t.Fatalf("reel %+v", reel)
	}
	if e.fake.authFailures != 0 || strings.Contains(e.logs.String(), "TESTTOKEN") {
		t.Fatalf("token sent wrongly (%d auth failures) or logged:\n%s", e.fake.authFailures, e.logs.String())
	}
}

func TestNotFoundAndPrivateAreAnswers(t *testing.T) {
	e := setup(t, nil)
	for username, want := range map[string]lead.Outcome{"ghost": lead.NotFound, "gone": lead.NotFound, "shy": lead.Private} {
		r, err := e.scraper.Scrape(t.Context(), username)
		if err != nil || r.Outcome != want {
			t.Fatalf("%s: %+v, %v; want %s", username, r, err, want)
		}
		switch want {
		case lead.NotFound:
			if r.Profile != nil || r.CostMicros != 0 {
				t.Fatalf("%s: not found carries %+v", username, r)
			}
		case lead.Private:
			if r.Profile == nil || !r.Profile.Private || len(r.Profile.RecentPosts) != 0 || r.Profile.FollowersCount != 48210 {
				t.Fatalf("%s: private profile %+v", username, r.Profile)
			}
		}
	}
}

func TestSyncTimeoutFallsBackToRunPollDataset(t *testing.T) {
	e := setup(t, nil)
	e.fake.script(scripted{status: 408})
	r, err := e.scraper.Scrape(t.Context(), "examplebrand")
	if err != nil || r.Outcome != lead.Found || r.Profile.Username != "examplebrand" {
		t.Fatalf("got %+v, %v", r, err)
	}
	if r.CostMicros != 3100 {
		t.Fatalf("cost %d; want the run's usageTotalUsd 0.0031 = 3100 micro-dollars", r.CostMicros)
	}
	want := []string{
		"POST /v2/acts/apify~instagram-profile-scraper/run-sync-get-dataset-items",
		"POST /v2/acts/apify~instagram-profile-scraper/runs",
		"GET /v2/actor-runs/run1", "GET /v2/actor-runs/run1",
		"GET /v2/datasets/ds1/items",
	}
	if got := e.fake.log(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant (the 408 is not retried: that would pay for a second run):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAsyncRunThatNeverEndsIsAborted(t *testing.T) {
	e := setup(t, func(c *apify.Config, _ *httpclient.Config) { c.MaxWait = 100 * time.Millisecond })
	e.fake.pollsToFinish = 1 << 30
	e.fake.script(scripted{status: 408})
	_, err := e.scraper.Scrape(t.Context(), "examplebrand")
	if !errors.Is(err, lead.ErrScraperUnavailable) || !strings.Contains(err.Error(), "still RUNNING") {
		t.Fatalf("got %v", err)
	}
	if e.fake.count("POST /v2/actor-runs/run1/abort") != 1 {
		t.Fatalf("the run was not aborted: %v", e.fake.log())
	}
}

func TestRateLimitRetryAfterIsHonoured(t *testing.T) {
	e := setup(t, nil)
	e.fake.script(scripted{status: 429, header: map[string]string{"Retry-After": "1"}})
	start := time.Now()
	r, err := e.scraper.Scrape(t.Context(), "examplebrand")
	took := time.Since(start)
	if err != nil || r.Outcome != lead.Found {
		t.Fatalf("got %+v, %v", r, err)
	}
	if took < time.Second || e.fake.count("POST /v2/acts/") != 2 {
		t.Fatalf("took %v with %d sync calls; want a second call after the 1 s Retry-After", took, e.fake.count("POST /v2/acts/"))
	}

	e.fake.script(scripted{status: 429, header: map[string]string{"Retry-After": "3600"}})
	if _, err := e.scraper.Scrape(t.Context(), "examplebrand"); !errors.Is(err, lead.ErrScraperRateLimited) || !apperr.KindOf(err).Retryable() {
		t.Fatalf("an hour's Retry-After: %v; want ErrScraperRateLimited at once", err)
	}
}

func TestFailuresMapToRetryableErrors(t *testing.T) {
	e := setup(t, func(_ *apify.Config, h *httpclient.Config) { h.MaxRetries = 1 })
	e.fake.script(scripted{status: 400})
	if _, err := e.scraper.Scrape(t.Context(), "examplebrand"); !errors.Is(err, lead.ErrScraperUnavailable) {
		t.Fatalf("run-failed: %v", err)
	}
	e.fake.script(scripted{status: 502}, scripted{status: 502})
	if _, err := e.scraper.Scrape(t.Context(), "examplebrand"); !errors.Is(err, lead.ErrScraperUnavailable) || !strings.Contains(err.Error(), "502") {
		t.Fatalf("5xx: %v", err)
	}
	e.fake.script(scripted{status: 402})
	if _, err := e.scraper.Scrape(t.Context(), "examplebrand"); !errors.Is(err, lead.ErrScraperRejected) {
		t.Fatalf("402: %v", err)
	}
	if _, err := e.scraper.Scrape(t.Context(), "  "); !errors.Is(err, lead.ErrInvalidUsername) {
		t.Fatalf("blank username: %v", err)
	}

	client, _ := apify.NewHTTPClient(apify.Config{BaseURL: e.fake.URL()}, httpclient.Config{})
	wrongToken, _ := apify.New(apify.Config{BaseURL: e.fake.URL()}, client, secrets{apify.TokenSecret: "apify_api_WRONG"}, nil)
	if _, err := wrongToken.Scrape(t.Context(), "examplebrand"); !errors.Is(err, lead.ErrScraperRejected) || strings.Contains(err.Error(), "WRONG") {
		t.Fatalf("bad token: %v", err)
	}
	noToken, _ := apify.New(apify.Config{BaseURL: e.fake.URL()}, client, secrets{}, nil)
	if _, err := noToken.Scrape(t.Context(), "examplebrand"); !errors.Is(err, lead.ErrScraperRejected) {
		t.Fatalf("no token: %v", err)
	}
	storeDown, _ := apify.New(apify.Config{BaseURL: e.fake.URL()}, client, downSecrets{}, nil)
	if _, err := storeDown.Scrape(t.Context(), "examplebrand"); !errors.Is(err, lead.ErrScraperUnavailable) {
		t.Fatalf("secret store down: %v", err)
	}
}

type downSecrets struct{}

func (downSecrets) Get(context.Context, string) (string, error) { return "", secret.ErrUnavailable }

func TestConfigDefaults(t *testing.T) {
	c, err := apify.Config{}.WithDefaults()
	if err != nil || c.BaseURL != apify.DefaultBaseURL || c.ActorID != apify.DefaultActorID || c.RunTimeout != apify.DefaultRunTimeout ||
		c.HTTPTimeout() != apify.DefaultRunTimeout+30*time.Second {
		t.Fatalf("defaults %+v, %v", c, err)
	}
	if c, _ := (apify.Config{RunTimeout: 10 * time.Minute}).WithDefaults(); c.HTTPTimeout() != 310*time.Second {
		t.Fatalf("HTTP timeout %v; the sync endpoint waits 300 s at most", c.HTTPTimeout())
	}
	for _, bad := range []string{"ftp://x", "not a url", "/relative"} {
		if _, err := (apify.Config{BaseURL: bad}).WithDefaults(); err == nil {
			t.Fatalf("base URL %q accepted", bad)
		}
	}
}

// timeline records breaker changes with their times.
type timeline struct {
	httpclient.NopMetrics
	mu     sync.Mutex
	start  time.Time
	events []string
}

func (tl *timeline) BreakerChange(e httpclient.BreakerEvent) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.events = append(tl.events, fmt.Sprintf("+%4dms %s→%s", e.At.Sub(tl.start).Milliseconds(), e.From, e.To))
}

func (tl *timeline) mark(format string, args ...any) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.events = append(tl.events, fmt.Sprintf("+%4dms ", time.Since(tl.start).Milliseconds())+fmt.Sprintf(format, args...))
}

// fallback is the chain's second scraper.
type fallback struct{ calls int }

func (f *fallback) Scrape(_ context.Context, u string) (lead.ScrapeResult, error) {
	f.calls++
	return lead.ScrapeResult{Outcome: lead.Found, Provider: "sample", Profile: &lead.ProfileSnapshot{Username: u}}, nil
}

// TestStormOpensTheBreakerFallbackServesAndItRecovers: Apify answers 5xx to everything; after
// three failed calls the breaker opens and the chain's fallback serves without Apify being
// called; after the open timeout one probe goes through, succeeds, and closes the breaker.
func TestStormOpensTheBreakerFallbackServesAndItRecovers(t *testing.T) {
	tl := &timeline{start: time.Now()}
	e := setup(t, func(_ *apify.Config, h *httpclient.Config) {
		h.MaxRetries = 1
		h.Metrics = tl
		h.Breaker = httpclient.BreakerConfig{ConsecutiveFailures: 3, OpenTimeout: 300 * time.Millisecond}
	})
	storm := make([]scripted, 6) // three calls × two attempts
	for i := range storm {
		storm[i] = scripted{status: 503}
	}
	e.fake.script(storm...)
	fb := &fallback{}
	chain := lead.NewChain(nil, lead.ChainLink{Name: "apify", Scraper: e.scraper}, lead.ChainLink{Name: "sample", Scraper: fb})
	health := e.client.HealthCheck()

	for i := 1; i <= 3; i++ {
		r, err := chain.Scrape(t.Context(), "examplebrand")
		if err != nil || r.Provider != "sample" {
			t.Fatalf("storm call %d: %+v, %v", i, r, err)
		}
		tl.mark("call %d: apify 503×2 → served by %s", i, r.Provider)
	}
	if s, _ := e.client.BreakerState(); s != httpclient.BreakerOpen {
		t.Fatalf("breaker %s after the storm", s)
	}
	sent := len(e.fake.log())
	r, err := chain.Scrape(t.Context(), "examplebrand")
	if err != nil || r.Provider != "sample" || len(e.fake.log()) != sent {
		t.Fatalf("open breaker: %+v, %v, %d requests sent to Apify", r, err, len(e.fake.log())-sent)
	}
	tl.mark("call 4: breaker open, nothing sent → served by %s", r.Provider)
	if err := health.Check(t.Context()); err == nil {
		t.Fatal("/health does not show the open breaker")
	} else {
		tl.mark("/health breaker:apify: %v", err)
	}

	time.Sleep(350 * time.Millisecond)
	if s, _ := e.client.BreakerState(); s != httpclient.BreakerHalfOpen {
		t.Fatalf("breaker %s after the open timeout", s)
	}
	r, err = chain.Scrape(t.Context(), "examplebrand")
	if err != nil || r.Provider != "apify" || fb.calls != 4 {
		t.Fatalf("probe: %+v, %v (fallback calls %d)", r, err, fb.calls)
	}
	tl.mark("call 5: probe → served by %s", r.Provider)
	if s, _ := e.client.BreakerState(); s != httpclient.BreakerClosed || health.Check(t.Context()) != nil {
		t.Fatalf("breaker %s after a good probe", s)
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var changes []string
	for _, ev := range tl.events {
		if strings.Contains(ev, "→") && !strings.Contains(ev, "call") {
			changes = append(changes, ev[strings.Index(ev, "ms ")+3:])
		}
	}
	if got := strings.Join(changes, ", "); got != "closed→open, open→half_open, half_open→closed" {
		t.Fatalf("breaker changes %s", got)
	}
	t.Logf("breaker timeline:\n%s", strings.Join(tl.events, "\n"))
}
