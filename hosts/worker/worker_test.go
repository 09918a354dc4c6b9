package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/workflow"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// echo is a one-step definition returning its input.
var echo = workflow.Definition{Name: "test.echo.v1", Queue: "echo", Body: func(ctx context.Context, run workflow.Run, in []byte) ([]byte, error) {
	return run.Step(ctx, "echo", workflow.FastFail, func(context.Context) ([]byte, error) { return in, nil })
}}

func testConfig(id string) dbos.Config {
	return dbos.Config{ApplicationVersion: "worker-test", ExecutorID: id, Role: "worker", MaxConns: 4,
		QueuePollInterval: 20 * time.Millisecond, HeartbeatInterval: 200 * time.Millisecond,
		Janitor: dbos.JanitorConfig{StaleAfter: time.Second}}
}

// TestModuleRunsWorkflows starts the worker module on a migrated database: the executor launches
// with the application, runs what is started, and stops with it, between the two log lines.
func TestModuleRunsWorkflows(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	if err := dbos.Migrate(t.Context(), pool, nil); err != nil {
		t.Fatal(err)
	}
	var engine workflow.Engine
	app := fxtest.New(t,
		fx.NopLogger,
		fx.Supply(pool, testConfig("worker-module-test"), slog.New(slog.DiscardHandler)),
		fx.Provide(fx.Annotate(func() workflow.Definition { return echo }, fx.ResultTags(`group:"`+dbos.DefinitionGroup+`"`))),
		Module,
		fx.Populate(&engine),
	)
	app.RequireStart()

	id, err := engine.Start(t.Context(), echo.Name, map[string]string{"hello": "worker"}, "echo-1")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second) // hang guard
	var st workflow.Status
	for {
		if st, err = engine.Status(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		if st.State.Terminal() || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var out map[string]string
	if st.State != workflow.StateSucceeded || json.Unmarshal(st.Output, &out) != nil || out["hello"] != "worker" || st.Executor != "worker-module-test" {
		t.Fatalf("run = %+v (%s)", st, st.Output)
	}
	app.RequireStop()
}

// TestModuleLogLines checks the start and stop lines and their order around the executor.
func TestModuleLogLines(t *testing.T) {
	t.Parallel()
	pool := pgtest.IsolatedPool(t)
	if err := dbos.Migrate(t.Context(), pool, nil); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	app := fxtest.New(t,
		fx.NopLogger,
		fx.Supply(pool, testConfig("worker-lines-test"), log),
		fx.Provide(fx.Annotate(func() workflow.Definition { return echo }, fx.ResultTags(`group:"`+dbos.DefinitionGroup+`"`))),
		Module,
	)
	app.RequireStart()
	started := strings.Index(logs.String(), `"worker started"`)
	launched := strings.Index(logs.String(), `"workflow executor started"`)
	if started < 0 || launched < 0 || launched > started || !strings.Contains(logs.String(), `"executor_id":"worker-lines-test"`) {
		t.Errorf("start lines (executor at %d, worker at %d):\n%s", launched, started, logs.String())
	}
	app.RequireStop()
	if !strings.HasSuffix(strings.TrimSpace(logs.String()), `"component":"worker"}`) ||
		!strings.Contains(logs.String(), `"worker stopped"`) {
		t.Errorf("\"worker stopped\" is not the last line:\n%s", logs.String())
	}
}
