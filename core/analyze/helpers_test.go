package analyze_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/analyzemock"
	"github.com/oslira/oslira/adapters/mock/leadmock"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

const (
	accountID  = "0a1b2c3d-0000-4000-8000-000000000001"
	profileID  = "0a1b2c3d-0000-4000-8000-000000000002"
	analysisID = "0a1b2c3d-0000-4000-8000-000000000003"
	handle     = "fit.with.ana"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a fake clock: every reading is one tick (default a second) after the previous one.
type clock struct {
	mu   sync.Mutex
	n    int
	tick time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return t0.Add(time.Duration(c.n) * cmp.Or(c.tick, time.Second))
}

// snapshot is a public fitness profile: 20,000 followers, 600 likes and 20 comments per post,
// so an engagement rate of 0.031 (3.1 %).
func snapshot() *lead.ProfileSnapshot {
	p := &lead.ProfileSnapshot{
		Username: handle, FullName: "Ana Fit", Biography: "Fitness coach. Strength training for busy people.",
		FollowersCount: 20000, FollowingCount: 400, PostsCount: 310, BusinessAccount: true,
		BusinessCategory: "Fitness Trainer", ExternalURL: "https://ana.example", ScrapedAt: t0,
	}
	for i := range 8 {
		p.RecentPosts = append(p.RecentPosts, lead.Post{
			ID: fmt.Sprint(i), Type: lead.PostPhoto, Caption: "Leg day #fitness #strength", Hashtags: []string{"fitness", "strength"},
			Likes: 600, Comments: 20, Timestamp: t0.Add(-time.Duration(i+1) * 48 * time.Hour),
		})
	}
	return p
}

// bizProfile targets fitness accounts of 1,000–100,000 followers with at least 1 % engagement.
func bizProfile() business.Profile {
	return business.Profile{ID: profileID, AccountID: accountID, Context: business.Context{
		BusinessName: "Acme Supplements", TargetAudience: "fitness coaches", Tone: business.ToneFriendly,
		ICP: business.ICP{MinFollowers: 1000, MaxFollowers: business.Int64(100000), MinEngagementRate: business.Float64(0.01), Niches: []string{"fitness"}},
	}}
}

// canned answers, one per schema.
var canned = map[string]string{
	ai.SchemaLightAnalysis:     `{"score": 72, "summary": "A good fit. Engaged fitness audience."}`,
	ai.SchemaProfileAssessment: `{"score": 85, "summary": "A strong fit. One. Two. Three."}`,
	ai.SchemaNicheDetection:    `{"niche": "fitness", "confidence": "high", "reasoning": "Bio and posts."}`,
	ai.SchemaLeadQualification: `{"lead_tier": "hot", "strengths": ["a","b","c"], "weaknesses": ["d","e","f"], "opportunities": ["g","h","i"],
		"recommended_actions": ["j","k"], "risk_factors": ["l"], "fit_reasoning": "Fits."}`,
	ai.SchemaPsychographics: `{"demographics": "25-40", "psychographics": "driven", "pain_points": ["time","results"], "desires": ["strength","health"]}`,
	ai.SchemaCommercialIntelligence: `{"budget_tier": "medium", "decision_role": "decision_maker", "buying_stage": "solution_aware",
		"objections": ["price","trust"], "persuasion_strategy": {"primary_angle": "results", "hook_style": "question",
		"proof_elements": ["reviews","studies"], "communication_style": "friendly"}}`,
	ai.SchemaOutreachMessage: `{"subject": "Hi Ana", "message": "Loved your leg day.", "call_to_action": "Reply?"}`,
}

// costOf is each purpose's cost in micro-dollars: distinct powers of two, so a sum shows which
// calls it counted.
var costOf = map[string]int64{
	ai.SchemaLightAnalysis: 1, ai.SchemaProfileAssessment: 2, ai.SchemaNicheDetection: 4, ai.SchemaLeadQualification: 8,
	ai.SchemaPsychographics: 16, ai.SchemaCommercialIntelligence: 32, ai.SchemaOutreachMessage: 64,
	analyze.PurposeAnonymous: 128,
}

// fakeLLM answers every schema with its canned answer; fails[purpose] makes the first n calls of
// a purpose fail with errs[purpose] (forever when n < 0); answers[purpose] replaces the canned
// answer. It records every request and counts calls per purpose. Safe for concurrent use.
type fakeLLM struct {
	mu      sync.Mutex
	fails   map[string]int
	errs    map[string]error
	answers map[string]string
	calls   map[string]int
	reqs    map[string]ai.Request
}

func (f *fakeLLM) Complete(_ context.Context, r ai.Request) (ai.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls, f.reqs = map[string]int{}, map[string]ai.Request{}
	}
	f.calls[r.Purpose]++
	f.reqs[r.Purpose] = r
	if n := f.fails[r.Purpose]; n < 0 || f.calls[r.Purpose] <= n {
		return ai.Response{}, f.errs[r.Purpose]
	}
	ans, ok := f.answers[r.Purpose]
	if !ok {
		ans = canned[r.Schema.Name]
	}
	model := "model-small"
	if r.Tier == ai.TierStrong {
		model = "model-strong"
	}
	return ai.Response{JSON: json.RawMessage(ans), Provider: "openai", Model: model, CostMicros: costOf[r.Purpose], CostKnown: true,
		Usage: ai.Usage{Input: 100, Output: 10}, CacheHit: r.Purpose == ai.SchemaNicheDetection}, nil
}

