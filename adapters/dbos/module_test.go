package dbos_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/workflow"
)

// TestModules starts each module in an fx app with the definitions in the value group, runs a
// workflow started by the client module's engine on the executor module's, and checks that
// stopping both leaves the application's pool open.
func TestModules(t *testing.T) {
	t.Parallel()
	pool := newTestDB(t)
	env := &testEnv{pool: pool, executor: "fx-worker"}
	supply := func(executorID string) fx.Option {
		opts := []fx.Option{fx.NopLogger, fx.Supply(pool, testConfig(executorID), discardLog())}
		for _, d := range env.definitions() {
			opts = append(opts, fx.Provide(fx.Annotate(func() workflow.Definition { return d },
				fx.ResultTags(`group:"`+dbos.DefinitionGroup+`"`))))
		}
		return fx.Options(opts...)
	}
	type out struct {
		fx.In
		Engine  workflow.Engine
		Janitor *dbos.Janitor
		Health  []observe.HealthChecker `group:"health"`
	}
	var worker, web out
	wapp := fxtest.New(t, supply("fx-worker"), dbos.ExecutorModule, fx.Populate(&worker))
	capp := fxtest.New(t, supply("fx-client"), dbos.ClientModule, fx.Populate(&web))
	wapp.RequireStart()
	capp.RequireStart()

	id, err := web.Engine.Start(t.Context(), defEmpty, nil, "fx-run")
	if err != nil {
		t.Fatal(err)
	}
	st := waitState(t, worker.Engine, id, workflow.StateSucceeded, 30*time.Second)
	if st.Executor != "fx-worker" {
		t.Errorf("run executed by %q", st.Executor)
	}
	for _, o := range []out{worker, web} {
		if len(o.Health) != 1 || o.Health[0].Name() != "workflows" || !o.Health[0].Critical() {
			t.Fatalf("health checkers = %v", o.Health)
		}
		if err := o.Health[0].Check(context.Background()); err != nil {
			t.Errorf("health: %v", err)
		}
		if rep, err := o.Janitor.RunOnce(t.Context()); err != nil || len(rep.Resumed) != 0 {
			t.Errorf("janitor: %+v, %v", rep, err)
		}
	}
	capp.RequireStop()
	wapp.RequireStop()
	// DBOS closed its own pools on stop, not the application's.
	if err := pool.Ping(context.Background()); err != nil {
		t.Errorf("the application pool is unusable after the engines stopped: %v", err)
	}
}
