package main

import (
	"context"
	"fmt"
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

// webhookHarness is a migrated database with the real webhook intake (postgres inbox + DBOS)
// and an in-process executor that can be stopped and started again, so a test controls when
// runs execute.
type webhookHarness struct {
	t     *testing.T
	pool  *pgxpool.Pool
	db    *postgres.DB
	defs  []workflow.Definition
	exec  *dbos.Executor
	inbox *billing.Inbox
}

func newWebhookHarness(t *testing.T, dbURL string) *webhookHarness {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db := postgres.NewDB(pool)
	h := &webhookHarness{t: t, pool: pool, db: db,
		defs: []workflow.Definition{billing.EventDefinition(billing.NewProcessor(postgres.NewBillingStore(db)))}}
	h.launch("webhooks-cli-1")
	t.Cleanup(h.stop)
	return h
}

// launch starts an executor (which takes enqueued runs) and an inbox over it.
func (h *webhookHarness) launch(executorID string) {
	h.t.Helper()
	cfg := dbos.Config{ApplicationVersion: bootstrap.DefaultAppVersion, ExecutorID: executorID, Role: "test", MaxConns: 4,
		QueuePollInterval: 20 * time.Millisecond, HeartbeatInterval: 200 * time.Millisecond, Janitor: dbos.JanitorConfig{StaleAfter: time.Second}}
	x, err := dbos.NewExecutor(h.pool, cfg, h.defs, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		h.t.Fatal(err)
	}
	if err := x.Launch(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.exec, h.inbox = x, billing.NewInbox(postgres.NewBillingStore(h.db), x)
}

func (h *webhookHarness) stop() {
	if h.exec != nil {
		_ = h.exec.Shutdown(context.Background())
		h.exec = nil
	}
}

// deliver hands a Stripe event body to the intake, as the webhook endpoint does after verifying it.
func (h *webhookHarness) deliver(ev billing.Event, raw string) billing.Receipt {
	h.t.Helper()
	r, err := h.inbox.Receive(context.Background(), ev, []byte(raw))
	if err != nil {
		h.t.Fatalf("receive %s: %v", ev.ID, err)
	}
	return r
}

// wait waits for run id to end and returns its state.
func (h *webhookHarness) wait(id string) workflow.Status {
	h.t.Helper()
	var st workflow.Status
	waitFor(h.t, "run "+id+" to end", func() bool {
		var err error
		st, err = h.exec.Status(context.Background(), id)
		return err == nil && st.State.Terminal()
	})
	return st
}

// packEventJSON is a Stripe checkout.session.completed event of a paid credit pack, as Stripe
// sends it (the stripe adapter parses it when a stored event is retried).
func packEventJSON(eventID, accountID string, credits int) string {
	return fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2025-08-27.basil","created":%d,"livemode":false,`+
		`"pending_webhooks":1,"type":"checkout.session.completed","data":{"object":{"id":"cs_%s","object":"checkout.session",`+
		`"mode":"payment","status":"complete","payment_status":"paid","client_reference_id":%q,"customer":null,`+
		`"subscription":null,"invoice":null,"metadata":{"account_id":%q,"credits":"%d","kind":"credit_pack"}}}}`,
		eventID, time.Now().Unix(), eventID, accountID, accountID, credits)
}

// createAccount makes an account with this id (and its owner and balance row) appear.
func (h *webhookHarness) createAccount(accountID string) {
	h.t.Helper()
	_, err := h.pool.Exec(context.Background(), `with u as (
		insert into public.users (id, email) values (gen_random_uuid(), 'late-' || $1 || '@example.test') returning id),
	a as (insert into public.accounts (id, owner_id, name) select $1::uuid, id, 'Late' from u returning id)
	insert into public.credit_balances (account_id) select id from a`, accountID)
	if err != nil {
		h.t.Fatal(err)
	}
}

// purchases returns the deltas of the account's purchase entries.
func (h *webhookHarness) purchases(accountID string) []int64 {
	h.t.Helper()
	rows, err := h.pool.Query(context.Background(), `select delta from public.credit_ledger where account_id = $1 and kind = 'purchase'`, accountID)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// TestWebhooksCommand: an event naming an account that does not exist yet fails (a not-found
// error: resource.not-found from the ledger, or the billing store's own code); `webhooks
// list --failed` shows it; `webhooks retry` refuses what must not be retried, and once the
// account exists starts attempt 2, which grants the credits once.
func TestWebhooksCommand(t *testing.T) {
	t.Parallel()
	dbURL := throwawayDatabase(t)
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": dbURL}
	if code, _, stderr := runCapture(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %d\n%s", code, stderr)
	}
	h := newWebhookHarness(t, dbURL)
	const late, fine, account = "evt_cli_late", "evt_cli_fine", "5d0f3c1a-8b7e-4f21-9a3c-2e6b7d8f9a10"
	lateEvent := billing.Event{ID: late, Type: billing.TypeCheckoutCompleted, AccountID: account, ObjectID: "cs_" + late,
		Mode: billing.ModePayment, PaymentStatus: billing.PaymentPaid, Credits: 70}
	h.deliver(lateEvent, packEventJSON(late, account, 70))
	h.deliver(billing.Event{ID: fine, Type: "customer.created"}, `{"id":"evt_cli_fine","object":"event","type":"customer.created"}`)
	if st := h.wait(billing.EventWorkflowID(late)); st.State != workflow.StateFailed || !strings.HasSuffix(st.ErrorCode, ".not-found") {
		t.Fatalf("attempt 1 of %s: %+v", late, st)
	}
	h.wait(billing.EventWorkflowID(fine))
	// Stripe's own redelivery, while the account is still missing, starts attempt 2, which fails
	// too; then the executor stops, so runs started from now on wait.
	if r := h.deliver(lateEvent, packEventJSON(late, account, 70)); !r.NewAttempt || r.Attempt != 2 {
		t.Fatalf("redelivery: %+v", r)
	}
	if st := h.wait(billing.EventAttemptWorkflowID(late, 2)); st.State != workflow.StateFailed {
		t.Fatalf("attempt 2: %+v", st)
	}
	h.stop()

	cli := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runCapture(t, env, append([]string{"webhooks"}, args...)...)
		if code != wantCode {
			t.Fatalf("webhooks %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, stdout, stderr)
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
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "EVENT ") {
		t.Fatalf("list:\n%s", out)
	}
	if row := rowOf(out, fine); !strings.Contains(row, " succeeded ") || !strings.Contains(row, " ignored ") {
		t.Errorf("row of %s: %q", fine, row)
	}
	out, _ = cli(exitOK, "list", "--failed")
	row := rowOf(out, late)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || row == "" {
		t.Fatalf("list --failed:\n%s", out)
	}
	for _, want := range []string{billing.TypeCheckoutCompleted, " 2 ", " failed ", "stripe:evt_cli_late:2", "not-found"} {
		if !strings.Contains(row, want) {
			t.Errorf("failed row lacks %q: %q", want, row)
		}
	}

	if _, stderr := cli(exitRefused, "retry", fine); !strings.Contains(stderr, "already processed") {
		t.Errorf("retry of a processed event: %s", stderr)
	}
	if _, stderr := cli(exitNotFound, "retry", "evt_nobody"); !strings.Contains(stderr, "no webhook event") {
		t.Errorf("retry of an unknown event: %s", stderr)
	}

	h.createAccount(account)
	out, _ = cli(exitOK, "retry", late)
	if !strings.Contains(out, "started attempt 3") || !strings.Contains(out, "stripe:evt_cli_late:3") {
		t.Errorf("retry:\n%s", out)
	}
	// Attempt 3 waits for a worker: a second retry is refused, and so is Stripe's redelivery
	// (a duplicate that starts nothing).
	if _, stderr := cli(exitRefused, "retry", late); !strings.Contains(stderr, "still enqueued or running") {
		t.Errorf("retry while attempt 3 waits: %s", stderr)
	}
	client, err := dbos.NewClient(h.pool, dbos.Config{ApplicationVersion: bootstrap.DefaultAppVersion, ExecutorID: "webhooks-cli-client",
		Role: "test", MaxConns: 2}, h.defs, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Close(context.Background()) }()
	r, err := billing.NewInbox(postgres.NewBillingStore(h.db), client).Receive(context.Background(), lateEvent, []byte(packEventJSON(late, account, 70)))
	if err != nil || r.NewAttempt || r.Attempt != 3 || !r.Duplicate {
		t.Fatalf("redelivery while attempt 3 waits: %+v, %v", r, err)
	}

	h.launch("webhooks-cli-2")
	if st := h.wait(billing.EventAttemptWorkflowID(late, 3)); st.State != workflow.StateSucceeded {
		t.Fatalf("attempt 3: %+v", st)
	}
	if got := h.purchases(account); len(got) != 1 || got[0] != 70 {
		t.Errorf("purchases of the late account: %v, want one of 70", got)
	}
	if out, _ = cli(exitOK, "list", "--failed"); len(strings.Split(strings.TrimSpace(out), "\n")) != 1 {
		t.Errorf("list --failed after the retry:\n%s", out)
	}
	if _, stderr := cli(exitRefused, "retry", late); !strings.Contains(stderr, "already processed") {
		t.Errorf("retry after success: %s", stderr)
	}
	// A late redelivery changes nothing either.
	if r := h.deliver(lateEvent, packEventJSON(late, account, 70)); r.NewAttempt || r.Attempt != 3 {
		t.Errorf("redelivery after success: %+v", r)
	}
	if got := h.purchases(account); len(got) != 1 {
		t.Errorf("purchases after everything: %v", got)
	}
}

func TestWebhooksCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"webhooks"}, {"webhooks", "frobnicate"}, {"webhooks", "retry"}, {"webhooks", "retry", "a", "b"},
		{"webhooks", "retry", "--force"}, {"webhooks", "list", "--limit", "0"}, {"webhooks", "list", "extra"},
		{"webhooks", "list", "--state", "failed"},
	} {
		code, stdout, stderr := runCapture(t, nil, args...)
		if code != exitUsage || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if code, _, _ := runCapture(t, nil, "webhooks", "help"); code != exitOK {
		t.Errorf("webhooks help: exit %d", code)
	}
	if code, stdout, _ := runCapture(t, nil, "help"); code != exitOK || !strings.Contains(stdout, "webhooks") {
		t.Errorf("help does not list webhooks:\n%s", stdout)
	}
	env := map[string]string{"APP_ENV": "test", "DATABASE_URL": "postgres://u:topsecret@127.0.0.1:1/x?sslmode=disable"}
	code, stdout, stderr := runCapture(t, env, "webhooks", "list")
	if code != exitError || strings.Contains(stdout+stderr, "topsecret") {
		t.Errorf("unreachable database: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
