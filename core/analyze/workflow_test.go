package analyze_test

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/workflow"
)

func TestScoredAnalysisOfEachType(t *testing.T) {
	light, deep := []string{ai.SchemaLightAnalysis}, []string{ai.SchemaProfileAssessment, ai.SchemaNicheDetection, ai.SchemaLeadQualification}
	xray := append(slices.Clone(deep), ai.SchemaPsychographics, ai.SchemaCommercialIntelligence, ai.SchemaOutreachMessage)
	for _, tc := range []struct {
		typ      analysis.Type
		purposes []string
		score    int
		aiAt     int // the ai step's percent
		save     int
	}{
		{analysis.Light, light, 72, 37, 96},
		{analysis.Deep, deep, 85, 17, 98},
		{analysis.XRay, xray, 85, 12, 98},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			h := newHarness(t, tc.typ)
			h.expectStart()
			p := snapshot()
			h.expectScrape(found(p))
			f := h.expectFinish()
			st := h.run()

			if st.State != workflow.StateSucceeded || string(st.Output) != `{"outcome":"scored","score":`+itoa(tc.score)+`}` {
				t.Fatalf("run %+v output %s", st, st.Output)
			}
			if got := h.engine.Checkpoints(st.ID); !slices.Equal(got, []string{"start", "profile", "scrape", "ai", "save"}) {
				t.Errorf("steps %v", got)
			}
			// One call per purpose, nothing else.
			if h.llm.total() != len(tc.purposes) {
				t.Errorf("%d calls, want %d: %v", h.llm.total(), len(tc.purposes), h.llm.calls)
			}
			for _, pur := range tc.purposes {
				checkRequest(t, h.llm.reqs[pur], pur, tc.typ)
			}

			if f.ID != analysisID || f.Outcome != analysis.Scored || f.Score == nil || *f.Score != tc.score || f.ErrorCode != "" {
				t.Errorf("finish %+v", f)
			}
			r := f.Result
			if r == nil || r.Summary == "" || f.Summary != r.Summary || r.Bypass != nil {
				t.Fatalf("result %+v", r)
			}
			if r.ICP == nil || !r.ICP.Matched || r.ICP.Score == 0 || len(r.ICP.Reasons) != 3 {
				t.Errorf("icp fit %+v", r.ICP)
			}
			wantModels := map[string]string{}
			for _, pur := range tc.purposes {
				wantModels[pur] = "model-strong"
			}
			if tc.typ == analysis.Light {
				wantModels[ai.SchemaLightAnalysis] = "model-small"
			} else {
				wantModels[ai.SchemaNicheDetection] = "model-small"
			}
			if !maps.Equal(r.Models, wantModels) {
				t.Errorf("models %v, want %v", r.Models, wantModels)
			}
			deepish := tc.typ != analysis.Light
			if (r.Qualification != nil) != deepish || (r.Niche == "fitness") != deepish || (r.NicheConfidence == "high") != deepish {
				t.Errorf("deep fields: qualification %+v niche %q/%q", r.Qualification, r.Niche, r.NicheConfidence)
			}
			if deepish && (r.Qualification.LeadTier != "hot" || len(r.Qualification.Strengths) != 3 || r.Qualification.FitReasoning != "Fits.") {
				t.Errorf("qualification %+v", r.Qualification)
			}
			isX := tc.typ == analysis.XRay
			if (r.Psychographics != nil) != isX || (r.Commercial != nil) != isX || (r.Outreach != nil) != isX {
				t.Errorf("xray fields %+v %+v %+v", r.Psychographics, r.Commercial, r.Outreach)
			}
			if isX && (r.Psychographics.Desires[0] != "strength" || r.Commercial.PersuasionStrategy.ProofElements[1] != "studies" ||
				r.Commercial.DecisionRole != "decision_maker" || r.Outreach.CallToAction != "Reply?") {
				t.Errorf("xray answers %+v %+v %+v", r.Psychographics, r.Commercial, r.Outreach)
			}
			// Metrics are stored for deep and xray only; the lead is saved every time.
			if (f.Metrics != nil) != deepish {
				t.Errorf("metrics stored %v for %s", f.Metrics != nil, tc.typ)
			}
			if deepish && (f.Metrics.SampleSize != 8 || math.Abs(f.Metrics.EngagementRate.Or(0)-0.031) > 1e-9) {
				t.Errorf("metrics %+v", f.Metrics)
			}
			if f.Profile == nil || f.Profile.Username != handle || f.Profile.FollowersCount != 20000 {
				t.Errorf("profile %+v", f.Profile)
			}

			checkOperations(t, f.Operations, tc.purposes)

			want := []analyze.Event{
				ev(analyze.EventProgress, "profile", 1, percent(tc.typ, 2, 1), "loading the business profile"),
				ev(analyze.EventProgress, "scrape", 2, percent(tc.typ, 5, 3, 2), "fetching the Instagram profile"),
				ev(analyze.EventProgress, "ai", 3, tc.aiAt, "analysing the profile"),
				ev(analyze.EventProgress, "save", 4, tc.save, "saving the result"),
				ev(analyze.EventComplete, "complete", 4, 100, "scored"),
			}
			if got := h.published(); !slices.Equal(got, want) {
				t.Errorf("events\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// percent picks the light value, else the deep one, else (xray) the last given.
func percent(t analysis.Type, light, deep int, xray ...int) int {
	switch {
	case t == analysis.Light:
		return light
	case t == analysis.Deep || len(xray) == 0:
		return deep
	}
	return xray[0]
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// checkRequest checks one call's request: purpose = schema, tier, account, facts (engagement in
// percent, the business), prompts with the business and the profile and nothing time-varying.
func checkRequest(t *testing.T, r ai.Request, purpose string, typ analysis.Type) {
	t.Helper()
	wantTier := ai.TierStrong
	if purpose == ai.SchemaLightAnalysis || purpose == ai.SchemaNicheDetection {
		wantTier = ai.TierSmall
	}
	wantEffort := ai.EffortDefault
	if purpose == ai.SchemaLeadQualification {
		wantEffort = ai.EffortMedium
	}
	if r.Purpose != purpose || r.Schema.Name != purpose || r.Tier != wantTier || r.Effort != wantEffort || r.AccountID != accountID || r.System == "" {
		t.Errorf("%s: request purpose %q schema %q tier %q effort %q account %q", purpose, r.Purpose, r.Schema.Name, r.Tier, r.Effort, r.AccountID)
	}
	if r.Facts == nil || r.Facts.Profile == nil || r.Facts.Metrics == nil || r.Facts.Business == nil {
		t.Fatalf("%s: facts %+v", purpose, r.Facts)
	}
	if r.Facts.Metrics.EngagementRate != 3.1 || r.Facts.Metrics.AvgLikes != 600 || r.Facts.Business.Name != "Acme Supplements" ||
		r.Facts.Business.ICP.MinEngagementRate != 1 || r.Facts.Profile.Username != handle {
		t.Errorf("%s: facts metrics %+v business %+v", purpose, r.Facts.Metrics, r.Facts.Business)
	}
	for _, want := range []string{"Acme Supplements", "@" + handle, "Followers: 20000", "Engagement rate: 3.10 %", "Leg day #fitness", "2026-02-27"} {
		if !strings.Contains(r.User, want) {
			t.Errorf("%s: the user prompt lacks %q:\n%s", purpose, want, r.User)
		}
	}
	posts := strings.Count(r.User, " likes, ")
	if wantPosts := map[analysis.Type]int{analysis.Light: 6, analysis.Deep: 8, analysis.XRay: 8}[typ]; posts != wantPosts {
		t.Errorf("%s: %d posts in the prompt, want %d", purpose, posts, wantPosts)
	}
	if strings.Contains(r.User, "2026-03-01") || strings.Contains(r.User, analysisID) {
		t.Errorf("%s: the prompt carries the clock or the run:\n%s", purpose, r.User)
	}
}

// checkOperations checks the operations row of a scored run whose calls were purposes.
func checkOperations(t *testing.T, ops *analyze.Operations, purposes []string) {
	t.Helper()
	if ops == nil {
		t.Fatal("no operations")
	}
	var sum int64
	var got []string
	for _, c := range ops.Calls {
		sum += costOf[c.Purpose]
		got = append(got, c.Purpose)
		if c.CostMicros != costOf[c.Purpose] || c.Provider != "openai" || c.TokensIn != 100 || c.TokensOut != 10 ||
			c.CacheHit != (c.Purpose == ai.SchemaNicheDetection) || c.Model == "" {
			t.Errorf("call %+v", c)
		}
	}
	if !slices.Equal(got, purposes) || ops.AICostMicros != sum {
		t.Errorf("calls %v (want %v), ai cost %d (want %d)", got, purposes, ops.AICostMicros, sum)
	}
	if ops.ScrapeCostMicros != 3000 || ops.ScrapeProvider != "apify" || ops.ScrapeCached {
		t.Errorf("scrape ops %+v", ops)
	}
	// The fake clock ticks a second per reading: each step reads it when it starts and ends.
	want := map[string]int64{"profile": 1000, "scrape": 1000, "ai": 1000}
	if !maps.Equal(ops.Durations, want) {
		t.Errorf("durations %v, want %v", ops.Durations, want)
	}
	if ops.Total != 7*time.Second { // six readings by the steps, the seventh by save; started at t0
		t.Errorf("total %v", ops.Total)
	}
	// Derived: every step took a second, so the first (profile) is the slowest; seven seconds and
	// a few micro-dollars are within budget.
	if ops.TotalMS != 7000 || ops.SlowestStep != "profile" || ops.SlowestMS != 1000 || ops.SLA != analyze.SLABucketMet ||
		ops.CostAlert != analyze.LevelOK {
		t.Errorf("derived operations %+v", ops)
	}
}

// A scrape answered from the cache is recorded as cached, with its (zero) cost.
func TestCachedScrapeIsRecorded(t *testing.T) {
	h := newHarness(t, analysis.Light)
	h.expectStart()
	res := found(snapshot())
	res.Cached, res.CostMicros = true, 0
	h.expectScrape(res)
	f := h.expectFinish()
	h.run()
	if ops := f.Operations; ops == nil || !ops.ScrapeCached || ops.ScrapeCostMicros != 0 || ops.ScrapeProvider != "apify" {
		t.Errorf("operations %+v", f.Operations)
	}
}

// lead lists the profile snapshot's fields a test changes.
func TestBypassOutcomes(t *testing.T) {
	private := snapshot()
	private.Private, private.RecentPosts = true, nil
	small := snapshot()
	small.FollowersCount = 500 // below the ICP's 1,000
	quiet := snapshot()
	for i := range quiet.RecentPosts {
		quiet.RecentPosts[i].Likes, quiet.RecentPosts[i].Comments = 100, 0 // 0.5 %: below the 1 % minimum
	}
	for _, tc := range []struct {
		name    string
		res     lead.ScrapeResult
		outcome analysis.Outcome
		profile bool
		icp     bool
		detail  string
	}{
		{"not found", lead.ScrapeResult{Outcome: lead.NotFound, Provider: "apify", CostMicros: 3000}, analysis.NotFound, false, false, "No Instagram profile"},
		{"private", lead.ScrapeResult{Outcome: lead.Private, Profile: private, Provider: "apify", CostMicros: 3000}, analysis.Private, true, false, "private"},
		{"private without counts", lead.ScrapeResult{Outcome: lead.Private, Provider: "apify", CostMicros: 3000}, analysis.Private, false, false, "private"},
		{"too few followers", found(small), analysis.ICPMismatch, true, true, "500"},
		{"engagement below the minimum", found(quiet), analysis.ICPMismatch, true, true, "engagement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, analysis.Deep)
			h.expectStart()
			h.expectScrape(tc.res)
			f := h.expectFinish()
			st := h.run()
			if st.State != workflow.StateSucceeded || string(st.Output) != `{"outcome":"`+string(tc.outcome)+`"}` {
				t.Fatalf("run %+v %s", st, st.Output)
			}
			if !slices.Equal(h.engine.Checkpoints(st.ID), []string{"start", "profile", "scrape", "finish"}) {
				t.Errorf("steps %v", h.engine.Checkpoints(st.ID))
			}
			if h.llm.total() != 0 {
				t.Errorf("a bypassed analysis asked the models %v", h.llm.calls)
			}
			if f.Outcome != tc.outcome || f.Score != nil || f.Metrics != nil || f.ErrorCode != "" || (f.Profile != nil) != tc.profile {
				t.Errorf("finish %+v", f)
			}
			r := f.Result
			if r == nil || r.Bypass == nil || r.Bypass.Reason != string(tc.outcome) || !strings.Contains(r.Bypass.Detail, tc.detail) || r.Summary != "" {
				t.Fatalf("result %+v", r)
			}
			if (r.ICP != nil) != tc.icp || tc.icp && (r.ICP.Matched || r.ICP.Score != 0) {
				t.Errorf("icp %+v", r.ICP)
			}
			if ops := f.Operations; ops == nil || ops.ScrapeCostMicros != 3000 || ops.AICostMicros != 0 || len(ops.Calls) != 0 || ops.Durations["scrape"] != 1000 {
				t.Errorf("operations %+v", f.Operations)
			}
			want := []analyze.Event{
				ev(analyze.EventProgress, "profile", 1, 1, "loading the business profile"),
				ev(analyze.EventProgress, "scrape", 2, 3, "fetching the Instagram profile"),
				ev(analyze.EventComplete, "complete", 4, 100, string(tc.outcome)),
			}
			if got := h.published(); !slices.Equal(got, want) {
				t.Errorf("events\n got %+v\nwant %+v", got, want)
			}
		})
	}
}
