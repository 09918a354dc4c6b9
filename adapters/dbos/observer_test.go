package dbos_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/workflow"
)

// recordingObserver counts the executor's events by their labels.
type recordingObserver struct {
	mu       sync.Mutex
	started  map[string]int
	finished map[string]int // "definition state"
	retried  map[string]int // "definition step"
}

func newRecordingObserver() *recordingObserver {
	return &recordingObserver{started: map[string]int{}, finished: map[string]int{}, retried: map[string]int{}}
}

func (o *recordingObserver) RunStarted(def string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.started[def]++
}

func (o *recordingObserver) RunFinished(def, state string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished[def+" "+state]++
}

func (o *recordingObserver) StepRetried(def, step string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retried[def+" "+step]++
}

func (o *recordingObserver) snapshot() (started, finished, retried map[string]int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.started), maps.Clone(o.finished), maps.Clone(o.retried)
}

// TestObserverSeesStartsOutcomesAndRetries: a succeeding, a permanently failing and a
// transiently failing run each report one start and their outcome by definition; only the
// transient one's step reports retries, one per wait (attempts − 1).
func TestObserverSeesStartsOutcomesAndRetries(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "exec-observer"}
	obs := newRecordingObserver()
	x, err := dbos.NewExecutor(pool, testConfig("exec-observer"), env.definitions(), nil, discardLog(), dbos.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	if err := x.Launch(t.Context()); err != nil {
		t.Fatal(err)
	}
	ids := map[string]workflow.State{}
	for def, want := range map[string]workflow.State{
		defEmpty: workflow.StateSucceeded, defPermanent: workflow.StateFailed, defTransient: workflow.StateFailed,
	} {
		id, err := x.Start(t.Context(), def, nil, "observer-"+def)
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = want
	}
	for id, want := range ids {
		waitState(t, x, id, want, 30*time.Second)
	}
	// The state is written by DBOS after the body returned: the events are already in.
	started, finished, retried := obs.snapshot()
	for _, def := range []string{defEmpty, defPermanent, defTransient} {
		if started[def] != 1 {
			t.Errorf("%s started %d times, want 1 (%v)", def, started[def], started)
		}
	}
	wantFinished := map[string]int{defEmpty + " succeeded": 1, defPermanent + " failed": 1, defTransient + " failed": 1}
	if !maps.Equal(finished, wantFinished) {
		t.Errorf("finished = %v, want %v", finished, wantFinished)
	}
	wantRetried := map[string]int{defTransient + " charge": testPolicy.MaxAttempts - 1}
	if !maps.Equal(retried, wantRetried) {
		t.Errorf("retried = %v, want %v", retried, wantRetried)
	}
}
