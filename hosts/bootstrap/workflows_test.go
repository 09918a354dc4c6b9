package bootstrap

import (
	"context"
	"net/url"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestDBOSConfig(t *testing.T) {
	t.Parallel()
	defs := []workflow.Definition{{Name: "a.v1", Queue: "q1"}, {Name: "b.v1", Queue: "q2"}, {Name: "c.v1", Queue: "q1"}}
	c := loadFor(t, map[string]string{"APP_VERSION": "42", "WORKER_ID": "worker-7"})
	got := c.DBOS("worker", defs)
	analyses := dbos.QueueConfig{Name: analyze.Queue, WorkerConcurrency: 10, GlobalConcurrency: 10,
		PartitionConcurrency: 3, PollInterval: 200 * time.Millisecond}
	if got.ApplicationVersion != "42" || got.ExecutorID != "worker-7" || got.Role != "worker" ||
		len(got.Queues) != 1 || got.Queues[0] != analyses {
		t.Errorf("config = %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	c = loadFor(t, map[string]string{"WORKFLOW_QUEUE_CONCURRENCY": "3", "ANALYSIS_CONCURRENCY": "20",
		"ANALYSIS_ACCOUNT_CONCURRENCY": "5", "ANALYSIS_POLL_INTERVAL": "50ms"})
	got = c.DBOS("http", append(defs, workflow.Definition{Name: analyze.Workflow, Queue: analyze.Queue}))
	analyses = dbos.QueueConfig{Name: analyze.Queue, WorkerConcurrency: 3, GlobalConcurrency: 20,
		PartitionConcurrency: 5, PollInterval: 50 * time.Millisecond}
	if got.ApplicationVersion != DefaultAppVersion || got.ExecutorID != "" || len(got.Queues) != 3 ||
		got.Queues[0] != analyses || got.Queues[1] != (dbos.QueueConfig{Name: "q1", WorkerConcurrency: 3}) ||
		got.Queues[2].Name != "q2" {
		t.Errorf("config = %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	if d := got.WithDefaults(); d.ExecutorID == "" || d.ExecutorID[len(d.ExecutorID)-5:] != "-http" {
		t.Errorf("default executor id %q, want <hostname>-http", d.ExecutorID)
	}
}

// TestMigrateOnStartPreparesTheWorkflowEngine builds the http host's workflow part on an empty
// database: MigrateOnStart must have migrated both schemas before the DBOS client, which
// verifies its schema when it is constructed, is built; the definitions and the role reach it.
func TestMigrateOnStartPreparesTheWorkflowEngine(t *testing.T) {
	t.Parallel()
	empty := pgtest.EmptyPool(t)
	u, err := url.Parse(pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + empty.Config().ConnConfig.Database
	proc := testProcess(t, map[string]string{"APP_ENV": "test", "DATABASE_URL": u.String(), "DATA_DIR": t.TempDir()})
	proc.Role = "http"

	var (
		engine workflow.Engine
		cfg    dbos.Config
	)
	app := fxtest.New(t,
		fx.NopLogger,
		fx.Supply(proc), Module, ResolveDatabase, postgres.Module, MigrateOnStart, Workflows, dbos.ClientModule,
		fx.Populate(&engine, &cfg),
	)
	app.RequireStart()
	defer app.RequireStop()
	if cfg.Role != "http" || cfg.ApplicationVersion != DefaultAppVersion {
		t.Errorf("dbos config = %+v", cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := engine.Start(ctx, billing.EventWorkflow, billing.Event{ID: "evt_boot", Type: "x"}, billing.EventWorkflowID("evt_boot"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := engine.Status(ctx, id); err != nil || st.State != workflow.StateEnqueued || st.Queue != billing.EventQueue {
		t.Errorf("status = %+v, %v", st, err)
	}
	if current, latest, err := postgres.MigrationVersion(ctx, empty); err != nil || current != latest {
		t.Errorf("migration version %d of %d, %v", current, latest, err)
	}
}

func TestStripeRedriveParsesTheStoredPayload(t *testing.T) {
	t.Parallel()
	r := StripeRedrive()
	if r.Definition != billing.EventWorkflow || r.WorkflowID("evt_9", 1) != "stripe:evt_9" || r.WorkflowID("evt_9", 2) != "stripe:evt_9:2" {
		t.Fatalf("redrive = %+v", r)
	}
	in, err := r.Input(maintenance.StaleWebhook{ID: "evt_9", Payload: []byte(`{"id":"evt_9","object":"event","type":"invoice.voided","created":1700000000,"data":{"object":{"id":"in_1"}}}`)})
	ev, ok := in.(billing.Event)
	if err != nil || !ok || ev.ID != "evt_9" || ev.Type != "invoice.voided" || ev.ObjectID != "in_1" {
		t.Fatalf("input = %#v, %v", in, err)
	}
	if _, err := r.Input(maintenance.StaleWebhook{ID: "evt_10"}); err == nil {
		t.Error("an event without payload was redriven")
	}
	if _, err := r.Input(maintenance.StaleWebhook{ID: "evt_11", Payload: []byte(`{"nope":1}`)}); err == nil {
		t.Error("an unreadable payload was redriven")
	}
}
