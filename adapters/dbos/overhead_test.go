package dbos_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/workflow"
)

// runEmpty starts an empty three-step run and waits (polling Status every millisecond) until it
// succeeded; it returns the time from Start to the observed success.
func runEmpty(tb testing.TB, e workflow.Engine, id string) time.Duration {
	tb.Helper()
	ctx := context.Background()
	start := time.Now()
	if _, err := e.Start(ctx, defEmpty, nil, id); err != nil {
		tb.Fatal(err)
	}
	for {
		st, err := e.Status(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		if st.State == workflow.StateSucceeded {
			return time.Since(start)
		}
		if st.State.Terminal() {
			tb.Fatalf("run %s ended %s: %s", id, st.State, st.Error)
		}
		time.Sleep(time.Millisecond)
	}
}

func overheadExecutor(tb testing.TB) *dbos.Executor {
	tb.Helper()
	pool := newTestDB(tb)
	env := &testEnv{pool: pool, executor: "exec-overhead"}
	return startExecutor(tb, env, testConfig("exec-overhead"))
}

// TestOverheadOfAnEmptyWorkflow measures start-to-finish of an empty three-step run, 100 times
// in sequence, with the queue polled every 5 ms (the default is 1 s, which then dominates: a
// run waits half a poll interval on average before it is dequeued). It logs the median and
// asserts nothing about time; BenchmarkEmptyWorkflow is the number without the race detector.
func TestOverheadOfAnEmptyWorkflow(t *testing.T) {
	t.Parallel()
	x := overheadExecutor(t)
	const n = 100
	times := make([]time.Duration, n)
	for i := range n {
		times[i] = runEmpty(t, x, fmt.Sprintf("empty-%03d", i))
	}
	slices.Sort(times)
	t.Logf("empty 3-step workflow, start to observed success, %d runs, queue polled every 5 ms: median %v, p90 %v, min %v, max %v",
		n, times[n/2], times[n*9/10], times[0], times[n-1])
}

// BenchmarkEmptyWorkflow: one op is Start of an empty three-step run until its success is
// observed (queue polled every 5 ms, status every 1 ms).
func BenchmarkEmptyWorkflow(b *testing.B) {
	x := overheadExecutor(b)
	i := 0
	for b.Loop() {
		runEmpty(b, x, fmt.Sprintf("bench-%06d", i))
		i++
	}
}
