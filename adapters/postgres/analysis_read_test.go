package postgres_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
)

// isInvalidCursor reports whether err is the invalid-cursor error every listing gives.
func isInvalidCursor(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind == apperr.Invalid && e.Code == apperr.CodeInvalidCursor
}

// intruder is a member of another account claiming f's account id: only row-level security
// stands between it and f's rows.
func intruder(t *testing.T, f analysisFixture) tenant.Principal {
	t.Helper()
	other := newAnalysisFixture(t, 0)
	p := other.m.principal()
	p.AccountID = f.m.account
	return p
}

func TestAnalysisGetRoundTripsAndIsIsolated(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	a := f.running(t, "grace")
	rate := 0.035
	fin := analyze.Finish{ID: a.ID, Outcome: analysis.Scored, Score: intp(64), Summary: "Good fit.", Profile: snapshot("grace", 5000),
		Result: &analyze.Result{Summary: "Good fit.", Niche: "fitness", Qualification: &analyze.Qualification{LeadTier: "warm",
			Strengths: []string{"audience"}}, Models: map[string]string{"assessment": "offline"}},
		Metrics: &lead.Metrics{SampleSize: 12, EngagementRate: lead.Metric[float64]{Value: &rate}}}
	finish(t, f, fin)

	got, err := f.store.Get(t.Context(), f.m.principal(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.Status != analysis.Completed || got.Score == nil || *got.Score != 64 || got.Tier != analysis.Warm ||
		got.LeadID == "" || got.Summary != "Good fit." || got.Result == nil || got.Result.Niche != "fitness" ||
		got.Result.Qualification == nil || got.Result.Qualification.Strengths[0] != "audience" || got.Result.Models["assessment"] != "offline" ||
		got.Metrics == nil || got.Metrics.SampleSize != 12 || got.Metrics.EngagementRate.Or(0) != 0.035 ||
		!got.StartedAt.Equal(a.StartedAt) || got.CreatedAt.Location().String() != "UTC" {
		t.Errorf("Get = %+v", got)
	}
	other := newAnalysisFixture(t, 0)
	for name, p := range map[string]tenant.Principal{"other account": other.m.principal(), "claimed account": intruder(t, f)} {
		if _, err := f.store.Get(t.Context(), p, a.ID); !errors.Is(err, analyze.ErrNotFound) {
			t.Errorf("%s: Get = %v, want ErrNotFound", name, err)
		}
	}
	for _, id := range []string{newUUID(), "nope"} {
		if _, err := f.store.Get(t.Context(), f.m.principal(), id); !errors.Is(err, analyze.ErrNotFound) {
			t.Errorf("Get(%q) = %v", id, err)
		}
	}
}

// listAll pages through a listing with page size 2 and returns the ids.
func listAll(t *testing.T, f analysisFixture, p tenant.Principal, filter analyze.AnalysisFilter) []string {
	t.Helper()
	var out []string
	filter.Limit = 2
	for range 20 {
		page, err := f.store.List(t.Context(), p, filter)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Items {
			out = append(out, a.ID)
		}
		if page.NextCursor == "" {
			return out
		}
		filter.Cursor = page.NextCursor
	}
	t.Fatal("listing does not end")
	return nil
}

func TestAnalysisListFiltersAndPages(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 20)
	pending := f.submit(t, "pending.one")
	deep, err := f.store.Submit(t.Context(), f.sub("deep.one", analysis.Deep), noStart)
	if err != nil {
		t.Fatal(err)
	}
	scored := f.running(t, "scored.one")
	finish(t, f, analyze.Finish{ID: scored.ID, Outcome: analysis.Scored, Score: intp(80), Profile: snapshot("scored.one", 10)})
	scored, _ = f.store.Load(t.Context(), scored.ID)
	s := f.sub("elsewhere", analysis.Light)
	s.BusinessProfileID = insertProfile(t, f.pool, f.m.account)
	elsewhere, err := f.store.Submit(t.Context(), s, noStart)
	if err != nil {
		t.Fatal(err)
	}
	xray, err := f.store.Submit(t.Context(), f.sub("xray.one", analysis.XRay), noStart)
	if err != nil {
		t.Fatal(err)
	}

	all := listAll(t, f, f.m.principal(), analyze.AnalysisFilter{})
	if want := []string{xray.ID, elsewhere.ID, scored.ID, deep.ID, pending.ID}; !slices.Equal(all, want) {
		t.Errorf("all = %v\nwant %v (newest first)", all, want)
	}
	for name, c := range map[string]struct {
		f    analyze.AnalysisFilter
		want []string
	}{
		"status":  {analyze.AnalysisFilter{Status: analysis.Completed}, []string{scored.ID}},
		"type":    {analyze.AnalysisFilter{Type: analysis.Deep}, []string{deep.ID}},
		"profile": {analyze.AnalysisFilter{BusinessProfileID: s.BusinessProfileID}, []string{elsewhere.ID}},
		"lead":    {analyze.AnalysisFilter{LeadID: scored.LeadID}, []string{scored.ID}},
		"pending light of the first profile": {analyze.AnalysisFilter{Status: analysis.Pending, Type: analysis.Light,
			BusinessProfileID: f.profile}, []string{pending.ID}},
	} {
		if got := listAll(t, f, f.m.principal(), c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}

	page, err := f.store.List(t.Context(), f.m.principal(), analyze.AnalysisFilter{Limit: 2})
	if err != nil || page.NextCursor == "" {
		t.Fatal(page, err)
	}
	other := newAnalysisFixture(t, 0)
	for name, c := range map[string]struct {
		p      tenant.Principal
		cursor string
	}{
		"foreign":  {other.m.principal(), page.NextCursor},
		"tampered": {f.m.principal(), tamperMiddle(page.NextCursor)},
		"garbage":  {f.m.principal(), "not-a-cursor"},
	} {
		if _, err := f.store.List(t.Context(), c.p, analyze.AnalysisFilter{Cursor: c.cursor}); !isInvalidCursor(err) {
			t.Errorf("%s cursor: %v, want the invalid-cursor error", name, err)
		}
	}
	for name, p := range map[string]tenant.Principal{"other account": other.m.principal(), "claimed account": intruder(t, f)} {
		if got := listAll(t, f, p, analyze.AnalysisFilter{}); len(got) != 0 {
			t.Errorf("%s sees %v", name, got)
		}
	}
}

func TestBatchViewCountsAndPercent(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	b, items, err := f.store.SubmitBatch(t.Context(), analyze.BatchSubmission{AccountID: f.m.account, BusinessProfileID: f.profile,
		Usernames: []string{"z.first", "y.second", "x.third", "w.fourth"}, Type: analysis.Light, Credits: 1}, noStart)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range items[1:3] {
		if _, ok, err := f.store.MarkRunning(t.Context(), a.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if err := f.store.Publish(t.Context(), analyze.Event{AccountID: f.m.account, AnalysisID: items[1].ID, Type: analyze.EventProgress,
		Step: "scrape", StepIndex: 1, StepTotal: 4, Percent: 50}); err != nil {
		t.Fatal(err)
	}
	finish(t, f, analyze.Finish{ID: items[2].ID, Outcome: analysis.NotFound})
	finish(t, f, analyze.Finish{ID: items[3].ID, Outcome: analysis.Expired})

	v, err := f.store.Batch(t.Context(), f.m.principal(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != b.ID || v.Total != 4 || v.Type != analysis.Light || v.BusinessProfileID != f.profile || !v.CancelledAt.IsZero() {
		t.Errorf("batch = %+v", v.Batch)
	}
	want := map[analysis.Status]int{analysis.Pending: 1, analysis.Running: 1, analysis.Completed: 1, analysis.Failed: 1, analysis.Cancelled: 0}
	if len(v.Counts) != len(want) {
		t.Errorf("counts = %v, want every status", v.Counts)
	}
	for st, n := range want {
		if got, ok := v.Counts[st]; !ok || got != n {
			t.Errorf("count of %s = %d (present %v), want %d", st, got, ok, n)
		}
	}
	if v.Percent != (0+50+100+100)/4 {
		t.Errorf("percent = %d, want 62", v.Percent)
	}
	var got []string
	for _, a := range v.Items {
		got = append(got, a.Username)
	}
	if !slices.Equal(got, []string{"z.first", "y.second", "x.third", "w.fourth"}) {
		t.Errorf("items = %v, want creation order", got)
	}
	other := newAnalysisFixture(t, 0)
	for name, p := range map[string]tenant.Principal{"other account": other.m.principal(), "claimed account": intruder(t, f)} {
		if _, err := f.store.Batch(t.Context(), p, b.ID); !errors.Is(err, analyze.ErrNotFound) {
			t.Errorf("%s: Batch = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := f.store.Batch(t.Context(), f.m.principal(), items[0].ID); !errors.Is(err, analyze.ErrNotFound) {
		t.Errorf("an analysis id as batch: %v", err)
	}
}
