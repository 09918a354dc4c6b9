package analyze_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/workflow"
)

// A call that fails transiently is asked again on the next attempt of the ai step; the calls
// that had answered are not.
func TestAIRetryAsksOnlyTheFailedCall(t *testing.T) {
	h := newHarness(t, analysis.Deep)
	h.llm.fails = map[string]int{ai.SchemaNicheDetection: 2}
	h.llm.errs = map[string]error{ai.SchemaNicheDetection: ai.ErrUnavailable}
	h.expectStart()
	h.expectScrape(found(snapshot()))
	f := h.expectFinish()
	st := h.run()
	if st.State != workflow.StateSucceeded || f.Outcome != analysis.Scored {
		t.Fatalf("run %+v finish %+v", st, f)
	}
	if n := h.engine.Calls(st.ID, "ai"); n != 3 {
		t.Errorf("ai step attempts %d, want 3", n)
	}
	for pur, want := range map[string]int{ai.SchemaProfileAssessment: 1, ai.SchemaLeadQualification: 1, ai.SchemaNicheDetection: 3} {
		if got := h.llm.callsOf(pur); got != want {
			t.Errorf("%s asked %d times, want %d", pur, got, want)
		}
	}
	// Each call is paid once in the operations row, and the step's duration runs from its first
	// attempt to its success.
	checkOperations(t, f.Operations, []string{ai.SchemaProfileAssessment, ai.SchemaNicheDetection, ai.SchemaLeadQualification})
	// The ai step published its event on every attempt, with the same absolute values.
	var ai3 int
	for _, e := range h.published() {
		if e.Step == "ai" {
			ai3++
			if e != ev(analyze.EventProgress, "ai", 3, 17, "analysing the profile") {
				t.Errorf("event %+v", e)
			}
		}
	}
	if ai3 != 3 {
		t.Errorf("%d ai events, want 3", ai3)
	}
}

func TestAIFailureFinishesProviderFailed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		purpose string
		err     error
		answer  string
		calls   int // of the failing purpose
	}{
		{"refused (permanent)", ai.SchemaLeadQualification, ai.ErrRefused, "", 1},
		{"unavailable through every attempt", ai.SchemaLeadQualification, ai.ErrUnavailable, "", workflow.Standard.MaxAttempts},
		{"an answer of the wrong shape", ai.SchemaLeadQualification, nil, `{"lead_tier": 5}`, 1},
		{"a score out of range", ai.SchemaProfileAssessment, nil, `{"score": 101, "summary": "x"}`, 1},
		{"an answer that is not JSON", ai.SchemaProfileAssessment, nil, `{"score":`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, analysis.Deep)
			if tc.err != nil {
				h.llm.fails, h.llm.errs = map[string]int{tc.purpose: -1}, map[string]error{tc.purpose: tc.err}
			} else {
				h.llm.answers = map[string]string{tc.purpose: tc.answer}
			}
			h.expectStart()
			h.expectScrape(found(snapshot()))
			f := h.expectFinish()
			st := h.run()
			if st.State != workflow.StateSucceeded || string(st.Output) != `{"outcome":"provider_failed","error_code":"analysis.ai-failed"}` {
				t.Fatalf("run %+v %s", st, st.Output)
			}
			if f.Outcome != analysis.ProviderFailed || f.ErrorCode != analyze.CodeAIFailed || f.Score != nil || f.Result != nil || f.Profile != nil {
				t.Errorf("finish %+v", f)
			}
			if got := h.llm.callsOf(tc.purpose); got != tc.calls {
				t.Errorf("%s asked %d times, want %d", tc.purpose, got, tc.calls)
			}
			// The calls that answered cost money all the same: they are in the operations row.
			var purposes []string
			var sum int64
			for _, c := range f.Operations.Calls {
				purposes = append(purposes, c.Purpose)
				sum += c.CostMicros
			}
			var want []string
			for _, p := range []string{ai.SchemaProfileAssessment, ai.SchemaNicheDetection, ai.SchemaLeadQualification} {
				if p != tc.purpose {
					want = append(want, p)
				}
			}
			if !slices.Equal(purposes, want) || f.Operations.AICostMicros != sum || f.Operations.ScrapeCostMicros != 3000 {
				t.Errorf("operations %+v", f.Operations)
			}
			events := h.published()
			if last := events[len(events)-1]; last != ev(analyze.EventFailed, "ai", 3, 17, analyze.CodeAIFailed) {
				t.Errorf("last event %+v", last)
			}
		})
	}
}

