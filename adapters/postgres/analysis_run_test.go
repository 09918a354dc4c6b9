package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/lead"
)

// finish calls Finish and requires it to apply.
func finish(t *testing.T, f analysisFixture, fin analyze.Finish) {
	t.Helper()
	done, err := f.store.Finish(t.Context(), fin)
	if err != nil || !done {
		t.Fatalf("Finish(%s, %s) = %v, %v; want true", fin.ID, fin.Outcome, done, err)
	}
}

// running submits a light analysis of username and marks it running.
func (f analysisFixture) running(t *testing.T, username string) analyze.Analysis {
	t.Helper()
	a, ok, err := f.store.MarkRunning(t.Context(), f.submit(t, username).ID)
	if err != nil || !ok {
		t.Fatalf("MarkRunning: %v, %v", ok, err)
	}
	return a
}

func snapshot(username string, followers int64) *lead.ProfileSnapshot {
	return &lead.ProfileSnapshot{Username: username, FullName: "Name of " + username, Biography: "bio",
		FollowersCount: followers, FollowingCount: 10, PostsCount: 99, Verified: true, BusinessAccount: true,
		BusinessCategory: "Coach", ExternalURL: "https://example.test", ProfilePicURL: "https://example.test/p.jpg"}
}

func intp(n int) *int { return &n }

func TestMarkRunningOnlyFromPending(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	a := f.submit(t, "grace")
	first, ok, err := f.store.MarkRunning(t.Context(), a.ID)
	if err != nil || !ok || first.Status != analysis.Running || first.StartedAt.IsZero() {
		t.Fatalf("MarkRunning = %+v, %v, %v", first, ok, err)
	}
	again, ok, err := f.store.MarkRunning(t.Context(), a.ID)
	if err != nil || !ok || again.Status != analysis.Running || !again.StartedAt.Equal(first.StartedAt) {
		t.Errorf("MarkRunning on running = %+v, %v, %v; want true with the first started_at", again, ok, err)
	}
	b := f.submit(t, "ada")
	finish(t, f, analyze.Finish{ID: b.ID, Outcome: analysis.Expired, ErrorCode: analyze.CodeExpired})
	if got, ok, err := f.store.MarkRunning(t.Context(), b.ID); err != nil || ok || got.Status != analysis.Failed || !got.StartedAt.IsZero() {
		t.Errorf("MarkRunning on failed = %+v, %v, %v; want it unchanged and false", got, ok, err)
	}
	for _, id := range []string{newUUID(), "x"} {
		if _, _, err := f.store.MarkRunning(t.Context(), id); !errors.Is(err, analyze.ErrNotFound) {
			t.Errorf("MarkRunning(%q): %v, want ErrNotFound", id, err)
		}
		if _, err := f.store.Load(t.Context(), id); !errors.Is(err, analyze.ErrNotFound) {
			t.Errorf("Load(%q): %v, want ErrNotFound", id, err)
		}
	}
}

