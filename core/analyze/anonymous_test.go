package analyze_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/analyzemock"
	"github.com/oslira/oslira/adapters/mock/leadmock"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
)

type anonHarness struct {
	scraper *leadmock.MockScraper
	cache   *analyzemock.MockAnonymousCache
	llm     *fakeLLM
	uc      *analyze.Anonymous
}

func newAnon(t *testing.T) *anonHarness {
	ctrl := gomock.NewController(t)
	h := &anonHarness{scraper: leadmock.NewMockScraper(ctrl), cache: analyzemock.NewMockAnonymousCache(ctrl), llm: &fakeLLM{}}
	h.uc = analyze.NewAnonymous(h.scraper, h.llm, h.cache, func() time.Time { return t0.In(time.FixedZone("X", 3600)) })
	return h
}

func TestAnonymousMissScrapesAsksAndCaches(t *testing.T) {
	for _, cacheErr := range []error{nil, errors.New("cache down")} {
		h := newAnon(t)
		ctx := context.Background()
		h.cache.EXPECT().Get(ctx, handle, analyze.AnonymousTTL).Return(analyze.AnonymousResult{Score: 1}, cacheErr != nil, cacheErr)
		h.scraper.EXPECT().Scrape(ctx, handle).Return(found(snapshot()), nil)
		var put analyze.AnonymousResult
		h.cache.EXPECT().Put(ctx, handle, gomock.Any()).DoAndReturn(func(_ context.Context, _ string, r analyze.AnonymousResult) error {
			put = r
			return cacheErr // ignored
		})
		r, err := h.uc.Analyze(ctx, "https://www.instagram.com/Fit.With.Ana/?igsh=x")
		if err != nil {
			t.Fatal(err)
		}
		want := analyze.AnonymousResult{
			Profile: analyze.AnonymousProfile{Username: handle, DisplayName: "Ana Fit", Biography: snapshot().Biography,
				FollowersCount: 20000, FollowingCount: 400, PostsCount: 310, BusinessAccount: true, ExternalURL: "https://ana.example"},
			Score: 72, Tier: "warm", Summary: "A good fit. Engaged fitness audience.", AudienceQuality: "medium",
			Model: "model-small", AnalyzedAt: t0,
		}
		if r != want || put != want || put.AnalyzedAt.Location() != time.UTC {
			t.Errorf("result\n got %+v\n put %+v\nwant %+v", r, put, want)
		}
		req := h.llm.reqs[analyze.PurposeAnonymous]
		if h.llm.total() != 1 || req.AccountID != "" || req.Tier != ai.TierSmall || req.Schema.Name != ai.SchemaLightAnalysis ||
			req.Facts == nil || req.Facts.Business != nil || req.Facts.Profile == nil || req.Facts.Metrics.EngagementRate != 3.1 || req.System == "" || req.User == "" {
			t.Errorf("request %+v", req)
		}
	}
}

func TestAnonymousCacheHit(t *testing.T) {
	h := newAnon(t)
	ctx := context.Background()
	hit := analyze.AnonymousResult{Score: 40, Tier: "cool", Model: "offline"}
	h.cache.EXPECT().Get(ctx, handle, 6*time.Hour).Return(hit, true, nil)
	r, err := h.uc.Analyze(ctx, "@"+handle)
	hit.Cached = true
	if err != nil || r != hit || h.llm.total() != 0 {
		t.Errorf("%+v, %v, %d calls", r, err, h.llm.total())
	}
}

