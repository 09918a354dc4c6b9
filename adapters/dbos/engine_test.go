package dbos_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

func TestMigrateConcurrentlyAndHostsNeverMigrate(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	ctx := t.Context()
	// Hosts verify, they do not migrate: before Migrate, a client cannot start.
	env := &testEnv{pool: pool}
	if _, err := dbos.NewClient(pool, testConfig("early"), env.definitions(), discardLog()); err == nil {
		t.Fatal("NewClient succeeded on a database without schema dbos")
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = dbos.Migrate(ctx, pool, discardLog()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate %d: %v", i, err)
		}
	}
	if err := dbos.Migrate(ctx, pool, discardLog()); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
	var tables int
	if err := pool.QueryRow(ctx, `select count(*) from pg_tables where schemaname = 'dbos'
		and tablename in ('workflow_status', 'operation_outputs', 'oslira_executors', 'oslira_janitor')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 4 {
		t.Errorf("found %d of the 4 expected tables in schema dbos", tables)
	}
	newClient(t, pool) // now it verifies
}

func TestPermanentRunsOnceTransientRetriesToTheLimit(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "exec-errors"}
	x := startExecutor(t, env, testConfig("exec-errors"))
	ctx := t.Context()
	perm, err := x.Start(ctx, defPermanent, nil, "permanent-1")
	if err != nil {
		t.Fatal(err)
	}
	trans, err := x.Start(ctx, defTransient, nil, "transient-1")
	if err != nil {
		t.Fatal(err)
	}
	st := waitState(t, x, perm, workflow.StateFailed, 30*time.Second)
	if n := stepCounts(t, pool, perm)["charge"]; n != 1 {
		t.Errorf("the permanent error ran %d times, want 1", n)
	}
	if st.ErrorCode != "credits.insufficient" {
		t.Errorf("permanent: error code %q (%s)", st.ErrorCode, st.Error)
	}
	st = waitState(t, x, trans, workflow.StateFailed, 30*time.Second)
	if n := stepCounts(t, pool, trans)["charge"]; n != testPolicy.MaxAttempts {
		t.Errorf("the transient error ran %d times, want the policy's %d", n, testPolicy.MaxAttempts)
	}
	if st.ErrorCode != apperr.CodeUnavailable {
		t.Errorf("transient: error code %q (%s)", st.ErrorCode, st.Error)
	}
	t.Logf("permanent step executions: %d; transient step executions: %d (MaxAttempts %d)",
		stepCounts(t, pool, perm)["charge"], stepCounts(t, pool, trans)["charge"], testPolicy.MaxAttempts)

	// Read back from the database by another process's client: still a *workflow.Error, and
	// still permanent (the gob registration at work).
	ws, err := sdk.ListWorkflows(rawClient(t, pool), sdk.WithFilterWorkflowIDs(perm, trans), sdk.WithFilterLoadOutput(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		var we *workflow.Error
		if !errors.As(w.Error, &we) {
			t.Fatalf("%s: error read back as %T, want *workflow.Error", w.ID, w.Error)
		}
		if want := w.ID == perm; workflow.IsPermanent(w.Error) != want || we.Permanent != want {
			t.Errorf("%s: permanent after the round trip = %v, want %v", w.ID, we.Permanent, want)
		}
		if w.ID == perm && !errors.Is(w.Error, errBusiness) {
			t.Errorf("errors.Is against the business sentinel fails after the round trip: %v", w.Error)
		}
	}
}

// rawClient opens a plain DBOS client on pool's database (on a pool of its own, which DBOS
// closes), for assertions on what DBOS itself reads back.
func rawClient(t *testing.T, pool *pgxpool.Pool) sdk.Client {
	t.Helper()
	own, err := pgxpool.New(t.Context(), databaseURL(t, pool))
	if err != nil {
		t.Fatal(err)
	}
	c, err := sdk.NewClient(context.Background(), sdk.ClientConfig{
		AppName: dbos.DefaultAppName, SystemDBPool: own, DatabaseSchema: dbos.Schema, Logger: discardLog(),
	})
	if err != nil {
		own.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sdk.Shutdown(c, 5*time.Second) })
	return c
}

func TestStartJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "exec-tx"}
	x := startExecutor(t, env, testConfig("exec-tx"))
	c := newClient(t, pool)
	ctx := t.Context()

	start := func(id string, commit bool) {
		t.Helper()
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `insert into test_orders (id) values ($1)`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Start(workflow.WithTx(ctx, tx), defEmpty, map[string]string{"order": id}, id); err != nil {
			t.Fatalf("Start in transaction: %v", err)
		}
		if _, err := c.Status(ctx, id); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("a run started in an open transaction is visible outside it: %v", err)
		}
		if commit {
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	start("order-rolled-back", false)
	start("order-committed", true)

	if _, err := c.Status(ctx, "order-rolled-back"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("rolled back: Status = %v, want ErrNotFound", err)
	}
	waitState(t, c, "order-committed", workflow.StateSucceeded, 30*time.Second)
	var orders int
	if err := pool.QueryRow(ctx, `select count(*) from test_orders`).Scan(&orders); err != nil || orders != 1 {
		t.Errorf("orders = %d (%v), want only the committed one", orders, err)
	}
	// Idempotent by id, inside or outside a transaction: the second start changes nothing.
	for range 2 {
		if id, err := c.Start(ctx, defEmpty, nil, "order-committed"); err != nil || id != "order-committed" {
			t.Fatalf("restart = %q, %v", id, err)
		}
	}
	st, _ := c.Status(ctx, "order-committed")
	if st.State != workflow.StateSucceeded || st.Attempts != 1 || st.Executor != x.ID() || st.Queue != "empty" {
		t.Errorf("after restarts: %+v", st)
	}
	if string(st.Output) != "null" {
		t.Errorf("output = %q", st.Output)
	}
	// The id of a run of another definition is a conflict; unknown definitions and foreign
	// transactions are refused.
	if _, err := c.Start(ctx, defKill, nil, "order-committed"); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("id of another definition: %v", err)
	}
	if _, err := c.Start(ctx, "nope", nil, ""); !errors.Is(err, workflow.ErrUnknownDefinition) {
		t.Errorf("unknown definition: %v", err)
	}
	if _, err := c.Start(workflow.WithTx(ctx, "not a tx"), defEmpty, nil, ""); !errors.Is(err, workflow.ErrTxNotSupported) {
		t.Errorf("foreign transaction: %v", err)
	}
	if _, err := c.Start(ctx, defEmpty, []byte("{"), ""); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("non-JSON input: %v", err)
	}
	// An empty id gets a fresh one.
	id, err := c.Start(ctx, defEmpty, nil, "")
	if err != nil || id == "" {
		t.Fatalf("Start without id = %q, %v", id, err)
	}
	waitState(t, c, id, workflow.StateSucceeded, 30*time.Second)
}

func TestCancelResumeAndList(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "exec-gate", gate: make(chan struct{})}
	x := startExecutor(t, env, testConfig("exec-gate"))
	ctx := t.Context()
	id, err := x.Start(ctx, defGate, nil, "gate-1")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "step two to start", func() (bool, error) {
		return stepCounts(t, pool, id)["two"] == 1, nil
	})
	if err := x.Cancel(ctx, id); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if st, _ := x.Status(ctx, id); st.State != workflow.StateCancelled || st.Queue != "gate" {
		t.Fatalf("after Cancel: %+v", st)
	}
	close(env.gate) // step two finishes, but its result is not recorded: the run was cancelled
	if err := x.Resume(ctx, id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	st := waitState(t, x, id, workflow.StateSucceeded, 30*time.Second)
	counts := stepCounts(t, pool, id)
	if counts["one"] != 1 || counts["two"] != 2 || counts["three"] != 1 {
		t.Errorf("executions after cancel+resume = %v, want one:1 two:2 three:1", counts)
	}
	if !strings.Contains(string(st.Output), "three@exec-gate") {
		t.Errorf("output = %s", st.Output)
	}
	// Finished runs: Cancel and Resume change nothing; a failed run is not resumable.
	if err := x.Cancel(ctx, id); err != nil {
		t.Errorf("Cancel(succeeded) = %v", err)
	}
	if err := x.Resume(ctx, id); err != nil {
		t.Errorf("Resume(succeeded) = %v", err)
	}
	failed, _ := x.Start(ctx, defPermanent, nil, "gate-failed")
	waitState(t, x, failed, workflow.StateFailed, 30*time.Second)
	if err := x.Resume(ctx, failed); !errors.Is(err, workflow.ErrNotResumable) {
		t.Errorf("Resume(failed) = %v", err)
	}
	for _, op := range []func(context.Context, string) error{x.Cancel, x.Resume} {
		if err := op(ctx, "nope"); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
	}
	if _, err := x.Status(ctx, "nope"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("Status(unknown) = %v", err)
	}
	// List: newest first, filtered, with errors but without outputs.
	all, err := x.List(ctx, workflow.Filter{IDPrefix: "gate-"})
	if err != nil || len(all) != 2 || all[0].ID != failed || all[1].Output != nil {
		t.Fatalf("List = %+v, %v", all, err)
	}
	if all[0].ErrorCode != "credits.insufficient" {
		t.Errorf("listed error code = %q", all[0].ErrorCode)
	}
	got, _ := x.List(ctx, workflow.Filter{Definition: defGate, States: []workflow.State{workflow.StateSucceeded}})
	if len(got) != 1 || got[0].ID != id {
		t.Errorf("filtered List = %+v", got)
	}
	got, _ = x.List(ctx, workflow.Filter{States: []workflow.State{workflow.StateRunning}, CreatedAfter: time.Now().Add(-time.Hour)})
	if len(got) != 0 {
		t.Errorf("running runs = %+v", got)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	good := testConfig("x")
	if err := good.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	cases := map[string]func(*dbos.Config){
		"ApplicationVersion": func(c *dbos.Config) { c.ApplicationVersion = "" },
		"AppName":            func(c *dbos.Config) { c.AppName = "Oslira App" },
		"MaxConns":           func(c *dbos.Config) { c.MaxConns = 1 },
		"Queues[0]":          func(c *dbos.Config) { c.Queues = []dbos.QueueConfig{{Name: "_dbos_internal_queue"}} },
		"HeartbeatInterval":  func(c *dbos.Config) { c.HeartbeatInterval = time.Minute },
		"MaxResumes":         func(c *dbos.Config) { c.Janitor.MaxResumes = -1 },
		"PartitionConcurrency exceeds": func(c *dbos.Config) {
			c.Queues = []dbos.QueueConfig{{Name: "q", GlobalConcurrency: 2, PartitionConcurrency: 3}}
		},
		"limits must not be negative": func(c *dbos.Config) { c.Queues = []dbos.QueueConfig{{Name: "q", PartitionConcurrency: -1}} },
	}
	for field, mutate := range cases {
		c := testConfig("x")
		mutate(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: Validate = %v", field, err)
		}
	}
	d := dbos.Config{ApplicationVersion: "v1"}.WithDefaults()
	if !strings.HasSuffix(d.ExecutorID, "-worker") || d.AppName != "oslira" || d.QueuePollInterval != time.Second {
		t.Errorf("defaults = %+v", d)
	}
}

type progressSink struct {
	mu  sync.Mutex
	got []string
}

func (s *progressSink) Publish(_ context.Context, id string, p workflow.Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, fmt.Sprintf("%s:%s:%d/%d", id, p.Step, p.Done, p.Total))
	return nil
}

func TestProgressReachesTheSink(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "exec-progress"}
	sink := &progressSink{}
	x, err := dbos.NewExecutor(pool, testConfig("exec-progress"), env.definitions(), sink, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	if err := x.Launch(t.Context()); err != nil {
		t.Fatal(err)
	}
	id, err := x.Start(t.Context(), defOverlap, nil, "progress-1")
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, x, id, workflow.StateSucceeded, 30*time.Second)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	want := []string{"progress-1:one:0/3", "progress-1:two:1/3", "progress-1:three:2/3"}
	if !slices.Equal(sink.got, want) {
		t.Errorf("progress = %v, want %v", sink.got, want)
	}
	if err := x.Launch(t.Context()); err == nil {
		t.Error("a second Launch must fail (DBOS launches once)")
	}
}
