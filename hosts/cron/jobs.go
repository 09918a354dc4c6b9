package cron

import (
	"context"
	"fmt"
	"time"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/maintenance"
)

// Job names (cron_runs.job).
const (
	JobJanitor           = "janitor"
	JobReaper            = "reaper"
	JobFreeGrant         = "free-grant"
	JobRetention         = "retention"
	JobWorkflowRetention = "workflow-retention"
	JobIdempotencyPrune  = "idempotency-prune"
	// JobAnalyticsPartitions keeps the monthly partitions of the request analytics table.
	JobAnalyticsPartitions = "analytics-partitions"
)

// IdempotencyPruneEvery is how often expired idempotency keys are deleted: keys live 24 hours,
// so the table holds at most about 25 hours of keys.
const IdempotencyPruneEvery = time.Hour

// Janitor is one pass of the workflow engine's janitor (*dbos.Janitor).
type Janitor interface {
	RunOnce(ctx context.Context) (dbos.JanitorReport, error)
}

// JobDeps are the use cases the jobs run.
type JobDeps struct {
	Janitor           Janitor
	Reaper            *maintenance.Reaper
	FreeGrant         *maintenance.FreeGrant
	Retention         *maintenance.Retention
	WorkflowRetention *maintenance.WorkflowRetention
	IdempotencyPrune  *maintenance.IdempotencyPrune
	// AnalyticsPartitions runs daily (it is idempotent within a month), so a failed run is
	// repaired the next day, long before the months created ahead run out.
	AnalyticsPartitions *maintenance.AnalyticsPartitions
	// Now is the clock handed to jobs that compute ages; default time.Now.
	Now func() time.Time
}

// NewJobs returns the maintenance jobs on cfg's schedules (cfg after WithDefaults).
func NewJobs(cfg Config, d JobDeps) []Job {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return []Job{
		{
			Name: JobJanitor, Schedule: maintenance.Every(cfg.JanitorEvery), Timeout: time.Minute, Quiet: true,
			Run: func(ctx context.Context, _ maintenance.Period) (string, error) {
				rep, err := d.Janitor.RunOnce(ctx)
				return janitorDetail(rep), err
			},
		},
		{
			Name: JobReaper, Schedule: maintenance.Every(cfg.ReaperEvery), Timeout: 10 * time.Minute,
			Run: func(ctx context.Context, _ maintenance.Period) (string, error) {
				rep, err := d.Reaper.Run(ctx, now())
				return rep.String(), err
			},
		},
		{
			Name: JobFreeGrant, Schedule: maintenance.Monthly(cfg.FreeGrantDay, cfg.FreeGrantHour, 0), Timeout: 2 * time.Hour,
			Run: func(ctx context.Context, p maintenance.Period) (string, error) {
				rep, err := d.FreeGrant.Run(ctx, p.Key)
				return rep.String(), err
			},
		},
		{
			Name: JobRetention, Schedule: maintenance.Daily(cfg.RetentionHour, 0), Timeout: 30 * time.Minute,
			Run: func(ctx context.Context, _ maintenance.Period) (string, error) {
				rep, err := d.Retention.Run(ctx, now())
				return rep.String(), err
			},
		},
		{
			Name: JobWorkflowRetention, Schedule: maintenance.Daily(cfg.RetentionHour, 30), Timeout: 30 * time.Minute,
			Run: func(ctx context.Context, _ maintenance.Period) (string, error) {
				rep, err := d.WorkflowRetention.Run(ctx, now())
				return rep.String(), err
			},
		},
		{
			Name: JobIdempotencyPrune, Schedule: maintenance.Every(IdempotencyPruneEvery), Timeout: 10 * time.Minute,
			Run: func(ctx context.Context, _ maintenance.Period) (string, error) {
				rep, err := d.IdempotencyPrune.Run(ctx, now())
				return rep.String(), err
			},
		},
		{
			Name: JobAnalyticsPartitions, Schedule: maintenance.Daily(cfg.RetentionHour, 15), Timeout: 10 * time.Minute,
			Run: func(ctx context.Context, _ maintenance.Period) (string, error) {
				rep, err := d.AnalyticsPartitions.Run(ctx, now())
				return rep.String(), err
			},
		},
	}
}

// janitorDetail summarises a janitor pass.
func janitorDetail(r dbos.JanitorReport) string {
	if r.Skipped {
		return "skipped: another pass held the janitor lock"
	}
	return fmt.Sprintf("scanned=%d dead_executors=%d resumed=%d gave_up=%d pruned=%d",
		r.PendingScanned, len(r.DeadExecutors), len(r.Resumed), len(r.GaveUp), r.PrunedRows)
}