func TestAnonymousRefusals(t *testing.T) {
	down := lead.ErrScraperRateLimited.WithMessage("slow down")
	for _, tc := range []struct {
		name string
		res  lead.ScrapeResult
		err  error
		want error
		kind apperr.Kind
	}{
		{"not found", lead.ScrapeResult{Outcome: lead.NotFound}, nil, analyze.ErrProfileNotFound, apperr.NotFound},
		{"private", lead.ScrapeResult{Outcome: lead.Private, Profile: snapshot()}, nil, analyze.ErrProfilePrivate, apperr.Invalid},
		{"found without a profile", lead.ScrapeResult{Outcome: lead.Found}, nil, lead.ErrScraperUnavailable, apperr.Unavailable},
		{"scraper throttled", lead.ScrapeResult{}, down, down, apperr.RateLimited},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAnon(t)
			h.cache.EXPECT().Get(gomock.Any(), handle, analyze.AnonymousTTL).Return(analyze.AnonymousResult{}, false, nil)
			h.scraper.EXPECT().Scrape(gomock.Any(), handle).Return(tc.res, tc.err)
			_, err := h.uc.Analyze(context.Background(), handle)
			if !errors.Is(err, tc.want) || apperr.KindOf(err) != tc.kind || h.llm.total() != 0 {
				t.Errorf("error %v (kind %v)", err, apperr.KindOf(err))
			}
		})
	}
	// The codes are stable, and the private refusal names the field.
	if analyze.ErrProfileNotFound.Code != "analysis.profile-not-found" || analyze.ErrProfilePrivate.Code != "analysis.profile-private" ||
		len(analyze.ErrProfilePrivate.Fields) != 1 || analyze.ErrProfilePrivate.Fields[0].Field != "username" {
		t.Errorf("%+v %+v", analyze.ErrProfileNotFound, analyze.ErrProfilePrivate)
	}
}

func TestAnonymousInvalidHandleAndModelErrors(t *testing.T) {
	h := newAnon(t)
	_, err := h.uc.Analyze(context.Background(), "not a handle!")
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Code != lead.CodeInvalidUsername || len(e.Fields) != 1 || e.Fields[0].Field != "username" {
		t.Errorf("invalid handle: %v", err)
	}

	for _, tc := range []struct {
		name   string
		err    error
		answer string
		want   error
	}{
		{"unavailable", ai.ErrUnavailable, "", ai.ErrUnavailable},
		{"score out of range", nil, `{"score": -1, "summary": "x"}`, ai.ErrMalformedOutput},
	} {
		h := newAnon(t)
		if tc.err != nil {
			h.llm.fails, h.llm.errs = map[string]int{analyze.PurposeAnonymous: -1}, map[string]error{analyze.PurposeAnonymous: tc.err}
		} else {
			h.llm.answers = map[string]string{analyze.PurposeAnonymous: tc.answer}
		}
		h.cache.EXPECT().Get(gomock.Any(), handle, analyze.AnonymousTTL).Return(analyze.AnonymousResult{}, false, nil)
		h.scraper.EXPECT().Scrape(gomock.Any(), handle).Return(found(snapshot()), nil)
		if _, err := h.uc.Analyze(context.Background(), handle); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v", tc.name, err) // and nothing was cached: the mock refuses a Put
		}
	}
}

func TestAudienceQuality(t *testing.T) {
	for followers, want := range map[int64]string{0: "low", 10_000: "low", 10_001: "medium", 100_000: "medium", 100_001: "high"} {
		if got := analyze.AudienceQuality(followers); got != want {
			t.Errorf("%d followers: %s, want %s", followers, got, want)
		}
	}
}

func TestNewAnonymousDefaultClock(t *testing.T) {
	ctrl := gomock.NewController(t)
	scraper, cache := leadmock.NewMockScraper(ctrl), analyzemock.NewMockAnonymousCache(ctrl)
	uc := analyze.NewAnonymous(scraper, &fakeLLM{}, cache, nil)
	cache.EXPECT().Get(gomock.Any(), handle, analyze.AnonymousTTL).Return(analyze.AnonymousResult{}, false, nil)
	scraper.EXPECT().Scrape(gomock.Any(), handle).Return(found(snapshot()), nil)
	cache.EXPECT().Put(gomock.Any(), handle, gomock.Any()).Return(nil)
	before := time.Now()
	r, err := uc.Analyze(context.Background(), handle)
	if err != nil || r.AnalyzedAt.Before(before.UTC().Add(-time.Second)) {
		t.Errorf("%+v, %v", r, err)
	}
}
