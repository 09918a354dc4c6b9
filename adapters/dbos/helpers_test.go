package dbos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

// Definitions used by the tests, in this process and in worker subprocesses.
const (
	defKill      = "test.kill.v1"      // steps one, two, three; two blocks in a "blocking" worker
	defOverlap   = "test.overlap.v1"   // steps one, two, three of ~15 ms each
	defPermanent = "test.permanent.v1" // one step failing with a business error
	defTransient = "test.transient.v1" // one step failing with an infrastructure error
	defEmpty     = "test.empty.v1"     // three empty steps
	defGate      = "test.gate.v1"      // steps one, two (waits for the test's gate), three
	defPartition = "test.partition.v1" // like defOverlap, on a queue capped per partition
)

// testPolicy retries quickly: 4 attempts, waits of 1–10 ms.
var testPolicy = workflow.Policy{MaxAttempts: 4, BaseBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Timeout: 10 * time.Second}

var (
	errBusiness = apperr.New(apperr.PaymentRequired, "credits.insufficient", "not enough credits")
	errDown     = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "provider down")
)

// testTables record every execution of a test step, with start and end times.
const testTables = `
create table test_step_runs (
	id          bigserial primary key,
	workflow_id text not null,
	step        text not null,
	executor    text not null,
	pid         integer not null,
	started_at  timestamptz not null default clock_timestamp(),
	finished_at timestamptz
);
create table test_orders (id text primary key);`

// testEnv builds the test definitions over a database pool.
type testEnv struct {
	pool     *pgxpool.Pool
	executor string
	block    bool          // defKill's step two blocks until its context ends
	gate     chan struct{} // defGate's step two waits for it to close
}

// record inserts an execution row and returns a func that stamps its end.
func (env *testEnv) record(ctx context.Context, run workflow.Run, step string) (func(), error) {
	var id int64
	err := env.pool.QueryRow(ctx, `insert into test_step_runs (workflow_id, step, executor, pid)
		values ($1, $2, $3, $4) returning id`, run.ID(), step, env.executor, os.Getpid()).Scan(&id)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, apperr.CodeUnavailable, "record step")
	}
	return func() {
		_, _ = env.pool.Exec(context.WithoutCancel(ctx), `update test_step_runs set finished_at = clock_timestamp() where id = $1`, id)
	}, nil
}

// threeSteps is a body running steps one, two, three, each doing work(step) between the
// records of its start and end.
func (env *testEnv) threeSteps(work func(ctx context.Context, step string) error) workflow.Body {
	return func(ctx context.Context, run workflow.Run, _ []byte) ([]byte, error) {
		var done []string
		for i, step := range []string{"one", "two", "three"} {
			_ = run.Progress(ctx, workflow.Progress{Step: step, Done: i, Total: 3})
			out, err := workflow.Do(ctx, run, step, testPolicy, func(ctx context.Context) (string, error) {
				finish, err := env.record(ctx, run, step)
				if err != nil {
					return "", err
				}
				if err := work(ctx, step); err != nil {
					return "", err
				}
				finish()
				return step + "@" + env.executor, nil
			})
			if err != nil {
				return nil, err
			}
			done = append(done, out)
		}
		return json.Marshal(done)
	}
}