func (f *fakeLLM) callsOf(purpose string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[purpose]
}

func (f *fakeLLM) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// harness is one analysis run on the in-memory engine, with mocked store, events and scraper.
type harness struct {
	t       *testing.T
	store   *analyzemock.MockRunStore
	scraper *leadmock.MockScraper
	llm     *fakeLLM
	engine  *workflowtest.Engine
	clock   *clock
	mu      sync.Mutex
	events  []analyze.Event
	typ     analysis.Type
}

func newHarness(t *testing.T, typ analysis.Type, opts ...analyze.Option) *harness {
	ctrl := gomock.NewController(t)
	h := &harness{t: t, store: analyzemock.NewMockRunStore(ctrl), scraper: leadmock.NewMockScraper(ctrl), llm: &fakeLLM{}, clock: &clock{}, typ: typ}
	events := analyzemock.NewMockEvents(ctrl)
	events.EXPECT().Publish(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, e analyze.Event) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, e)
		return fmt.Errorf("publish errors are ignored")
	}).AnyTimes()
	h.engine = workflowtest.New([]workflow.Definition{analyze.Definition(h.store, events, h.scraper, h.llm, h.clock.now, opts...)})
	return h
}

// pending is the analysis MarkRunning returns.
func (h *harness) pending() analyze.Analysis {
	return analyze.Analysis{ID: analysisID, AccountID: accountID, BusinessProfileID: profileID, Username: handle,
		Type: h.typ, Status: analysis.Running, StartedAt: t0}
}

// expectStart expects MarkRunning (running) and the business profile.
func (h *harness) expectStart() {
	h.store.EXPECT().MarkRunning(gomock.Any(), analysisID).Return(h.pending(), true, nil)
	h.store.EXPECT().BusinessProfile(gomock.Any(), accountID, profileID).Return(bizProfile(), nil)
}

// expectScrape makes the scraper answer res once.
func (h *harness) expectScrape(res lead.ScrapeResult) {
	h.scraper.EXPECT().Scrape(gomock.Any(), handle).Return(res, nil)
}

func found(p *lead.ProfileSnapshot) lead.ScrapeResult {
	return lead.ScrapeResult{Outcome: lead.Found, Profile: p, Provider: "apify", CostMicros: 3000, OriginalCostMicros: 3000, FetchedAt: t0}
}

// expectFinish captures the one Finish call.
func (h *harness) expectFinish() *analyze.Finish {
	var got analyze.Finish
	h.store.EXPECT().Finish(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, f analyze.Finish) (bool, error) {
		got = f
		return true, nil
	})
	return &got
}

// run starts the analysis's run, drains the engine and returns the run's status.
func (h *harness) run() workflow.Status {
	h.t.Helper()
	ctx := context.Background()
	in := map[string]string{"analysis_id": analysisID, "account_id": accountID}
	if _, err := h.engine.Start(ctx, analyze.Workflow, in, analyze.RunID(analysisID)); err != nil {
		h.t.Fatal(err)
	}
	h.engine.Drain(ctx)
	st, err := h.engine.Status(ctx, analyze.RunID(analysisID))
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func (h *harness) published() []analyze.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]analyze.Event(nil), h.events...)
}

// ev is an expected event of the harness's analysis.
func ev(et analyze.EventType, step string, k, percent int, msg string) analyze.Event {
	return analyze.Event{AccountID: accountID, AnalysisID: analysisID, Type: et, Step: step, StepIndex: k, StepTotal: 4, Percent: percent, Message: msg}
}
