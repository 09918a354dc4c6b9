package dbos_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/dbos"
)

// The test binary doubles as a worker process: TestMain runs runWorker instead of the tests when
// workerEnv is set. Tests start it with startWorker and SIGKILL or SIGTERM it.
const (
	workerEnv   = "OSLIRA_DBOS_TEST_WORKER"
	workerDB    = "OSLIRA_DBOS_TEST_DB"
	workerBlock = "OSLIRA_DBOS_TEST_BLOCK"
)

func TestMain(m *testing.M) {
	if id := os.Getenv(workerEnv); id != "" {
		os.Exit(runWorker(id))
	}
	os.Exit(m.Run())
}

// runWorker launches an executor with id on the database in workerDB, prints READY, and runs
// until SIGTERM (then it shuts down cleanly and exits 0).
func runWorker(id string) int {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv(workerDB))
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker: pool:", err)
		return 2
	}
	defer pool.Close()
	env := &testEnv{pool: pool, executor: id, block: os.Getenv(workerBlock) == "1"}
	x, err := dbos.NewExecutor(pool, testConfig(id), env.definitions(), nil, quietLog())
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker: executor:", err)
		return 2
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	if err := x.Launch(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "worker: start:", err)
		return 2
	}
	fmt.Println("READY")
	<-stop
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := x.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "worker: stop:", err)
		return 1
	}
	return 0
}

// worker is a worker subprocess.
type worker struct {
	id     string
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
}

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

// startWorker runs a worker subprocess with executor id on pool's database and waits until it
// has launched. The process is killed at the end of the test if still alive.
func startWorker(t *testing.T, pool *pgxpool.Pool, id string, block bool) *worker {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+id, workerDB+"="+databaseURL(t, pool))
	if block {
		cmd.Env = append(cmd.Env, workerBlock+"=1")
	}
	w := &worker{id: id, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = w.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("worker %s: %v", id, err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("worker %s: start: %v", id, err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "READY" {
				ready <- true
			}
		}
		ready <- false
	}()
	go func() { _ = cmd.Wait(); close(w.exited) }()
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default:
			_ = cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			t.Logf("worker %s stderr:\n%s", id, w.stderr.String())
		}
	})
	select {
	case ok := <-ready:
		if !ok {
			<-w.exited
			t.Fatalf("worker %s exited before it was ready:\n%s", id, w.stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("worker %s not ready after 60s:\n%s", id, w.stderr.String())
	}
	return w
}

// kill sends SIGKILL and waits for the process to die.
func (w *worker) kill(t *testing.T) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %s: %v", w.id, err)
	}
	<-w.exited
}

// stop sends SIGTERM and waits for a clean exit.
func (w *worker) stop(t *testing.T) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("stop worker %s: %v", w.id, err)
	}
	select {
	case <-w.exited:
		if code := w.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("worker %s exited with %d:\n%s", w.id, code, w.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("worker %s did not stop within 30s", w.id)
	}
}
