package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects output written by a running command.
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

// waitFor polls until cond holds, failing the test after a generous deadline (a hang guard, not
// a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunStopsOnCancel starts the worker and cron commands in-process and stops them the way a
// signal does (the run context ends); both must exit 0 after stopping. The worker migrates its
// throwaway database itself (APP_ENV=test); cron, which never migrates, gets a migrated one.
func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"worker", "cron"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"APP_ENV": "test", "DATABASE_URL": throwawayDatabase(t), "WORKER_ID": "lifecycle-" + name}
			if name == "cron" {
				if code, _, stderr := runCapture(t, env, "migrate"); code != 0 {
					t.Fatalf("migrate: exit %d\n%s", code, stderr)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr syncBuffer
			code := make(chan int, 1)
			go func() {
				code <- run(ctx, []string{name}, mapLookup(env), &stdout, &stderr)
			}()
			waitFor(t, name+" to start", func() bool {
				select {
				case c := <-code:
					t.Fatalf("%s exited with %d before starting; stderr:\n%s\nstdout:\n%s", name, c, stderr.String(), stdout.String())
				default:
				}
				return strings.Contains(stdout.String(), `"oslira started"`)
			})
			cancel()
			if c := <-code; c != 0 {
				t.Fatalf("exit code %d; stderr:\n%s\nstdout:\n%s", c, stderr.String(), stdout.String())
			}
			if out := stdout.String(); !strings.Contains(out, name+" stopped") || !strings.Contains(out, `"oslira stopped"`) {
				t.Errorf("missing stop lines:\n%s", out)
			}
			if name == "worker" && !strings.Contains(stdout.String(), `"executor_id":"lifecycle-worker"`) {
				t.Errorf("the worker did not run as WORKER_ID:\n%s", stdout.String())
			}
		})
	}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	dbURL := throwawayDatabase(t)
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": dbURL}
	for i := range 2 { // the second run finds nothing to do
		code, stdout, stderr := runCapture(t, env, "migrate")
		if code != 0 {
			t.Fatalf("run %d: exit code %d; stderr:\n%s\nstdout:\n%s", i, code, stderr, stdout)
		}
		if !strings.Contains(stdout, `"database migrated"`) || !strings.Contains(stdout, `"workflow schema migrated"`) {
			t.Errorf("run %d: no migrated line:\n%s", i, stdout)
		}
	}
	if current, latest := migrationVersion(t, dbURL); current != latest || latest == 0 {
		t.Errorf("database at version %d, latest %d", current, latest)
	}
	if !workflowSchemaExists(t, dbURL) {
		t.Error("migrate did not create the workflow engine's schema")
	}
}

func TestMigrateCommandFailsWithoutDatabase(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback refuses connections; the command must fail and say so without the password.
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": "postgres://u:topsecret@127.0.0.1:1/x?sslmode=disable"}
	code, stdout, stderr := runCapture(t, env, "migrate")
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if strings.Contains(stdout+stderr, "topsecret") {
		t.Errorf("password leaked:\n%s\n%s", stdout, stderr)
	}
}

// TestWorkerRestartsUnderItsOwnID: a worker stopped cleanly releases its executor id, so one
// started right after it with the same WORKER_ID does not warn about another live process.
func TestWorkerRestartsUnderItsOwnID(t *testing.T) {
	t.Parallel()
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": throwawayDatabase(t), "WORKER_ID": "restarted-worker"}
	var logs []string
	for range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr syncBuffer
		code := make(chan int, 1)
		go func() { code <- run(ctx, []string{"worker"}, mapLookup(env), &stdout, &stderr) }()
		waitFor(t, "the worker to start", func() bool {
			select {
			case c := <-code:
				t.Fatalf("worker exited with %d before starting; stderr:\n%s", c, stderr.String())
			default:
			}
			return strings.Contains(stdout.String(), `"oslira started"`)
		})
		cancel()
		if c := <-code; c != 0 {
			t.Fatalf("exit code %d; stderr:\n%s", c, stderr.String())
		}
		logs = append(logs, stdout.String())
	}
	if strings.Contains(logs[1], "another process used this executor id") {
		t.Errorf("the restarted worker warned about its predecessor:\n%s", logs[1])
	}
}