func (env *testEnv) definitions() []workflow.Definition {
	failing := func(cause error) workflow.Body {
		return func(ctx context.Context, run workflow.Run, _ []byte) ([]byte, error) {
			_, err := run.Step(ctx, "charge", testPolicy, func(ctx context.Context) ([]byte, error) {
				if _, err := env.record(ctx, run, "charge"); err != nil {
					return nil, err
				}
				return nil, cause
			})
			return nil, err
		}
	}
	empty := func(context.Context) ([]byte, error) { return nil, nil }
	return []workflow.Definition{
		{Name: defKill, Queue: "kill", Body: env.threeSteps(func(ctx context.Context, step string) error {
			if step == "two" && env.block {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(2 * time.Minute):
				}
			}
			return nil
		})},
		{Name: defOverlap, Queue: "overlap", Body: env.threeSteps(func(ctx context.Context, _ string) error {
			time.Sleep(15 * time.Millisecond)
			return nil
		})},
		{Name: defPartition, Queue: "partitioned", Body: env.threeSteps(func(ctx context.Context, _ string) error {
			time.Sleep(15 * time.Millisecond)
			return nil
		})},
		{Name: defPermanent, Queue: "checks", Body: failing(errBusiness)},
		{Name: defTransient, Queue: "checks", Body: failing(errDown)},
		{Name: defEmpty, Queue: "empty", Body: func(ctx context.Context, run workflow.Run, _ []byte) ([]byte, error) {
			for _, step := range []string{"a", "b", "c"} {
				if _, err := run.Step(ctx, step, workflow.FastFail, empty); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}},
		{Name: defGate, Queue: "gate", Body: env.threeSteps(func(ctx context.Context, step string) error {
			if step == "two" && env.gate != nil {
				select {
				case <-env.gate:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})},
	}
}

// testConfig is an adapter configuration tuned for quick tests.
func testConfig(executorID string) dbos.Config {
	return dbos.Config{
		ApplicationVersion: "test-v1",
		ExecutorID:         executorID,
		Role:               "test",
		MaxConns:           4,
		QueuePollInterval:  20 * time.Millisecond,
		Queues: []dbos.QueueConfig{
			{Name: "overlap", WorkerConcurrency: 4}, {Name: "empty", PollInterval: 5 * time.Millisecond},
			{Name: "partitioned", WorkerConcurrency: 4, GlobalConcurrency: 4, PartitionConcurrency: 1},
		},
		HeartbeatInterval: 200 * time.Millisecond,
		StartupTimeout:    30 * time.Second,
		ShutdownTimeout:   5 * time.Second,
		Janitor:           dbos.JanitorConfig{StaleAfter: time.Second, MaxResumes: 2},
	}
}

// quietLog discards DBOS's info chatter; warnings and errors go to stderr.
func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTestDB returns a pool on a fresh database migrated by goose and by dbos.Migrate, with the
// test tables.
func newTestDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.IsolatedPool(t)
	ctx := context.Background()
	if err := dbos.Migrate(ctx, pool, discardLog()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := pool.Exec(ctx, testTables); err != nil {
		t.Fatalf("test tables: %v", err)
	}
	return pool
}

// databaseURL is a URL of pool's database for a subprocess.
func databaseURL(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	u, err := url.Parse(pgtest.URL())
	if err != nil {
		t.Fatalf("parse test database URL: %v", err)
	}
	u.Path = "/" + pool.Config().ConnConfig.Database
	return u.String()
}

func newClient(t testing.TB, pool *pgxpool.Pool) *dbos.Client {
	t.Helper()
	env := &testEnv{pool: pool, executor: "client"}
	c, err := dbos.NewClient(pool, testConfig("client"), env.definitions(), discardLog())
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func startExecutor(t testing.TB, env *testEnv, cfg dbos.Config) *dbos.Executor {
	t.Helper()
	x, err := dbos.NewExecutor(env.pool, cfg, env.definitions(), nil, discardLog())
	if err != nil {
		t.Fatalf("NewExecutor: %v", err)
	}
	if err := x.Launch(context.Background()); err != nil {
		_ = x.Shutdown(context.Background())
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	return x
}

// waitFor polls cond every 10 ms until it holds, failing the test after limit.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitState waits until run id is in state want.
func waitState(t testing.TB, e workflow.Engine, id string, want workflow.State, limit time.Duration) workflow.Status {
	t.Helper()
	var st workflow.Status
	waitFor(t, limit, fmt.Sprintf("run %s %s", id, want), func() (bool, error) {
		var err error
		st, err = e.Status(context.Background(), id)
		if err != nil {
			return false, err
		}
		if st.State.Terminal() && st.State != want {
			return false, fmt.Errorf("run %s ended %s (%s), want %s", id, st.State, st.Error, want)
		}
		return st.State == want, nil
	})
	return st
}

// stepCounts returns how many times each step of run id started.
func stepCounts(t testing.TB, pool *pgxpool.Pool, id string) map[string]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `select step, count(*) from test_step_runs where workflow_id = $1 group by step`, id)
	if err != nil {
		t.Fatalf("count steps: %v", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var step string
		var n int
		if err := rows.Scan(&step, &n); err != nil {
			t.Fatalf("count steps: %v", err)
		}
		counts[step] = n
	}
	return counts
}