func TestScrapeFailureFinishesProviderFailed(t *testing.T) {
	h := newHarness(t, analysis.Light)
	h.expectStart()
	h.scraper.EXPECT().Scrape(gomock.Any(), handle).Return(lead.ScrapeResult{}, lead.ErrScraperUnavailable).Times(workflow.Standard.MaxAttempts)
	f := h.expectFinish()
	st := h.run()
	if st.State != workflow.StateSucceeded || string(st.Output) != `{"outcome":"provider_failed","error_code":"analysis.scrape-failed"}` {
		t.Fatalf("run %+v %s", st, st.Output)
	}
	if f.Outcome != analysis.ProviderFailed || f.ErrorCode != analyze.CodeScrapeFailed || h.llm.total() != 0 {
		t.Errorf("finish %+v, llm calls %d", f, h.llm.total())
	}
	if _, ok := f.Operations.Durations["scrape"]; ok || f.Operations.Durations["profile"] != 1000 {
		t.Errorf("durations %v", f.Operations.Durations)
	}
	events := h.published()
	want := ev(analyze.EventFailed, "scrape", 2, 5, analyze.CodeScrapeFailed)
	if events[len(events)-1] != want || len(events) != 1+workflow.Standard.MaxAttempts+1 {
		t.Errorf("events %+v", events)
	}
}

// A scraper answer without a usable profile is a transient failure: retried.
func TestScrapeWithoutProfileIsRetried(t *testing.T) {
	h := newHarness(t, analysis.Light)
	h.expectStart()
	gomock.InOrder(
		h.scraper.EXPECT().Scrape(gomock.Any(), handle).Return(lead.ScrapeResult{Outcome: lead.Found}, nil),
		h.scraper.EXPECT().Scrape(gomock.Any(), handle).Return(lead.ScrapeResult{Outcome: "maybe", Profile: snapshot()}, nil),
		h.scraper.EXPECT().Scrape(gomock.Any(), handle).Return(found(snapshot()), nil),
	)
	f := h.expectFinish()
	st := h.run()
	if st.State != workflow.StateSucceeded || f.Outcome != analysis.Scored || h.engine.Calls(st.ID, "scrape") != 3 {
		t.Errorf("run %+v finish %+v scrape attempts %d", st, f, h.engine.Calls(st.ID, "scrape"))
	}
}

func TestDeletedBusinessProfileFinishesErrored(t *testing.T) {
	h := newHarness(t, analysis.Light)
	h.store.EXPECT().MarkRunning(gomock.Any(), analysisID).Return(h.pending(), true, nil)
	h.store.EXPECT().BusinessProfile(gomock.Any(), accountID, profileID).Return(business.Profile{}, business.ErrNotFound)
	f := h.expectFinish()
	st := h.run()
	if st.State != workflow.StateSucceeded || string(st.Output) != `{"outcome":"error","error_code":"analysis.profile-unavailable"}` {
		t.Fatalf("run %+v %s", st, st.Output)
	}
	if f.Outcome != analysis.Errored || f.ErrorCode != analyze.CodeProfileUnavailable || f.Profile != nil || f.Result != nil {
		t.Errorf("finish %+v", f)
	}
	if !slices.Equal(h.engine.Checkpoints(st.ID), []string{"start", "profile", "finish"}) {
		t.Errorf("steps %v", h.engine.Checkpoints(st.ID))
	}
	want := []analyze.Event{
		ev(analyze.EventProgress, "profile", 1, 2, "loading the business profile"),
		ev(analyze.EventFailed, "profile", 1, 2, analyze.CodeProfileUnavailable),
	}
	if got := h.published(); !slices.Equal(got, want) {
		t.Errorf("events %+v", got)
	}
}

