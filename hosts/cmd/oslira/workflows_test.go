package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// seedRuns leaves three stripe.event.v1 runs in dbURL's (migrated) database: one succeeded (an
// event type billing ignores), one failed (a grant to an account that does not exist: a
// permanent error), both executed by an in-process executor, and one enqueued after the
// executor stopped.
func seedRuns(t *testing.T, dbURL string) (ok, failed, waiting string) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db := postgres.NewDB(pool)
	defs := []workflow.Definition{billing.EventDefinition(billing.NewProcessor(postgres.NewBillingStore(db)))}
	cfg := dbos.Config{ApplicationVersion: bootstrap.DefaultAppVersion, ExecutorID: "cli-test", Role: "test", MaxConns: 4,
		QueuePollInterval: 20 * time.Millisecond, HeartbeatInterval: 200 * time.Millisecond, Janitor: dbos.JanitorConfig{StaleAfter: time.Second}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	x, err := dbos.NewExecutor(pool, cfg, defs, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Launch(ctx); err != nil {
		t.Fatal(err)
	}
	ok, failed, waiting = billing.EventWorkflowID("evt_cli_ok"), billing.EventWorkflowID("evt_cli_bad"), billing.EventWorkflowID("evt_cli_wait")
	starts := map[string]billing.Event{
		ok:     {ID: "evt_cli_ok", Type: "customer.created"},
		failed: {ID: "evt_cli_bad", Type: billing.TypeCheckoutCompleted, AccountID: "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11", Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 10},
	}
	for id, ev := range starts {
		if _, err := x.Start(ctx, billing.EventWorkflow, ev, id); err != nil {
			t.Fatal(err)
		}
	}
	for id := range starts {
		waitFor(t, "run "+id+" to end", func() bool {
			st, err := x.Status(ctx, id)
			return err == nil && st.State.Terminal()
		})
	}
	if err := x.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := dbos.NewClient(pool, cfg, defs, log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(ctx) }()
	if _, err := c.Start(ctx, billing.EventWorkflow, billing.Event{ID: "evt_cli_wait", Type: "customer.created"}, waiting); err != nil {
		t.Fatal(err)
	}
	return ok, failed, waiting
}

func TestWorkflowsCommand(t *testing.T) {
	t.Parallel()
	dbURL := throwawayDatabase(t)
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": dbURL}
	if code, _, stderr := runCapture(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d\n%s", code, stderr)
	}
	ok, failed, waiting := seedRuns(t, dbURL)

	cli := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runCapture(t, env, append([]string{"workflows"}, args...)...)
		if code != wantCode {
			t.Fatalf("workflows %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, stdout, stderr)
		}
		return stdout, stderr
	}
	rowOf := func(table, id string) string {
		for _, line := range strings.Split(table, "\n") {
			if strings.HasPrefix(line, id+" ") {
				return line
			}
		}
		return ""
	}

	out, _ := cli(exitOK, "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[0], "STATE") {
		t.Fatalf("list:\n%s", out)
	}
	for id, state := range map[string]string{ok: "succeeded", failed: "failed", waiting: "enqueued"} {
		if row := rowOf(out, id); !strings.Contains(row, " "+state+" ") || !strings.Contains(row, billing.EventWorkflow) {
			t.Errorf("row of %s: %q, want state %s", id, row, state)
		}
	}
	if row := rowOf(out, failed); !strings.Contains(row, "resource.not-found") || !strings.Contains(row, "cli-test") {
		t.Errorf("failed row lacks its error code or executor: %q", row)
	}

	out, _ = cli(exitOK, "list", "--state", "failed,cancelled", "--limit", "10")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || rowOf(out, failed) == "" {
		t.Errorf("list --state failed:\n%s", out)
	}
	out, _ = cli(exitOK, "list", "--prefix", "stripe:evt_cli_o")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || rowOf(out, ok) == "" {
		t.Errorf("list --prefix:\n%s", out)
	}

	out, _ = cli(exitOK, "show", ok)
	for _, want := range []string{"id:", ok, "state:", "succeeded", "queue:", billing.EventQueue, `"result":"ignored"`} {
		if !strings.Contains(out, want) {
			t.Errorf("show %s lacks %q:\n%s", ok, want, out)
		}
	}
	out, _ = cli(exitOK, "show", failed)
	if !strings.Contains(out, "resource.not-found") || !strings.Contains(out, "failed") {
		t.Errorf("show %s:\n%s", failed, out)
	}

	if out, _ = cli(exitOK, "cancel", waiting); !strings.Contains(rowOf(out, waiting), " cancelled ") {
		t.Errorf("cancel:\n%s", out)
	}
	if out, _ = cli(exitOK, "resume", waiting); !strings.Contains(rowOf(out, waiting), " enqueued ") {
		t.Errorf("resume:\n%s", out)
	}
	if _, stderr := cli(exitError, "resume", failed); !strings.Contains(stderr, "cannot be resumed") {
		t.Errorf("resume of a failed run: %s", stderr)
	}
	if _, stderr := cli(exitNotFound, "show", "stripe:evt_nobody"); !strings.Contains(stderr, "no workflow run has this id") {
		t.Errorf("show unknown: %s", stderr)
	}
	cli(exitNotFound, "cancel", "stripe:evt_nobody")
}

func TestWorkflowsCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"workflows"}, {"workflows", "frobnicate"}, {"workflows", "show"}, {"workflows", "show", "a", "b"},
		{"workflows", "cancel", "--force"}, {"workflows", "list", "--state", "bogus"}, {"workflows", "list", "--limit", "0"},
		{"workflows", "list", "extra"},
	} {
		code, stdout, stderr := runCapture(t, nil, args...)
		if code != exitUsage || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if code, _, _ := runCapture(t, nil, "workflows", "help"); code != exitOK {
		t.Errorf("workflows help: exit %d", code)
	}
	// A database that cannot be reached is a failure, and the password stays out of the output.
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": "postgres://u:topsecret@127.0.0.1:1/x?sslmode=disable"}
	code, stdout, stderr := runCapture(t, env, "workflows", "list")
	if code != exitError || strings.Contains(stdout+stderr, "topsecret") {
		t.Errorf("unreachable database: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
