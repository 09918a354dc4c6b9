package maintenance_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/maintenance"
)

// fakePurger holds row ages per target and deletes the expired ones.
type fakePurger struct {
	rows  map[string][]time.Time
	calls int
	fail  error
}

func (p *fakePurger) Targets() []string {
	return []string{maintenance.TargetAnonymousResults, maintenance.TargetCronRuns, maintenance.TargetLLMCache,
		maintenance.TargetProfileCache, maintenance.TargetRateLimits, maintenance.TargetWebhookEvents,
		maintenance.TargetDeletedLeads, maintenance.TargetCompletedAnalyses, maintenance.TargetFailedAnalyses,
		maintenance.TargetAnalysisEvents, maintenance.TargetEventTickets}
}

func (p *fakePurger) Purge(_ context.Context, target string, before time.Time, limit int) (int64, error) {
	p.calls++
	if p.fail != nil && target == maintenance.TargetWebhookEvents {
		return 0, p.fail
	}
	var kept []time.Time
	var n int64
	for _, at := range p.rows[target] {
		if at.Before(before) && n < int64(limit) {
			n++
			continue
		}
		kept = append(kept, at)
	}
	p.rows[target] = kept
	return n, nil
}

func TestRetentionDeletesInBatchesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	now := at("2026-06-01T02:00:00Z")
	old, recent := now.AddDate(0, 0, -91), now.AddDate(0, 0, -89)
	// The caches: LLM answers by expiry (one expired a minute ago, one live for an hour more),
	// scraped profiles by when they were stored (8 and 6 days ago).
	p := &fakePurger{rows: map[string][]time.Time{
		maintenance.TargetWebhookEvents: {old, old, old, old, old, recent},
		maintenance.TargetCronRuns:      {old, recent},
		maintenance.TargetLLMCache:      {now.Add(-time.Minute), now.Add(time.Hour)},
		maintenance.TargetProfileCache:  {now.AddDate(0, 0, -8), now.AddDate(0, 0, -6)},
		// Rate-limit state by expiry; anonymous results 7 and 5 hours after they were stored.
		maintenance.TargetRateLimits: {now.Add(-time.Second), now.Add(time.Second)},
		// WebSocket tickets by expiry.
		maintenance.TargetEventTickets:     {now.Add(-time.Second), now.Add(time.Second)},
		maintenance.TargetAnonymousResults: {now.Add(-7 * time.Hour), now.Add(-5 * time.Hour)},
		// Leads deleted, analyses finished and events written on each side of their windows.
		maintenance.TargetDeletedLeads:      {now.AddDate(0, 0, -31), now.AddDate(0, 0, -29)},
		maintenance.TargetCompletedAnalyses: {old, recent},
		maintenance.TargetFailedAnalyses:    {now.AddDate(0, 0, -31), now.AddDate(0, 0, -29)},
		maintenance.TargetAnalysisEvents:    {now.AddDate(0, 0, -8), now.AddDate(0, 0, -6)},
	}}
	r, err := maintenance.NewRetention(p, maintenance.DefaultRetentionRules(0, 0), 2)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted[maintenance.TargetWebhookEvents] != 5 || rep.Deleted[maintenance.TargetCronRuns] != 1 ||
		rep.Deleted[maintenance.TargetLLMCache] != 1 || rep.Deleted[maintenance.TargetProfileCache] != 1 ||
		rep.Deleted[maintenance.TargetRateLimits] != 1 || rep.Deleted[maintenance.TargetAnonymousResults] != 1 ||
		rep.Deleted[maintenance.TargetEventTickets] != 1 {
		t.Errorf("deleted %v", rep.Deleted)
	}
	if got := rep.String(); got != "deleted analyses.completed=1 analyses.failed=1 analysis_events=1 anonymous_results=1 "+
		"cron_runs=1 event_tickets.expired=1 leads.deleted=1 llm_cache.expired=1 profile_cache=1 rate_limits.expired=1 webhook_events.processed=5" {
		t.Errorf("String() = %q", got)
	}
	if p.calls != 3+10 { // 2+2+1, then 1 for each other target
		t.Errorf("%d purge calls, want 13", p.calls)
	}
	rep, err = r.Run(t.Context(), now)
	if err != nil || rep.Deleted[maintenance.TargetWebhookEvents] != 0 || rep.Deleted[maintenance.TargetCronRuns] != 0 {
		t.Errorf("second run = %v, %v", rep.Deleted, err)
	}
	for target, left := range p.rows {
		if len(left) != 1 {
			t.Errorf("%s: rows left %v, want the recent one", target, left)
		}
	}
}