func TestCancelledBeforeStartTouchesNothing(t *testing.T) {
	h := newHarness(t, analysis.Light)
	a := h.pending()
	a.Status = analysis.Cancelled
	h.store.EXPECT().MarkRunning(gomock.Any(), analysisID).Return(a, false, nil)
	st := h.run()
	if st.State != workflow.StateSucceeded || string(st.Output) != "null" {
		t.Errorf("run %+v %s", st, st.Output)
	}
	if len(h.published()) != 0 || !slices.Equal(h.engine.Checkpoints(st.ID), []string{"start"}) {
		t.Errorf("events %+v, steps %v", h.published(), h.engine.Checkpoints(st.ID))
	}
}

// A run cancelled in the engine while it works stops at its next step without finishing (the
// gomock controller fails the test on any Finish).
func TestCancelledRunStopsWithoutFinishing(t *testing.T) {
	h := newHarness(t, analysis.Light)
	h.expectStart()
	h.scraper.EXPECT().Scrape(gomock.Any(), handle).DoAndReturn(func(ctx context.Context, _ string) (lead.ScrapeResult, error) {
		if err := h.engine.Cancel(ctx, analyze.RunID(analysisID)); err != nil {
			t.Fatal(err)
		}
		return lead.ScrapeResult{}, lead.ErrScraperUnavailable
	})
	st := h.run()
	if st.State != workflow.StateCancelled || h.llm.total() != 0 {
		t.Errorf("run %+v", st)
	}
	for _, e := range h.published() {
		if e.Type != analyze.EventProgress {
			t.Errorf("a cancelled run published %+v", e)
		}
	}
}

// A store that stays down through the save step's Critical retries fails the run, after a
// "fail" step recorded Errored (refunded) and published "failed".
func TestSaveFailureRecordsErrored(t *testing.T) {
	h := newHarness(t, analysis.Light)
	h.expectStart()
	h.expectScrape(found(snapshot()))
	down := apperr.New(apperr.Unavailable, "db.unavailable", "database unavailable")
	var failed analyze.Finish
	gomock.InOrder(
		h.store.EXPECT().Finish(gomock.Any(), gomock.Cond(func(f analyze.Finish) bool { return f.Outcome == analysis.Scored })).
			Return(false, down).Times(workflow.Critical.MaxAttempts),
		h.store.EXPECT().Finish(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, f analyze.Finish) (bool, error) {
			failed = f
			return true, nil
		}),
	)
	st := h.run()
	if st.State != workflow.StateFailed || st.ErrorCode != "db.unavailable" {
		t.Fatalf("run %+v", st)
	}
	if failed.ID != analysisID || failed.Outcome != analysis.Errored || failed.ErrorCode != analyze.CodeFailed {
		t.Errorf("fail finish %+v", failed)
	}
	if !slices.Equal(h.engine.Checkpoints(st.ID), []string{"start", "profile", "scrape", "ai", "save", "fail"}) {
		t.Errorf("steps %v", h.engine.Checkpoints(st.ID))
	}
	events := h.published()
	if last := events[len(events)-1]; last != ev(analyze.EventFailed, "save", 4, 96, analyze.CodeFailed) {
		t.Errorf("last event %+v", last)
	}
	for _, e := range events {
		if e.Type == analyze.EventComplete {
			t.Errorf("a failed save published %+v", e)
		}
	}
}

