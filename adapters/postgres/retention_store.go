package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/oslira/oslira/core/maintenance"
)

// retentionTargets maps each retention target to one batch delete: $1 is the cutoff, $2 the
// batch size. Each statement picks the oldest expired rows through an index on the age column
// and deletes them by key. Add a target here (and its rule in maintenance) when a table with
// retention appears; credit_ledger, subscriptions and plans must never be listed.
var retentionTargets = map[string]string{
	maintenance.TargetWebhookEvents: `delete from public.webhook_events where stripe_event_id in (
		select stripe_event_id from public.webhook_events
		where processed_at < $1 order by processed_at limit $2)`,
	maintenance.TargetCronRuns: `delete from public.cron_runs where (job, period_key) in (
		select job, period_key from public.cron_runs
		where started_at < $1 order by started_at limit $2)`,
	// The caches' rows are replaced in place by concurrent writers (upserts): the outer condition
	// is re-checked on a row updated meanwhile, so an answer stored again is not deleted.
	// TargetLLMCache is an expiry target: $1 is compared with the deadline.
	maintenance.TargetLLMCache: `delete from public.llm_cache where expires_at < $1 and key in (
		select key from public.llm_cache
		where expires_at < $1 order by expires_at limit $2)`,
	maintenance.TargetProfileCache: `delete from public.profile_cache where stored_at < $1 and username in (
		select username from public.profile_cache
		where stored_at < $1 order by stored_at limit $2)`,
	// TargetRateLimits is an expiry target: a key's row is dead once its instant has passed; a
	// key deciding again meanwhile moved it forward and keeps its row.
	maintenance.TargetRateLimits: `delete from public.rate_limits where until < $1 and (policy, key) in (
		select policy, key from public.rate_limits
		where until < $1 order by until limit $2)`,
	// TargetEventTickets is an expiry target; a redeemed ticket is already gone.
	maintenance.TargetEventTickets: `delete from public.event_tickets where hash in (
		select hash from public.event_tickets
		where expires_at < $1 order by expires_at limit $2)`,
	maintenance.TargetDeletedLeads: `delete from public.leads where id in (
		select id from public.leads
		where deleted_at < $1 order by deleted_at limit $2)`,
	// Only finished analyses; the partial index analyses_finished_idx serves both.
	maintenance.TargetCompletedAnalyses: `delete from public.analyses where id in (
		select id from public.analyses
		where status = 'completed' and completed_at < $1 order by completed_at limit $2)`,
	maintenance.TargetFailedAnalyses: `delete from public.analyses where id in (
		select id from public.analyses
		where status in ('failed', 'cancelled') and completed_at < $1 order by completed_at limit $2)`,
	maintenance.TargetAnalysisEvents: `delete from public.analysis_events where id in (
		select id from public.analysis_events
		where created_at < $1 order by id limit $2)`,
	maintenance.TargetAnonymousResults: `delete from public.anonymous_results where created_at < $1 and username in (
		select username from public.anonymous_results
		where created_at < $1 order by created_at limit $2)`,
}

// Targets implements maintenance.Purger.
func (s *MaintenanceStore) Targets() []string {
	return slices.Sorted(maps.Keys(retentionTargets))
}

// Purge implements maintenance.Purger.
func (s *MaintenanceStore) Purge(ctx context.Context, target string, before time.Time, limit int) (int64, error) {
	sql, ok := retentionTargets[target]
	if !ok {
		return 0, fmt.Errorf("purge: unknown retention target %q", target)
	}
	tag, err := s.db.Pool().Exec(ctx, sql, before, limit)
	if err != nil {
		return 0, MapError(fmt.Errorf("purge %s: %w", target, err))
	}
	return tag.RowsAffected(), nil
}