func TestRetentionRulesAreChecked(t *testing.T) {
	t.Parallel()
	p := &fakePurger{}
	bad := map[string][]maintenance.RetentionRule{
		"unknown target":              {{Target: "credit_ledger", Keep: 365 * 24 * time.Hour}},
		"twice":                       {{Target: maintenance.TargetCronRuns, Keep: 48 * time.Hour}, {Target: maintenance.TargetCronRuns, Keep: 72 * time.Hour}},
		"under a day":                 {{Target: maintenance.TargetCronRuns, Keep: time.Hour}},
		"profile cache under a day":   {{Target: maintenance.TargetProfileCache, Keep: time.Hour}},
		"negative grace after expiry": {{Target: maintenance.TargetLLMCache, Keep: -time.Hour}},
		"rate limits before expiry":   {{Target: maintenance.TargetRateLimits, Keep: -time.Second}},
		"tickets before expiry":       {{Target: maintenance.TargetEventTickets, Keep: -time.Second}},
		// An anonymous result is served for 6 hours: retention must not delete it sooner.
		"anonymous results too soon": {{Target: maintenance.TargetAnonymousResults, Keep: 6*time.Hour - time.Second}},
		"anonymous results, no keep": {{Target: maintenance.TargetAnonymousResults}},
	}
	for name, rules := range bad {
		if _, err := maintenance.NewRetention(p, rules, 0); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A target aged by its expiry needs no minimum: an expired row is never read again.
	if _, err := maintenance.NewRetention(p, []maintenance.RetentionRule{{Target: maintenance.TargetLLMCache}}, 0); err != nil {
		t.Errorf("llm cache without grace: %v", err)
	}
	if _, err := maintenance.NewRetention(p, []maintenance.RetentionRule{{Target: maintenance.TargetRateLimits}}, 0); err != nil {
		t.Errorf("rate limits without grace: %v", err)
	}
	if _, err := maintenance.NewRetention(p, []maintenance.RetentionRule{{Target: maintenance.TargetEventTickets}}, 0); err != nil {
		t.Errorf("tickets without grace: %v", err)
	}
	if _, err := maintenance.NewRetention(p, []maintenance.RetentionRule{{Target: maintenance.TargetAnonymousResults, Keep: 6 * time.Hour}}, 0); err != nil {
		t.Errorf("anonymous results kept 6 hours: %v", err)
	}
}

func TestDefaultRetentionRulesPurgeTheCaches(t *testing.T) {
	t.Parallel()
	want := map[string]time.Duration{
		maintenance.TargetWebhookEvents:     90 * 24 * time.Hour,
		maintenance.TargetCronRuns:          90 * 24 * time.Hour,
		maintenance.TargetLLMCache:          0,
		maintenance.TargetProfileCache:      7 * 24 * time.Hour,
		maintenance.TargetRateLimits:        0,
		maintenance.TargetEventTickets:      0,
		maintenance.TargetAnonymousResults:  6 * time.Hour,
		maintenance.TargetDeletedLeads:      30 * 24 * time.Hour,
		maintenance.TargetCompletedAnalyses: 90 * 24 * time.Hour,
		maintenance.TargetFailedAnalyses:    30 * 24 * time.Hour,
		maintenance.TargetAnalysisEvents:    7 * 24 * time.Hour,
	}
	rules := maintenance.DefaultRetentionRules(0, 0)
	if len(rules) != len(want) {
		t.Fatalf("rules %v, want %v", rules, want)
	}
	for _, r := range rules {
		if keep, ok := want[r.Target]; !ok || r.Keep != keep {
			t.Errorf("rule %+v, want keep %v", r, keep)
		}
	}
	if maintenance.ProfileCacheKeep != 7*24*time.Hour {
		t.Errorf("ProfileCacheKeep = %v", maintenance.ProfileCacheKeep)
	}
}

func TestRetentionContinuesPastAFailingRule(t *testing.T) {
	t.Parallel()
	now := at("2026-06-01T02:00:00Z")
	boom := errors.New("boom")
	p := &fakePurger{fail: boom, rows: map[string][]time.Time{maintenance.TargetCronRuns: {now.AddDate(-1, 0, 0)}}}
	r, _ := maintenance.NewRetention(p, maintenance.DefaultRetentionRules(0, 0), 0)
	rep, err := r.Run(t.Context(), now)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), maintenance.TargetWebhookEvents) {
		t.Errorf("err = %v", err)
	}
	if rep.Deleted[maintenance.TargetCronRuns] != 1 {
		t.Errorf("cron_runs not purged after the failing rule: %v", rep.Deleted)
	}
}

type fakeRunPurger struct{ finished []time.Time }

func (p *fakeRunPurger) DeleteFinished(_ context.Context, before time.Time, limit int) (int, error) {
	var kept []time.Time
	n := 0
	for _, at := range p.finished {
		if !at.After(before) && n < limit {
			n++
			continue
		}
		kept = append(kept, at)
	}
	p.finished = kept
	return n, nil
}

func TestWorkflowRetentionDeletesInBatches(t *testing.T) {
	t.Parallel()
	now := at("2026-06-01T02:30:00Z")
	p := &fakeRunPurger{}
	for range 7 {
		p.finished = append(p.finished, now.AddDate(0, 0, -31))
	}
	p.finished = append(p.finished, now.AddDate(0, 0, -29))
	w := maintenance.NewWorkflowRetention(p, 0, 3)
	rep, err := w.Run(t.Context(), now)
	if err != nil || rep.Deleted != 7 || !rep.Before.Equal(now.AddDate(0, 0, -30)) {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	if rep, _ := w.Run(t.Context(), now); rep.Deleted != 0 || len(p.finished) != 1 {
		t.Errorf("second run deleted %d; %d left", rep.Deleted, len(p.finished))
	}
}
