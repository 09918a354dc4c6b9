package dbos_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/oslira/oslira/adapters/dbos"
)

// lockedBuffer is a log sink safe for DBOS's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const twinWarning = "another process used this executor id"

// launchLogged launches an executor whose warnings go to logs.
func launchLogged(t *testing.T, env *testEnv, id string, logs *lockedBuffer) *dbos.Executor {
	t.Helper()
	x, err := dbos.NewExecutor(env.pool, testConfig(id), env.definitions(), nil,
		slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	return x
}

// TestCleanStopReleasesTheExecutorID: an executor restarted right after a clean stop takes its
// id back without the warning about a live twin, which a second live process with the same id
// still gets; the released row keeps its last heartbeat, which the janitor judges by.
func TestCleanStopReleasesTheExecutorID(t *testing.T) {
	t.Parallel()
	env := &testEnv{pool: newTestDB(t), executor: "release"}
	ctx := context.Background()
	var logs lockedBuffer
	first := launchLogged(t, env, "release", &logs)
	if err := first.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	var instance string
	var fresh bool
	if err := env.pool.QueryRow(ctx, `select instance_id, heartbeat_at > now() - interval '1 minute'
		from dbos.oslira_executors where executor_id = 'release'`).Scan(&instance, &fresh); err != nil {
		t.Fatal(err)
	}
	if instance != "" || !fresh {
		t.Errorf("after a clean stop: instance_id %q (want released), recent heartbeat %v", instance, fresh)
	}

	launchLogged(t, env, "release", &logs)
	if strings.Contains(logs.String(), twinWarning) {
		t.Errorf("an immediate restart after a clean stop warned:\n%s", logs.String())
	}
	launchLogged(t, env, "release", &logs) // a live twin
	if !strings.Contains(logs.String(), twinWarning) {
		t.Errorf("a second live process with the same id did not warn:\n%s", logs.String())
	}
}
