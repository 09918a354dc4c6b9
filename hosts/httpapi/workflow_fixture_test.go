package httpapi

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
)

// testDBOSConfig is the engine configuration of these tests: quick polls and heartbeats.
func testDBOSConfig(executorID string) dbos.Config {
	return dbos.Config{
		ApplicationVersion: "httpapi-test",
		ExecutorID:         executorID,
		Role:               "test",
		MaxConns:           4,
		QueuePollInterval:  20 * time.Millisecond,
		HeartbeatInterval:  200 * time.Millisecond,
		ShutdownTimeout:    5 * time.Second,
		Janitor:            dbos.JanitorConfig{StaleAfter: time.Second},
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// migrateWorkflows creates schema "dbos" on pool's database (idempotent, locked).
func migrateWorkflows(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	if err := dbos.Migrate(context.Background(), pool, discardLogger()); err != nil {
		t.Fatalf("dbos migrate: %v", err)
	}
}

// newWorkflowClient is a DBOS client on pool (schema migrated first): it enqueues runs of defs
// but never executes them.
func newWorkflowClient(t *testing.T, pool *pgxpool.Pool, defs ...workflow.Definition) *dbos.Client {
	t.Helper()
	migrateWorkflows(t, pool)
	c, err := dbos.NewClient(pool, testDBOSConfig("httpapi-client"), defs, discardLogger())
	if err != nil {
		t.Fatalf("dbos client: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// newExecutorFixture is the API over a database of the test's own with a real DBOS executor
// running stripe.event.v1 in this process: deliveries are processed as in production.
func newExecutorFixture(t *testing.T) *apiFixture {
	t.Helper()
	pool := pgtest.IsolatedPool(t)
	migrateWorkflows(t, pool)
	db := postgres.NewDB(pool)
	def := billing.EventDefinition(billing.NewProcessor(postgres.NewBillingStore(db)))
	x, err := dbos.NewExecutor(pool, testDBOSConfig("httpapi-"+uniqueID("x")), []workflow.Definition{def}, nil, discardLogger())
	if err != nil {
		t.Fatalf("dbos executor: %v", err)
	}
	if err := x.Launch(context.Background()); err != nil {
		_ = x.Shutdown(context.Background())
		t.Fatalf("launch: %v", err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	return newAPIFixtureWith(t, fixtureConfig{pool: pool, workflows: x})
}

// waitRun waits until run id has ended and returns its status; it fails the test when the run
// ended in another state than want. The deadline is a hang guard, not a timing assertion.
func (f *apiFixture) waitRun(t *testing.T, id string, want workflow.State) workflow.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := f.workflows.Status(context.Background(), id)
		if err != nil {
			t.Fatalf("status of %s: %v", id, err)
		}
		if err == nil && st.State.Terminal() {
			if st.State != want {
				t.Fatalf("run %s ended %s (%s %s), want %s", id, st.State, st.ErrorCode, st.Error, want)
			}
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s did not end within 30 s (last %+v)", id, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ledgerEntries returns the deltas of the account's entries of kind with reference ref.
func (f *apiFixture) ledgerEntries(t *testing.T, accountID, kind, ref string) []int64 {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `select delta from public.credit_ledger
		where account_id = $1 and kind = $2 and reference = $3`, accountID, kind, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// webhookRows counts the stored deliveries of an event.
func webhookRows(t *testing.T, pool *pgxpool.Pool, eventID string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `select count(*) from public.webhook_events where stripe_event_id = $1`, eventID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