func TestMarkRunningRacesCancelPendingSafely(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixtureOn(t, contendedPool(t, 12), 100)
	names := []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11"}
	b, items, err := f.store.SubmitBatch(t.Context(), analyze.BatchSubmission{AccountID: f.m.account,
		BusinessProfileID: f.profile, Usernames: names, Type: analysis.Light, Credits: 1}, noStart)
	if err != nil {
		t.Fatal(err)
	}
	won := make([]bool, len(items))
	var cancelled []analyze.Analysis
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i, a := range items {
		wg.Go(func() {
			<-gate
			var err error
			if _, won[i], err = f.store.MarkRunning(context.WithoutCancel(t.Context()), a.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		<-gate
		var err error
		if cancelled, err = f.store.CancelPending(context.WithoutCancel(t.Context()), f.m.account, b.ID); err != nil {
			t.Error(err)
		}
	})
	close(gate)
	wg.Wait()
	isCancelled := map[string]bool{}
	for _, a := range cancelled {
		isCancelled[a.ID] = true
	}
	for i, a := range items {
		got, err := f.store.Load(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := analysis.Running
		if isCancelled[a.ID] {
			want = analysis.Cancelled
		}
		if won[i] == isCancelled[a.ID] || got.Status != want {
			t.Errorf("item %d: MarkRunning won %v, cancelled %v, status %s", i, won[i], isCancelled[a.ID], got.Status)
		}
	}
	if n := f.entries(t, credit.AnalysisRefund, ""); n != len(cancelled) {
		t.Errorf("%d refunds for %d cancelled items", n, len(cancelled))
	}
	if bal := f.balance(t); bal != int64(100-len(items)+len(cancelled)) {
		t.Errorf("balance %d with %d cancelled", bal, len(cancelled))
	}
}

func TestFinishEveryOutcome(t *testing.T) {
	t.Parallel()
	cases := []struct {
		outcome     analysis.Outcome
		fromRunning bool
		profile     bool
		code        string
		status      analysis.Status
		balance     int64 // from 10, after a light (1 credit) analysis
	}{
		{analysis.Scored, true, true, "", analysis.Completed, 9},
		{analysis.NotFound, true, false, "", analysis.Completed, 10},
		{analysis.Private, true, true, "", analysis.Completed, 10},
		{analysis.ICPMismatch, true, true, "", analysis.Completed, 10},
		{analysis.ProviderFailed, true, false, analyze.CodeScrapeFailed, analysis.Failed, 10},
		{analysis.Errored, true, false, analyze.CodeAIFailed, analysis.Failed, 10},
		{analysis.Errored, false, false, analyze.CodeProfileUnavailable, analysis.Failed, 10},
		{analysis.Expired, false, false, analyze.CodeExpired, analysis.Failed, 10},
		{analysis.CancelledOutcome, false, false, analyze.CodeCancelled, analysis.Cancelled, 10},
	}
	for _, c := range cases {
		t.Run(string(c.outcome), func(t *testing.T) {
			t.Parallel()
			f := newAnalysisFixture(t, 10)
			a := f.submit(t, "lead.one")
			if c.fromRunning {
				var ok bool
				var err error
				if a, ok, err = f.store.MarkRunning(t.Context(), a.ID); !ok || err != nil {
					t.Fatal(ok, err)
				}
			}
			fin := analyze.Finish{ID: a.ID, Outcome: c.outcome, Score: intp(85), Summary: "A fine lead.",
				Result: &analyze.Result{Summary: "A fine lead.", Bypass: &analyze.Bypass{Reason: string(c.outcome)}}, ErrorCode: c.code}
			if c.profile {
				fin.Profile = snapshot("lead.one", 1234)
			}
			finish(t, f, fin)
			got, err := f.store.Load(t.Context(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			scored := c.outcome == analysis.Scored
			if got.Status != c.status || got.Outcome != c.outcome || got.Progress != 100 || got.CompletedAt.IsZero() ||
				got.Refunded == scored || got.ErrorCode != c.code || got.Summary != "A fine lead." ||
				got.Result == nil || got.Result.Bypass == nil || got.Result.Bypass.Reason != string(c.outcome) {
				t.Errorf("stored = %+v", got)
			}
			if scored != (got.Score != nil && *got.Score == 85 && got.Tier == analysis.Hot) || (!scored && (got.Score != nil || got.Tier != "")) {
				t.Errorf("score %v tier %q", got.Score, got.Tier)
			}
			ref := analyze.RunID(a.ID)
			wantRefunds := map[bool]int{true: 0, false: 1}[scored]
			if b, n := f.balance(t), f.entries(t, credit.AnalysisRefund, ref); b != c.balance || n != wantRefunds {
				t.Errorf("balance %d with %d refunds, want %d and %d", b, n, c.balance, wantRefunds)
			}
			leads := count(t, f.pool, `select count(*) from public.leads where account_id = $1 and id = $2::uuid
				and username = 'lead.one' and followers_count = 1234 and last_analysis_id = $3
				and last_score is not distinct from $4 and analyses_count = 1`, f.m.account, nullable(got.LeadID), a.ID, got.Score)
			if c.profile != (leads == 1) || c.profile == (got.LeadID == "") {
				t.Errorf("lead id %q, %d matching leads; profile given: %v", got.LeadID, leads, c.profile)
			}
			// A repeated finish changes nothing and refunds nothing more.
			if done, err := f.store.Finish(t.Context(), fin); done || err != nil {
				t.Errorf("second Finish = %v, %v", done, err)
			}
			if b, n := f.balance(t), f.entries(t, credit.AnalysisRefund, ref); b != c.balance || n != wantRefunds {
				t.Errorf("after a second Finish: balance %d with %d refunds", b, n)
			}
		})
	}
}

// nullable sends "" as NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func TestFinishConcurrentlyRefundsOnce(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixtureOn(t, contendedPool(t, 10), 10)
	a := f.running(t, "grace")
	done := make([]bool, 10)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range done {
		wg.Go(func() {
			<-gate
			var err error
			done[i], err = f.store.Finish(context.WithoutCancel(t.Context()), analyze.Finish{ID: a.ID,
				Outcome: analysis.ProviderFailed, ErrorCode: analyze.CodeAIFailed})
			if err != nil {
				t.Error(err)
			}
		})
	}
	close(gate)
	wg.Wait()
	n := 0
	for _, d := range done {
		if d {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d finishes applied, want 1", n)
	}
	if b, r := f.balance(t), f.entries(t, credit.AnalysisRefund, ""); b != 10 || r != 1 {
		t.Errorf("balance %d with %d refunds, want 10 and 1", b, r)
	}
}

func TestFinishIllegalMoveChangesNothing(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	pending := f.submit(t, "pending.one")
	run := f.running(t, "running.one")
	for _, c := range []struct {
		a analyze.Analysis
		o analysis.Outcome
	}{{pending, analysis.Scored}, {pending, analysis.NotFound}, {pending, analysis.ProviderFailed}, {run, analysis.Expired}, {run, analysis.CancelledOutcome}} {
		done, err := f.store.Finish(t.Context(), analyze.Finish{ID: c.a.ID, Outcome: c.o, Score: intp(50), Profile: snapshot(c.a.Username, 1)})
		if done || err != nil {
			t.Errorf("Finish(%s from %s) = %v, %v; want false", c.o, c.a.Status, done, err)
		}
		if got, _ := f.store.Load(t.Context(), c.a.ID); got.Status != c.a.Status || got.Outcome != "" || got.Refunded {
			t.Errorf("after a refused %s: %+v", c.o, got)
		}
	}
	for name, fin := range map[string]analyze.Finish{
		"unknown outcome": {ID: run.ID, Outcome: "great"},
		"no score":        {ID: run.ID, Outcome: analysis.Scored},
		"score 101":       {ID: run.ID, Outcome: analysis.Scored, Score: intp(101)},
	} {
		if done, err := f.store.Finish(t.Context(), fin); done || err == nil {
			t.Errorf("%s: Finish = %v, %v; want an error", name, done, err)
		}
	}
	if _, err := f.store.Finish(t.Context(), analyze.Finish{ID: newUUID(), Outcome: analysis.Errored}); !errors.Is(err, analyze.ErrNotFound) {
		t.Errorf("unknown analysis: %v", err)
	}
	if b, n := f.balance(t), count(t, f.pool, `select count(*) from public.leads where account_id = $1`, f.m.account); b != 8 || n != 0 {
		t.Errorf("balance %d, %d leads; want 8 and none", b, n)
	}
}

func TestFinishUpdatesTheLiveLead(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	first := f.running(t, "lead.one")
	finish(t, f, analyze.Finish{ID: first.ID, Outcome: analysis.Scored, Score: intp(90), Profile: snapshot("lead.one", 1000)})
	second := f.running(t, "lead.one")
	p := snapshot("lead.one", 2000)
	p.FullName, p.Verified = "New name", false
	finish(t, f, analyze.Finish{ID: second.ID, Outcome: analysis.Scored, Score: intp(45), Profile: p})

	a1, _ := f.store.Load(t.Context(), first.ID)
	a2, _ := f.store.Load(t.Context(), second.ID)
	if a1.LeadID == "" || a1.LeadID != a2.LeadID {
		t.Fatalf("lead ids %q and %q, want one lead", a1.LeadID, a2.LeadID)
	}
	l, err := f.store.Lead(t.Context(), f.m.principal(), a1.LeadID)
	if err != nil {
		t.Fatal(err)
	}
	if l.AnalysesCount != 2 || l.LastAnalysisID != second.ID || l.LastScore == nil || *l.LastScore != 45 ||
		l.LastTier != analysis.Cool || l.FollowersCount != 2000 || l.DisplayName != "New name" || l.Verified ||
		l.FirstAnalyzedAt.After(l.LastAnalyzedAt) || l.BusinessCategory != "Coach" || l.PostsCount != 99 {
		t.Errorf("lead = %+v", l)
	}
	// A deleted lead analysed again becomes a new lead.
	if err := f.store.DeleteLead(t.Context(), f.m.principal(), l.ID); err != nil {
		t.Fatal(err)
	}
	third := f.running(t, "lead.one")
	finish(t, f, analyze.Finish{ID: third.ID, Outcome: analysis.Private, Profile: snapshot("lead.one", 3000)})
	a3, _ := f.store.Load(t.Context(), third.ID)
	if a3.LeadID == "" || a3.LeadID == l.ID {
		t.Errorf("third analysis's lead %q, want a new one", a3.LeadID)
	}
	if n := count(t, f.pool, `select count(*) from public.leads where account_id = $1 and last_score is null and analyses_count = 1 and id = $2`, f.m.account, a3.LeadID); n != 1 {
		t.Errorf("new lead not stored as an unscored first analysis")
	}
}

func TestFinishWritesTheOperationsRowOnce(t *testing.T) {
	t.Parallel()
	f := newAnalysisFixture(t, 10)
	a := f.running(t, "grace")
	ops := &analyze.Operations{AICostMicros: 1500, ScrapeCostMicros: 2300, ScrapeProvider: "apify",
		Durations: map[string]int64{"scrape": 1200}, Total: 4200 * time.Millisecond,
		Calls: []analyze.CallCost{{Purpose: "assessment", Model: "gpt", CostMicros: 1500}}}
	finish(t, f, analyze.Finish{ID: a.ID, Outcome: analysis.Scored, Score: intp(70), Operations: ops})
	if n := count(t, f.pool, `select count(*) from public.operations_ledger where analysis_id = $1 and account_id = $2
		and analysis_type = 'light' and username = 'grace' and outcome = 'scored' and cost_micros = 3800
		and ai_cost_micros = 1500 and scrape_cost_micros = 2300 and duration_ms = 4200
		and metrics->'durations_ms'->>'scrape' = '1200' and metrics->>'scrape_provider' = 'apify'
		and metrics->'calls'->0->>'purpose' = 'assessment'`, a.ID, f.m.account); n != 1 {
		t.Errorf("%d matching operations rows, want 1", n)
	}
}
