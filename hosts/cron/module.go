package cron

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
)

// Module runs the Scheduler with the maintenance jobs for the application's lifetime: started on
// OnStart (on a context of its own), stopped on OnStop. It provides *Scheduler.
//
// It needs from the graph: Config; *postgres.DB (postgres.Module); credit.Ledger and
// billing.Store (postgres.Module); workflow.Engine, *dbos.Engine and *dbos.Janitor
// (dbos.ClientModule or dbos.ExecutorModule); maintenance.WebhookRedrive (the billing feature:
// the Stripe processing definition's name and input); *slog.Logger.
var Module = fx.Module("cron",
	fx.Provide(newModuleScheduler),
	fx.Invoke(func(lc fx.Lifecycle, s *Scheduler, cfg Config) {
		if !cfg.Enabled {
			lc.Append(fx.StartHook(func(context.Context) { s.log.Info("cron disabled: no job runs in this process") }))
			return
		}
		lc.Append(fx.StartStopHook(s.Start, s.Stop))
	}),
)

// moduleDeps is what Module takes from the graph.
type moduleDeps struct {
	fx.In

	Config  Config
	DB      *postgres.DB
	Ledger  credit.Ledger
	Plans   billing.Store
	Engine  workflow.Engine
	DBOS    *dbos.Engine
	Janitor *dbos.Janitor
	Redrive maintenance.WebhookRedrive
	Log     *slog.Logger
}

func newModuleScheduler(d moduleDeps) (*Scheduler, error) {
	return NewFromPorts(d.Config, Ports{
		DB: d.DB, Ledger: d.Ledger, Plans: d.Plans, Engine: d.Engine, Purger: d.DBOS,
		Janitor: d.Janitor, Redrive: d.Redrive,
	}, d.Log)
}

// Ports are the adapters the cron host is built over.
type Ports struct {
	DB      *postgres.DB
	Ledger  credit.Ledger
	Plans   maintenance.PlanSource
	Engine  workflow.Engine
	Purger  maintenance.FinishedRunPurger
	Janitor Janitor
	Redrive maintenance.WebhookRedrive
}

// NewFromPorts builds the scheduler with every maintenance job over p: the run log, leader lock
// and job stores on p.DB, the use cases over them. It validates cfg (after WithDefaults).
func NewFromPorts(cfg Config, p Ports, log *slog.Logger) (*Scheduler, error) {
	cfg = cfg.WithDefaults()
	if log == nil {
		log = slog.Default()
	}
	jobs, err := jobsFromPorts(cfg, p, log)
	if err != nil {
		return nil, err
	}
	lock := postgres.NewLeaderLock(p.DB.Pool(), cfg.LockKey, "oslira-cron-leader")
	return NewScheduler(lock, postgres.NewCronRunStore(p.DB), jobs,
		SchedulerConfig{Tick: cfg.Tick, RunnerID: cfg.RunnerID, RetryAfter: cfg.RetryAfter}, log)
}

// jobsFromPorts builds the use cases over p and returns their jobs.
func jobsFromPorts(cfg Config, p Ports, log *slog.Logger) ([]Job, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	store := postgres.NewMaintenanceStore(p.DB)
	sweeper, err := maintenance.NewWebhookSweeper(store, p.Engine, p.Redrive,
		maintenance.WebhookSweeperConfig{StaleAfter: cfg.StaleWebhookAfter}, log)
	if err != nil {
		return nil, err
	}
	analyses, err := postgres.NewAnalysisStore(p.DB, nil) // the reaper reads no pages: any cursor key
	if err != nil {
		return nil, err
	}
	retention, err := maintenance.NewRetention(store,
		maintenance.DefaultRetentionRules(cfg.WebhookEventRetentionDays, cfg.CronRunRetentionDays), 0)
	if err != nil {
		return nil, err
	}
	return NewJobs(cfg, JobDeps{
		Janitor:           p.Janitor,
		Reaper:            maintenance.NewReaper(sweeper, analyze.NewSweeper(analyses, p.Engine, log)),
		FreeGrant:         maintenance.NewFreeGrant(p.Plans, store, p.Ledger, maintenance.FreeGrantConfig{}),
		Retention:         retention,
		WorkflowRetention: maintenance.NewWorkflowRetention(p.Purger, cfg.WorkflowRetentionDays, 0),
		IdempotencyPrune:  maintenance.NewIdempotencyPrune(postgres.NewIdempotencyStore(p.DB), 0),
		AnalyticsPartitions: maintenance.NewAnalyticsPartitions(postgres.NewAnalyticsPartitionStore(p.DB),
			cfg.AnalyticsRetentionMonths),
	}), nil
}
