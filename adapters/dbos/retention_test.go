package dbos_test

import (
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/workflow"
)

func TestDeleteFinishedKeepsUnfinishedRunsAndFreesIDs(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "exec-retention", gate: make(chan struct{})}
	x := startExecutor(t, env, testConfig("exec-retention"))
	ctx := t.Context()

	finished := []string{}
	for _, id := range []string{"empty-1", "empty-2", "empty-3"} {
		if _, err := x.Start(ctx, defEmpty, nil, id); err != nil {
			t.Fatal(err)
		}
		waitState(t, x, id, workflow.StateSucceeded, 30*time.Second)
		finished = append(finished, id)
	}
	if _, err := x.Start(ctx, defPermanent, nil, "failed-1"); err != nil {
		t.Fatal(err)
	}
	waitState(t, x, "failed-1", workflow.StateFailed, 30*time.Second)
	finished = append(finished, "failed-1")
	for _, id := range []string{"gate-running", "gate-cancelled"} {
		if _, err := x.Start(ctx, defGate, nil, id); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, id+" step two", func() (bool, error) { return stepCounts(t, pool, id)["two"] == 1, nil })
	}
	if err := x.Cancel(ctx, "gate-cancelled"); err != nil {
		t.Fatal(err)
	}
	finished = append(finished, "gate-cancelled")

	// Nothing finished an hour ago.
	if n, err := x.DeleteFinished(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Fatalf("DeleteFinished(an hour ago) = %d, %v", n, err)
	}
	// Everything finished by now, in batches of 2: 2 + 2 + 1.
	before := time.Now().Add(time.Minute)
	total := 0
	for _, want := range []int{2, 2, 1, 0} {
		n, err := x.DeleteFinished(ctx, before, 2)
		if err != nil || n != want {
			t.Fatalf("DeleteFinished batch = %d, %v; want %d", n, err, want)
		}
		total += n
	}
	if total != len(finished) {
		t.Fatalf("deleted %d runs, want %d", total, len(finished))
	}
	for _, id := range finished {
		if _, err := x.Status(ctx, id); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("Status(%s) after delete = %v", id, err)
		}
	}
	if st, err := x.Status(ctx, "gate-running"); err != nil || st.State != workflow.StateRunning {
		t.Errorf("running run after retention = %+v, %v", st, err)
	}
	var leftovers int
	err := pool.QueryRow(ctx, `select (select count(*) from dbos.operation_outputs where workflow_uuid = any($1))
		+ (select count(*) from dbos.workflow_status where workflow_uuid = any($1))`, finished).Scan(&leftovers)
	if err != nil || leftovers != 0 {
		t.Errorf("%d rows of deleted runs left, %v", leftovers, err)
	}

	// Pitfall 17: a deleted run's id is free again — the same id starts a new run.
	if _, err := x.Start(ctx, defEmpty, nil, "empty-1"); err != nil {
		t.Fatal(err)
	}
	waitState(t, x, "empty-1", workflow.StateSucceeded, 30*time.Second)
	close(env.gate)
}
