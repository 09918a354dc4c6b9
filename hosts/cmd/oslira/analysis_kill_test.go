package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/apify/apifytest"
)

// Kill test parameters: 50 handles, 5 of them unknown to the scraper; at least 20 kill -9s of
// the process running the batch, each after a random 0.2–1.0 s of work.
const (
	killHandles  = 50
	killNotFound = 5
	killRounds   = 20
	killLatency  = 400 * time.Millisecond // per Apify request: analyses stay in flight long enough to be hit
)

// serveProcess is one `oslira serve` subprocess of the kill test.
type serveProcess struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan error
}

func startServe(t *testing.T, env map[string]string) *serveProcess {
	t.Helper()
	cmd, stdout, stderr := binaryCmd(t, env, "serve")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, out: stdout, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for !databaseHealthy(client, "http://"+env["HTTP_ADDR"]+"/health") {
		select {
		case err := <-p.exited:
			t.Fatalf("serve exited before becoming healthy: %v\n%s\n%s", err, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never became healthy\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// kill9 kills the process without warning (SIGKILL: no drain, no executor release).
func (p *serveProcess) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// TestBulkBatchSurvivesRepeatedKill9 is issue 11's crash test: a bulk batch of 50 light
// analyses (5 of the handles unknown to the scraper) is submitted to `oslira serve`, whose
// process is then killed with SIGKILL at least 20 times mid-work and restarted under the same
// WORKER_ID (the restarted executor recovers the runs its predecessor left). When the last
// process has finished the batch: every analysis is completed — 45 scored, 5 not found and
// refunded — each was debited exactly once, only the 5 were refunded, exactly once, the balance
// is what that arithmetic says, and some runs were really interrupted (recovered at least once).
func TestBulkBatchSurvivesRepeatedKill9(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the kill -9 test takes about a minute")
	}
	handles := make([]string, killHandles)
	for i := range handles {
		handles[i] = fmt.Sprintf("kill.lead.%02d", i)
	}
	missing := handles[:killNotFound]
	fake := apifytest.New(apifytest.Options{Latency: killLatency, NotFound: missing}).Start()
	t.Cleanup(fake.Close)

	dbURL := throwawayDatabase(t)
	env := map[string]string{
		"APP_ENV":          "development",
		"DATABASE_URL":     dbURL,
		"HTTP_ADDR":        freeAddr(t),
		"DATA_DIR":         t.TempDir(),
		"WORKER_ID":        "kill-test-worker",
		"CRON_ENABLED":     "false",
		"APIFY_API_TOKEN":  "apify_api_kill_test",
		"APIFY_BASE_URL":   fake.URL(),
		"SHUTDOWN_TIMEOUT": "5s",
	}
	base := "http://" + env["HTTP_ADDR"]
	p := startServe(t, env)

	// A user with 100 credits on the agency plan (bulk limit 250) and a business profile.
	cmd, out, errOut := binaryCmd(t, env, "token", "--email", "bulk@example.com")
	if err := cmd.Run(); err != nil {
		t.Fatalf("oslira token: %v\n%s", err, errOut.String())
	}
	token := strings.TrimSpace(out.String())
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		raw, _ := io.ReadAll(resp.Body)
		var v map[string]any
		_ = json.Unmarshal(raw, &v)
		return resp.StatusCode, v
	}
	if code, me := call("GET", "/v1/me", ""); code != 200 {
		t.Fatalf("/v1/me: %d %v", code, me)
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var account string
	if err := pool.QueryRow(ctx, `select account_id::text from public.account_members m
		join public.users u on u.id = m.user_id where u.email = 'bulk@example.com'`).Scan(&account); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `select app.apply_credit($1, 'admin_grant', 75, 'kill-test', 'kill test', null)`, account); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `insert into public.subscriptions (account_id, plan, status, stripe_subscription_id, stripe_updated_at)
		values ($1, 'agency', 'active', 'sub_kill_test', now())`, account); err != nil {
		t.Fatal(err)
	}
	code, prof := call("POST", "/v1/business-profiles", `{"business_name":"Kill Test Co"}`)
	profileID, _ := prof["id"].(string)
	if code != 201 || profileID == "" {
		t.Fatalf("business profile: %d %v", code, prof)
	}
	names, _ := json.Marshal(handles)
	code, bulk := call("POST", "/v1/analyses/bulk", `{"usernames":`+string(names)+`,"business_profile_id":"`+profileID+`","type":"light"}`)
	if code != 202 {
		t.Fatalf("bulk: %d %v", code, bulk)
	}

	// Kill, restart, repeat: each process works for 0.2–1.0 s after it is up.
	unfinished := func() int {
		var n int
		if err := pool.QueryRow(ctx, `select count(*) from public.analyses where account_id = $1
			and status in ('pending', 'running')`, account).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	kills, midWork := 0, 0
	for kills < killRounds {
		time.Sleep(time.Duration(200+rand.IntN(800)) * time.Millisecond)
		if unfinished() > 0 {
			midWork++
		}
		p.kill9(t)
		kills++
		p = startServe(t, env)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for unfinished() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d analyses still unfinished after the last restart\n%s", unfinished(), p.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	t.Logf("%d kills, %d of them with analyses in flight", kills, midWork)
	if midWork < killRounds/2 {
		t.Errorf("only %d of %d kills hit the batch in flight: the test did not test crashes", midWork, kills)
	}

	// The outcome, the ledger and the balance.
	var scored, notFound, refundedScored, other int
	rows, err := pool.Query(ctx, `select a.username, a.status, coalesce(a.outcome, ''), a.refunded,
		(select count(*) from public.credit_ledger l where l.account_id = a.account_id and l.kind = 'analysis_debit' and l.reference = 'analysis:' || a.id),
		(select count(*) from public.credit_ledger l where l.account_id = a.account_id and l.kind = 'analysis_refund' and l.reference = 'analysis:' || a.id)
		from public.analyses a where a.account_id = $1`, account)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var (
			user, status, outcome string
			refunded              bool
			debits, refunds       int
		)
		if err := rows.Scan(&user, &status, &outcome, &refunded, &debits, &refunds); err != nil {
			t.Fatal(err)
		}
		n++
		isMissing := strings.Compare(user, missing[len(missing)-1]) <= 0
		switch {
		case debits != 1:
			t.Errorf("%s: %d debits, want 1", user, debits)
		case status == "completed" && outcome == "scored" && !isMissing && refunds == 0 && !refunded:
			scored++
		case status == "completed" && outcome == "not_found" && isMissing && refunds == 1 && refunded:
			notFound++
		default:
			other++
			t.Errorf("%s: %s/%s refunded=%v with %d refunds", user, status, outcome, refunded, refunds)
		}
		if outcome == "scored" && refunds > 0 {
			refundedScored++
		}
	}
	if n != killHandles || scored != killHandles-killNotFound || notFound != killNotFound || other != 0 || refundedScored != 0 {
		t.Errorf("%d analyses: %d scored, %d not found and refunded, %d otherwise; want 45 and 5", n, scored, notFound, other)
	}
	var balance int64
	if err := pool.QueryRow(ctx, `select balance from public.credit_balances where account_id = $1`, account).Scan(&balance); err != nil {
		t.Fatal(err)
	}
	if want := int64(25 + 75 - (killHandles - killNotFound)); balance != want {
		t.Errorf("balance %d, want %d (100 − 45 scored light analyses)", balance, want)
	}
	var recovered int
	if err := pool.QueryRow(ctx, `select count(*) from dbos.workflow_status
		where name = 'analysis.v1' and recovery_attempts > 1`).Scan(&recovered); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d analysis runs were recovered after a kill", recovered)
	if recovered == 0 {
		t.Errorf("no analysis run was ever recovered: the kills never interrupted one")
	}
}
