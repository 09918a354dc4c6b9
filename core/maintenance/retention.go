package maintenance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Retention targets: what a RetentionRule may name. Each is a set of rows the storage adapter
// knows how to select by age and delete; the adapter lists the ones it supports (Purger.Targets).
// Rows of the credit ledger, subscriptions and plans are never a target: they are kept forever.
const (
	// TargetWebhookEvents: processed webhook events, by processed_at. Unprocessed events are
	// never deleted (the reaper keeps driving them).
	TargetWebhookEvents = "webhook_events.processed"
	// TargetCronRuns: the run log of the cron host, by started_at.
	TargetCronRuns = "cron_runs"
	// TargetLLMCache: language-model answers of the response cache (core/ai.ResponseCache), by
	// their expiry: a row is aged from expires_at, not from when it was made, so a rule's Keep is
	// the grace after expiry (0: delete as soon as expired — an expired answer is never served).
	TargetLLMCache = "llm_cache.expired"
	// TargetProfileCache: scraped profiles of the profile cache (core/lead.ProfileCache), by when
	// they were stored.
	TargetProfileCache = "profile_cache"
	// TargetRateLimits: the request limiter's state per policy and key (core/ratelimit), by
	// expiry: a row whose instant (the key's theoretical arrival time, or its quota window's
	// end) has passed says no more than a missing row.
	TargetRateLimits = "rate_limits.expired"
	// TargetEventTickets: the live-progress WebSocket tickets (core/live.Tickets), by expiry: an
	// expired ticket can no longer be redeemed.
	TargetEventTickets = "event_tickets.expired"
	// TargetAnonymousResults: the anonymous analyses of the landing page
	// (core/analyze.AnonymousCache), by when they were stored.
	TargetAnonymousResults = "anonymous_results"
	// TargetDeletedLeads: leads soft-deleted (deleted_at) longer ago than the rule keeps; their
	// analyses stay (lead_id is set null).
	TargetDeletedLeads = "leads.deleted"
	// TargetCompletedAnalyses: completed analyses (scored or bypassed), by completed_at.
	TargetCompletedAnalyses = "analyses.completed"
	// TargetFailedAnalyses: failed and cancelled analyses (refunded), by completed_at. Pending
	// and running analyses are never purged: the reaper finishes and refunds them first.
	TargetFailedAnalyses = "analyses.failed"
	// TargetAnalysisEvents: progress events, by created_at; they serve live progress and its
	// replay, not history (the analysis row keeps the outcome).
	TargetAnalysisEvents = "analysis_events"
)

// expiryTargets are aged from a deadline column instead of a creation time. Their rules may keep
// rows for no time at all past it: the minimum that guards the other targets against a unit
// mistake cannot apply, since no live row is past its own deadline.
var expiryTargets = []string{TargetLLMCache, TargetRateLimits, TargetEventTickets}

// shortKeeps are targets aged from a creation time whose rows are served for less than a day:
// their rules may keep rows this long (the time a row is served), not less.
var shortKeeps = map[string]time.Duration{TargetAnonymousResults: AnonymousResultsKeep}

// Default retention. Analyses and leads are
// added here, with their targets in the adapter, when their tables exist: completed analyses
// 90 days, failed ones 30 days, soft-deleted leads and business profiles 30 days.
const (
	DefaultWebhookEventDays = 90
	DefaultCronRunDays      = 90
)

// ProfileCacheKeep is how long a scraped profile stays in the profile cache: a week, well past
// the 24 h it is served for by default (the longest PROFILE_CACHE_TTL the hosts accept is this
// value, so retention never deletes a row that would still be served).
const ProfileCacheKeep = 7 * 24 * time.Hour

// The analyses' windows, the original's daily cleanup: soft-deleted leads 30 days (the recovery
// window), completed analyses 90 days, failed ones 30; progress events a week.
const (
	DeletedLeadsKeep      = 30 * 24 * time.Hour
	CompletedAnalysesKeep = 90 * 24 * time.Hour
	FailedAnalysesKeep    = 30 * 24 * time.Hour
	AnalysisEventsKeep    = 7 * 24 * time.Hour
)

// AnonymousResultsKeep is how long an anonymous result stays in its cache: exactly the 6 hours
// it is served for (core/analyze.AnonymousTTL, which imports this package, so the value is
// repeated; the postgres adapter's tests hold the two equal).
const AnonymousResultsKeep = 6 * time.Hour

// RetentionRule deletes Target rows older than Keep.
type RetentionRule struct {
	Target string
	Keep   time.Duration
}

