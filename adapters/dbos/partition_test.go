package dbos_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/workflow"
)

// TestPartitionConcurrencyCapsEachPartition: on a queue with PartitionConcurrency 1, runs started
// with the same workflow.WithPartition key never overlap, while runs of different partitions do
// (the cap is per partition, not a queue-wide serialisation). This is the analyses queue's
// per-account fairness.
func TestPartitionConcurrencyCapsEachPartition(t *testing.T) {
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "partition"}
	e := startExecutor(t, env, testConfig("partition")).Engine
	ctx := context.Background()
	var ids []string
	for _, part := range []string{"a", "b", "c"} {
		for i := range 3 {
			id, err := e.Start(workflow.WithPartition(ctx, part), defPartition, nil, fmt.Sprintf("%s-%d", part, i))
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		waitState(t, e, id, workflow.StateSucceeded, time.Minute)
	}
	// Each run's span: from its first step's start to its last step's end.
	rows, err := pool.Query(ctx, `select workflow_id, min(started_at), max(finished_at)
		from test_step_runs group by workflow_id`)
	if err != nil {
		t.Fatal(err)
	}
	type span struct {
		id         string
		start, end time.Time
	}
	var spans []span
	for rows.Next() {
		var s span
		if err := rows.Scan(&s.id, &s.start, &s.end); err != nil {
			t.Fatal(err)
		}
		spans = append(spans, s)
	}
	if len(spans) != len(ids) {
		t.Fatalf("%d runs recorded, want %d", len(spans), len(ids))
	}
	same, across := 0, 0
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if a.start.Before(b.end) && b.start.Before(a.end) {
				if strings.Split(a.id, "-")[0] == strings.Split(b.id, "-")[0] {
					same++
					t.Errorf("runs %s and %s of one partition overlapped", a.id, b.id)
				} else {
					across++
				}
			}
		}
	}
	if across == 0 {
		t.Errorf("no runs of different partitions overlapped: the cap serialised the whole queue")
	}
}