// A bypass whose finish step cannot be recorded also ends in the fail step.
func TestFinishFailureRecordsErrored(t *testing.T) {
	h := newHarness(t, analysis.Light)
	h.expectStart()
	h.expectScrape(lead.ScrapeResult{Outcome: lead.NotFound})
	bug := errors.New("constraint violated")
	gomock.InOrder(
		h.store.EXPECT().Finish(gomock.Any(), gomock.Cond(func(f analyze.Finish) bool { return f.Outcome == analysis.NotFound })).Return(false, bug),
		h.store.EXPECT().Finish(gomock.Any(), gomock.Cond(func(f analyze.Finish) bool { return f.Outcome == analysis.Errored })).Return(false, bug),
	)
	st := h.run()
	if st.State != workflow.StateFailed || !slices.Equal(h.engine.Checkpoints(st.ID), []string{"start", "profile", "scrape", "finish", "fail"}) {
		t.Errorf("run %+v steps %v", st, h.engine.Checkpoints(st.ID))
	}
	if len(h.published()) != 2 { // profile and scrape: neither finish was recorded
		t.Errorf("events %+v", h.published())
	}
}

func TestStartAndProfileFailures(t *testing.T) {
	bug := errors.New("bug")
	t.Run("start", func(t *testing.T) {
		h := newHarness(t, analysis.Light)
		h.store.EXPECT().MarkRunning(gomock.Any(), analysisID).Return(analyze.Analysis{}, false, bug)
		h.store.EXPECT().Finish(gomock.Any(), analyze.Finish{ID: analysisID, Outcome: analysis.Errored, ErrorCode: analyze.CodeFailed}).Return(true, nil)
		st := h.run()
		if st.State != workflow.StateFailed {
			t.Errorf("run %+v", st)
		}
		want := []analyze.Event{{AccountID: accountID, AnalysisID: analysisID, Type: analyze.EventFailed, Step: "start", StepTotal: 4, Message: analyze.CodeFailed}}
		if got := h.published(); !slices.Equal(got, want) {
			t.Errorf("events %+v", got)
		}
	})
	t.Run("profile", func(t *testing.T) {
		h := newHarness(t, analysis.XRay)
		h.store.EXPECT().MarkRunning(gomock.Any(), analysisID).Return(h.pending(), true, nil)
		h.store.EXPECT().BusinessProfile(gomock.Any(), accountID, profileID).Return(business.Profile{}, bug)
		h.store.EXPECT().Finish(gomock.Any(), gomock.Any()).Return(true, nil)
		if st := h.run(); st.State != workflow.StateFailed || !slices.Equal(h.engine.Checkpoints(st.ID), []string{"start", "profile", "fail"}) {
			t.Errorf("run %+v steps %v", st, h.engine.Checkpoints(st.ID))
		}
	})
	t.Run("input", func(t *testing.T) {
		h := newHarness(t, analysis.Light)
		ctx := context.Background()
		if _, err := h.engine.Start(ctx, analyze.Workflow, []byte(`[1]`), "bad"); err != nil {
			t.Fatal(err)
		}
		h.engine.Drain(ctx)
		if st, _ := h.engine.Status(ctx, "bad"); st.State != workflow.StateFailed || len(h.engine.Checkpoints("bad")) != 0 {
			t.Errorf("run %+v", st)
		}
	})
}

// Total runs from the analysis's start time; the start step stamps one when the store has none.
func TestTotalDuration(t *testing.T) {
	d := analyze.Definition(nil, nil, nil, nil, nil)
	if analyze.Workflow != "analysis.v1" || d.Name != analyze.Workflow || d.Queue != analyze.Queue || d.Validate() != nil {
		t.Errorf("definition %+v", d)
	}
	for _, tc := range []struct {
		started time.Time
		want    time.Duration
	}{
		{t0.Add(-time.Hour), time.Hour + 7*time.Second},
		{time.Time{}, 7 * time.Second}, // stamped at the clock's first reading, t0+1s; saved at t0+8s
	} {
		h := newHarness(t, analysis.Light)
		a := h.pending()
		a.StartedAt = tc.started
		h.store.EXPECT().MarkRunning(gomock.Any(), analysisID).Return(a, true, nil)
		h.store.EXPECT().BusinessProfile(gomock.Any(), accountID, profileID).Return(bizProfile(), nil)
		h.expectScrape(found(snapshot()))
		f := h.expectFinish()
		h.run()
		if f.Operations == nil || f.Operations.Total != tc.want {
			t.Errorf("started %v: operations %+v, want total %v", tc.started, f.Operations, tc.want)
		}
	}
}