// DefaultRetentionRules returns the rules in force today, keeping processed webhook events and
// cron runs for the given numbers of days (0 takes the defaults), LLM cache rows, rate-limit
// state and WebSocket tickets until they expire, profile cache rows for ProfileCacheKeep, anonymous results for
// AnonymousResultsKeep, and leads and analyses for the windows above.
func DefaultRetentionRules(webhookEventDays, cronRunDays int) []RetentionRule {
	if webhookEventDays <= 0 {
		webhookEventDays = DefaultWebhookEventDays
	}
	if cronRunDays <= 0 {
		cronRunDays = DefaultCronRunDays
	}
	return []RetentionRule{
		{Target: TargetWebhookEvents, Keep: days(webhookEventDays)},
		{Target: TargetCronRuns, Keep: days(cronRunDays)},
		{Target: TargetLLMCache, Keep: 0},
		{Target: TargetProfileCache, Keep: ProfileCacheKeep},
		{Target: TargetRateLimits, Keep: 0},
		{Target: TargetEventTickets, Keep: 0},
		{Target: TargetAnonymousResults, Keep: AnonymousResultsKeep},
		{Target: TargetDeletedLeads, Keep: DeletedLeadsKeep},
		{Target: TargetCompletedAnalyses, Keep: CompletedAnalysesKeep},
		{Target: TargetFailedAnalyses, Keep: FailedAnalysesKeep},
		{Target: TargetAnalysisEvents, Keep: AnalysisEventsKeep},
	}
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// Purger deletes expired rows of retention targets.
type Purger interface {
	// Targets lists the targets it can purge.
	Targets() []string
	// Purge deletes at most limit rows of target that are older than before (for an expiry
	// target: whose expiry is before it), in one short transaction, and returns how many it
	// deleted. An unknown target is an error.
	Purge(ctx context.Context, target string, before time.Time, limit int) (int64, error)
}

// minKeep is the shortest retention a rule may ask for: a guard against a unit mistake that
// would empty a table (except expiryTargets, which may keep 0 but never less, and shortKeeps).
const minKeep = 24 * time.Hour

// minKeepOf is the shortest retention a rule for target may ask for.
func minKeepOf(target string) time.Duration {
	if slices.Contains(expiryTargets, target) {
		return 0
	}
	if keep, ok := shortKeeps[target]; ok {
		return keep
	}
	return minKeep
}

// DefaultRetentionBatch is how many rows one Purge call deletes at most.
const DefaultRetentionBatch = 1000

// Retention applies retention rules: for each rule it deletes, batch by batch, the rows older
// than now − Keep, so no transaction holds locks on many rows. Idempotent: a second run right
// after the first finds nothing old enough.
type Retention struct {
	purger Purger
	rules  []RetentionRule
	batch  int
}

// RetentionReport lists the rows deleted per target.
type RetentionReport struct {
	Deleted map[string]int64
}

// String summarises the report for the run log, targets sorted.
func (r RetentionReport) String() string {
	keys := make([]string, 0, len(r.Deleted))
	for k := range r.Deleted {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, r.Deleted[k])
	}
	return "deleted " + strings.Join(parts, " ")
}

// NewRetention checks the rules against what p supports (each target known, once, kept at least
// a day — an expiry target at least 0) and returns the use case. batch <= 0 takes
// DefaultRetentionBatch.
func NewRetention(p Purger, rules []RetentionRule, batch int) (*Retention, error) {
	if batch <= 0 {
		batch = DefaultRetentionBatch
	}
	known := p.Targets()
	var errs []error
	seen := map[string]bool{}
	for _, r := range rules {
		switch {
		case !slices.Contains(known, r.Target):
			errs = append(errs, fmt.Errorf("retention: target %q is not supported (supported: %v)", r.Target, known))
		case seen[r.Target]:
			errs = append(errs, fmt.Errorf("retention: target %q has two rules", r.Target))
		case r.Keep < 0:
			errs = append(errs, fmt.Errorf("retention: target %q: keep %v is negative", r.Target, r.Keep))
		case r.Keep < minKeepOf(r.Target):
			errs = append(errs, fmt.Errorf("retention: target %q: keep %v is shorter than %v", r.Target, r.Keep, minKeepOf(r.Target)))
		}
		seen[r.Target] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Retention{purger: p, rules: slices.Clone(rules), batch: batch}, nil
}

// Run applies every rule with now as the reference time. A failing rule does not stop the
// others; the errors are joined.
func (r *Retention) Run(ctx context.Context, now time.Time) (RetentionReport, error) {
	rep := RetentionReport{Deleted: make(map[string]int64, len(r.rules))}
	var errs []error
	for _, rule := range r.rules {
		before := now.Add(-rule.Keep)
		for {
			n, err := r.purger.Purge(ctx, rule.Target, before, r.batch)
			rep.Deleted[rule.Target] += n
			if err != nil {
				errs = append(errs, fmt.Errorf("retention %s: %w", rule.Target, err))
				break
			}
			if n < int64(r.batch) {
				break
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	return rep, errors.Join(errs...)
}
