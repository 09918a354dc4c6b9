package dbos_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/workflow"
)

// TestKillNineMidStep kills a worker process with SIGKILL while step two of a three-step run is
// executing, twice: once recovered by a restart under the same executor id (DBOS's own
// recovery at launch), once by the janitor onto another live worker. Each time step one runs
// once, step two twice (the interrupted execution and the re-run), step three once.
func TestKillNineMidStep(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	c := newClient(t, pool)
	ctx := t.Context()
	want := map[string]int{"one": 1, "two": 2, "three": 1}

	// 1. Restart with the same executor id.
	id, err := c.Start(ctx, defKill, nil, "kill-restart")
	if err != nil {
		t.Fatal(err)
	}
	a := startWorker(t, pool, "worker-a", true)
	waitStepStarted(t, pool, id, "two")
	before := stepCounts(t, pool, id)
	a.kill(t)
	if st, _ := c.Status(ctx, id); st.State != workflow.StateRunning || st.Executor != "worker-a" {
		t.Fatalf("after SIGKILL: %+v, want running on worker-a", st)
	}
	a2 := startWorker(t, pool, "worker-a", false)
	st := waitState(t, c, id, workflow.StateSucceeded, 60*time.Second)
	after := stepCounts(t, pool, id)
	t.Logf("kill -9, restart as the same executor: before kill %v, after recovery %v, attempts %d", before, after, st.Attempts)
	if !maps.Equal(after, want) {
		t.Errorf("executions = %v, want %v", after, want)
	}
	a2.stop(t)

	// 2. The executor never comes back: the janitor moves the run to another worker.
	id, err = c.Start(ctx, defKill, nil, "kill-janitor")
	if err != nil {
		t.Fatal(err)
	}
	b := startWorker(t, pool, "worker-b", true)
	waitStepStarted(t, pool, id, "two")
	b.kill(t)
	startWorker(t, pool, "worker-c", false)
	j, err := dbos.NewJanitor(c.Engine, testConfig("client").Janitor, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	var rep dbos.JanitorReport
	waitFor(t, 30*time.Second, "the janitor to resume the run", func() (bool, error) {
		var err error
		rep, err = j.RunOnce(ctx)
		return slices.Contains(rep.Resumed, id), err
	})
	if !slices.Equal(rep.DeadExecutors, []string{"worker-b"}) {
		t.Errorf("dead executors = %v, want [worker-b]", rep.DeadExecutors)
	}
	st = waitState(t, c, id, workflow.StateSucceeded, 60*time.Second)
	after = stepCounts(t, pool, id)
	t.Logf("kill -9, janitor resume on another executor: after recovery %v, finished on %s", after, st.Executor)
	if !maps.Equal(after, want) || st.Executor != "worker-c" {
		t.Errorf("executions = %v on %s, want %v on worker-c", after, st.Executor, want)
	}
	// A second pass finds nothing to do.
	if rep, err := j.RunOnce(ctx); err != nil || len(rep.Resumed)+len(rep.GaveUp) != 0 {
		t.Errorf("second janitor pass = %+v, %v", rep, err)
	}
}

// TestJanitorCapsResumes strands a run on a dead executor again and again (by editing its
// status row the way a crash leaves it) and checks that the janitor resumes it MaxResumes times,
// then cancels it, and leaves runs of live executors alone.
func TestJanitorCapsResumes(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	c := newClient(t, pool)
	ctx := t.Context()
	strand := func(id, executor string) {
		t.Helper()
		_, err := pool.Exec(ctx, `update dbos.workflow_status set status = 'PENDING', executor_id = $2,
			updated_at = (extract(epoch from now() - interval '1 hour') * 1000)::bigint where workflow_uuid = $1`, id, executor)
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := pool.Exec(ctx, `insert into dbos.oslira_executors values
		('ghost', 'worker', 'test-v1', 'x', 'h', 1, now() - interval '1 hour', now() - interval '1 hour'),
		('alive', 'worker', 'test-v1', 'y', 'h', 2, now(), now() + interval '1 hour')`)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"poison", "busy"} {
		if _, err := c.Start(ctx, defEmpty, nil, id); err != nil {
			t.Fatal(err)
		}
	}
	strand("busy", "alive")
	cfg := dbos.JanitorConfig{StaleAfter: time.Second, MaxResumes: 2}
	j, err := dbos.NewJanitor(c.Engine, cfg, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	for pass := 1; pass <= cfg.MaxResumes+1; pass++ {
		strand("poison", "ghost")
		rep, err := j.RunOnce(ctx)
		if err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		resumed := slices.Equal(rep.Resumed, []string{"poison"}) && len(rep.GaveUp) == 0
		gaveUp := slices.Equal(rep.GaveUp, []string{"poison"}) && len(rep.Resumed) == 0
		if pass <= cfg.MaxResumes && !resumed || pass > cfg.MaxResumes && !gaveUp {
			t.Errorf("pass %d: %+v", pass, rep)
		}
		st, _ := c.Status(ctx, "poison")
		if wantState := map[bool]workflow.State{true: workflow.StateEnqueued, false: workflow.StateCancelled}[pass <= cfg.MaxResumes]; st.State != wantState {
			t.Errorf("pass %d: poison is %s, want %s", pass, st.State, wantState)
		}
	}
	if st, _ := c.Status(ctx, "busy"); st.State != workflow.StateRunning {
		t.Errorf("the run of a live executor was touched: %s", st.State)
	}
	var resumes int
	var gaveUp bool
	if err := pool.QueryRow(ctx, `select resumes, gave_up_at is not null from dbos.oslira_janitor where workflow_uuid = 'poison'`).Scan(&resumes, &gaveUp); err != nil {
		t.Fatal(err)
	}
	if resumes != cfg.MaxResumes || !gaveUp {
		t.Errorf("janitor row: resumes %d, gave up %v", resumes, gaveUp)
	}
	// Concurrent passes: one works, the other skips.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", int64(0x64626f736a616e)); err != nil {
		t.Fatal(err)
	}
	if rep, err := j.RunOnce(ctx); err != nil || !rep.Skipped {
		t.Errorf("pass while another holds the lock = %+v, %v", rep, err)
	}
	_, _ = conn.Exec(ctx, "select pg_advisory_unlock($1)", int64(0x64626f736a616e))
}

// TestTwoWorkersNeverRunTheSameStepConcurrently runs 40 three-step runs on two worker
// processes and checks, from the executions' recorded start and end times, that no step of any
// run executed twice, let alone at overlapping times.
func TestTwoWorkersNeverRunTheSameStepConcurrently(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	c := newClient(t, pool)
	ctx := t.Context()
	startWorker(t, pool, "worker-1", false)
	startWorker(t, pool, "worker-2", false)
	const runs = 40
	for i := range runs {
		if _, err := c.Start(ctx, defOverlap, nil, fmt.Sprintf("overlap-%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 60*time.Second, "every run to succeed", func() (bool, error) {
		done, err := c.List(ctx, workflow.Filter{Definition: defOverlap, States: []workflow.State{workflow.StateSucceeded}})
		return len(done) == runs, err
	})
	var executions, duplicates, overlaps int
	err := pool.QueryRow(ctx, `
		select (select count(*) from test_step_runs),
		       (select count(*) from (select 1 from test_step_runs group by workflow_id, step having count(*) > 1) d),
		       (select count(*) from test_step_runs a join test_step_runs b
		          on a.workflow_id = b.workflow_id and a.step = b.step and a.id < b.id
		         and tstzrange(a.started_at, coalesce(a.finished_at, 'infinity')) && tstzrange(b.started_at, coalesce(b.finished_at, 'infinity')))`,
	).Scan(&executions, &duplicates, &overlaps)
	if err != nil {
		t.Fatal(err)
	}
	perExecutor := executorShares(t, pool)
	t.Logf("%d step executions over %d runs; by executor %v; duplicated steps %d, overlapping %d", executions, runs, perExecutor, duplicates, overlaps)
	if executions != 3*runs || duplicates != 0 || overlaps != 0 {
		t.Errorf("executions %d (want %d), duplicated steps %d, overlapping executions %d", executions, 3*runs, duplicates, overlaps)
	}
	if len(perExecutor) != 2 {
		t.Errorf("work by executor = %v, want both workers to take part (each may run 4 at a time)", perExecutor)
	}
}

func executorShares(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `select executor, count(*) from test_step_runs group by executor`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var e string
		var n int
		if err := rows.Scan(&e, &n); err != nil {
			t.Fatal(err)
		}
		out[e] = n
	}
	return out
}

func waitStepStarted(t *testing.T, pool *pgxpool.Pool, id, step string) {
	t.Helper()
	waitFor(t, 60*time.Second, "step "+step+" of "+id+" to start", func() (bool, error) {
		return stepCounts(t, pool, id)[step] > 0, nil
	})
}
