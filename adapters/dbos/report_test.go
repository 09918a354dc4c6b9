package dbos_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

// defCritical is a run whose step fails with an unexpected (Internal, so CRITICAL) error.
const defCritical = "test.critical.v1"

type recordingReporter struct {
	mu   sync.Mutex
	errs []error
	tags []map[string]string
}

func (r *recordingReporter) Report(_ context.Context, err error, tags map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
	r.tags = append(r.tags, tags)
}

func (r *recordingReporter) snapshot() ([]error, []map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...), append([]map[string]string(nil), r.tags...)
}

// TestReporterSeesCriticalRunFailuresOnly: a run failing on a bug is reported once, tagged with
// its definition and run id; a business failure, a transient failure after its retries and a
// success are not.
func TestReporterSeesCriticalRunFailuresOnly(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "exec-reporter"}
	defs := append(env.definitions(), workflow.Definition{Name: defCritical, Queue: "checks",
		Body: func(ctx context.Context, run workflow.Run, _ []byte) ([]byte, error) {
			_, err := run.Step(ctx, "bug", testPolicy, func(context.Context) ([]byte, error) {
				return nil, errors.New("nil pointer in the scorer")
			})
			return nil, err
		}})
	rep := &recordingReporter{}
	x, err := dbos.NewExecutor(pool, testConfig("exec-reporter"), defs, nil, discardLog(), dbos.WithReporter(rep))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	if err := x.Launch(t.Context()); err != nil {
		t.Fatal(err)
	}
	ids := map[string]workflow.State{}
	for def, want := range map[string]workflow.State{
		defEmpty: workflow.StateSucceeded, defPermanent: workflow.StateFailed,
		defTransient: workflow.StateFailed, defCritical: workflow.StateFailed,
	} {
		id, err := x.Start(t.Context(), def, nil, "reporter-"+def)
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = want
	}
	for id, want := range ids {
		waitState(t, x, id, want, 30*time.Second)
	}
	errs, tags := rep.snapshot()
	if len(errs) != 1 {
		t.Fatalf("reported %d errors (%v), want the critical run's alone", len(errs), errs)
	}
	if apperr.LevelOf(errs[0]) != apperr.LevelCritical || tags[0]["workflow"] != defCritical || tags[0]["run_id"] != "reporter-"+defCritical {
		t.Errorf("reported %v with tags %v", errs[0], tags[0])
	}
}
