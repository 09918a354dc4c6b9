package cron

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
)

// moduleApp is the cron module over a real database with DBOS's schema and a DBOS client, the
// way `oslira cron` composes it.
func moduleApp(t *testing.T, pool *pgxpool.Pool, cfg Config, s **Scheduler) *fxtest.App {
	t.Helper()
	return fxtest.New(t,
		fx.Supply(pool, discardLog(), cfg, maintenance.WebhookRedrive{Definition: defStripe},
			dbos.Config{ApplicationVersion: "test", ExecutorID: "cron-test", Role: "cron", MaxConns: 3}),
		fx.Provide(
			postgres.NewDB,
			fx.Annotate(postgres.NewLedgerStore, fx.As(new(credit.Ledger))),
			fx.Annotate(postgres.NewBillingStore, fx.As(new(billing.Store))),
			fx.Annotate(stripeDefinition, fx.ResultTags(`group:"workflow.definitions"`)),
		),
		dbos.ClientModule,
		Module,
		fx.Populate(s),
	)
}

func TestModuleRunsEveryJobOnPostgresAndDBOSAndCanBeDisabled(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	if err := dbos.Migrate(t.Context(), pool, discardLog()); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Tick, cfg.RunnerID, cfg.LockKey = 50*time.Millisecond, "module-test", testKey()
	var s *Scheduler
	app := moduleApp(t, pool, cfg, &s)
	app.RequireStart()

	// Every job's current period is due at start: all seven run once. (The test once waited for
	// five after the sixth job arrived, and passed only when a poll landed between the fifth and
	// the sixth success: keep the count equal to len(NewJobs(...)).)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var done, failed int
		var detail string
		err := pool.QueryRow(t.Context(), `select count(*) filter (where outcome = 'succeeded'),
			count(*) filter (where outcome = 'failed'), coalesce(string_agg(job || ': ' || detail, '; ') filter (where outcome = 'failed'), '')
			from (select distinct on (job) job, outcome, detail from public.cron_runs order by job, started_at desc) r`).Scan(&done, &failed, &detail)
		if err != nil {
			t.Fatal(err)
		}
		if failed > 0 {
			t.Fatalf("jobs failed: %s", detail)
		}
		if done == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 7 jobs succeeded within 30s", done)
		}
		time.Sleep(20 * time.Millisecond)
	}
	app.RequireStop()

	other := postgres.NewLeaderLock(pool, cfg.LockKey, "after-stop")
	t.Cleanup(func() { _ = other.Release(context.Background()) })
	if ok, err := other.TryLead(t.Context()); !ok || err != nil {
		t.Fatalf("leadership not released on stop: %v, %v", ok, err)
	}

	// Disabled, the module starts no scheduler.
	cfg.Enabled = false
	app = moduleApp(t, pool, cfg, &s)
	app.RequireStart()
	s.mu.Lock()
	started := s.done != nil
	s.mu.Unlock()
	app.RequireStop()
	if started {
		t.Fatal("a disabled cron started its scheduler")
	}
}

var _ workflow.Engine = (*dbos.Engine)(nil)
