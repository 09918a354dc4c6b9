package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
)

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

// TestMain removes the binary built by the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binary builds the oslira binary once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "oslira-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "oslira")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// binaryCmd returns the binary with exactly env (nothing inherited from the test process, so a
// developer's own DATABASE_URL or AWS settings cannot leak in).
func binaryCmd(t *testing.T, env map[string]string, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

// TestBinaryServeDrainsOnSIGTERM runs `oslira serve` against a throwaway database, waits until
// /health reports the database healthy, sends SIGTERM and expects exit status 0.
func TestBinaryServeDrainsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dbURL := throwawayDatabase(t)
	addr := freeAddr(t)
	env := map[string]string{
		"APP_ENV":          "development",
		"DATABASE_URL":     dbURL,
		"HTTP_ADDR":        addr,
		"DATA_DIR":         t.TempDir(),
		"SHUTDOWN_TIMEOUT": "10s",
		// Billing: the webhook secret only; checkouts answer 503 without the API key.
		"STRIPE_WEBHOOK_SECRET": binaryWhsec,
	}
	cmd, stdout, stderr := binaryCmd(t, env, "serve")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			t.Logf("killed serve: %v", <-exited)
		}
	})
	dump := func() string { return "stdout:\n" + stdout.String() + "\nstderr:\n" + stderr.String() }
	t.Cleanup(func() { // whatever failed, the server's own account of it
		if t.Failed() {
			t.Logf("serve output:\n%s", dump())
		}
	})

	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second) // hang guard: covers migrations on a cold database
	for {
		select {
		case err := <-exited:
			t.Fatalf("serve exited before becoming healthy: %v\n%s", err, dump())
		default:
		}
		if databaseHealthy(client, "http://"+addr+"/health") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/health never reported the database ok\n%s", dump())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "Oslira is running at http://localhost:") {
		t.Errorf("no URL line in development:\n%s", stdout.String())
	}
	checkAcceptance(t, client, "http://"+addr, env)
	checkWebhookAcceptance(t, client, "http://"+addr, env)
	checkDemoWalkthrough(t, client, "http://"+addr, stdout.String())

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err != nil {
		t.Fatalf("exit after SIGTERM: %v (want status 0)\n%s", err, dump())
	}
	for _, line := range []string{"http server stopped", "worker stopped", "cron stopped", `"oslira stopped"`} {
		if !strings.Contains(stdout.String(), line) {
			t.Errorf("no %q line:\n%s", line, dump())
		}
	}
}

// checkAcceptance is issue 3's acceptance, by machine: a token from `oslira token` (same DATA_DIR,
// so the same generated secret as the server) gets /v1/me with 25 credits and a ledger with the
// signup bonus; a forged and an expired token get 401 problem+json.
func checkAcceptance(t *testing.T, client *http.Client, base string, env map[string]string) {
	t.Helper()
	mint := func(args ...string) string {
		t.Helper()
		cmd, out, errOut := binaryCmd(t, env, append([]string{"token", "--email", "you@example.com"}, args...)...)
		if err := cmd.Run(); err != nil {
			t.Fatalf("oslira token: %v\n%s", err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	get := func(path, token string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	token := mint()
	if code, body, _ := get("/v1/me", token); code != 200 || !strings.Contains(body, `"balance":25`) || !strings.Contains(body, `"email":"you@example.com"`) {
		t.Errorf("/v1/me: %d %s", code, body)
	}
	if code, body, _ := get("/v1/credits/transactions", token); code != 200 || !strings.Contains(body, `"kind":"signup_bonus"`) {
		t.Errorf("/v1/credits/transactions: %d %s", code, body)
	}
	sig := strings.LastIndex(token, ".") + 5
	forged := token[:sig] + map[bool]string{true: "B", false: "A"}[token[sig] == 'A'] + token[sig+1:]
	for name, tok := range map[string]string{"forged": forged, "expired": mint("--ttl", "-1m")} {
		code, body, h := get("/v1/me", tok)
		if code != 401 || h.Get("Content-Type") != "application/problem+json" || !strings.Contains(h.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("%s token: %d %s %v", name, code, body, h)
		}
	}
}

// binaryWhsec is the webhook signing secret the serve test configures.
const binaryWhsec = "whsec_binary_test_secret"

// checkWebhookAcceptance is issue 4's acceptance, by machine, against `oslira serve`: a webhook
// signed with the configured secret grants its credits once however often it is replayed (the
// worker inside serve processes it), a tampered one gets 400, and checkout without a Stripe key
// is 503 billing.not-configured.
func checkWebhookAcceptance(t *testing.T, client *http.Client, base string, env map[string]string) {
	t.Helper()
	cmd, out, errOut := binaryCmd(t, env, "token", "--email", "payer@example.com")
	if err := cmd.Run(); err != nil {
		t.Fatalf("oslira token: %v\n%s", err, errOut.String())
	}
	token := strings.TrimSpace(out.String())
	call := func(method, path, body string, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	bearer := map[string]string{"Authorization": "Bearer " + token}
	_, me := call(http.MethodGet, "/v1/me", "", bearer)
	var profile struct {
		Account struct{ ID string } `json:"account"`
	}
	if err := json.Unmarshal([]byte(me), &profile); err != nil || profile.Account.ID == "" {
		t.Fatalf("/v1/me: %s", me)
	}
	body := fmt.Sprintf(`{"id":"evt_binary_1","object":"event","api_version":"2025-08-27.basil","created":%d,"livemode":false,`+
		`"type":"checkout.session.completed","data":{"object":{"id":"cs_binary_1","object":"checkout.session","mode":"payment",`+
		`"payment_status":"paid","client_reference_id":%q,"customer":null,"metadata":{"account_id":%q,"credits":"100"}}}}`,
		time.Now().Unix(), profile.Account.ID, profile.Account.ID)
	sign := func(payload string) map[string]string {
		h := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: binaryWhsec, Timestamp: time.Now()}).Header
		return map[string]string{"Stripe-Signature": h}
	}
	for i := range 3 {
		if code, resp := call(http.MethodPost, "/v1/webhooks/stripe", body, sign(body)); code != 200 || !strings.Contains(resp, `"received":true`) {
			t.Fatalf("delivery %d: %d %s", i, code, resp)
		}
	}
	tampered := strings.Replace(body, `"credits":"100"`, `"credits":"9000"`, 1)
	if code, resp := call(http.MethodPost, "/v1/webhooks/stripe", tampered, sign(body)); code != 400 || !strings.Contains(resp, "billing.webhook-signature") {
		t.Errorf("tampered delivery: %d %s", code, resp)
	}
	waitFor(t, "the webhook's credits", func() bool {
		_, b := call(http.MethodGet, "/v1/credits/balance", "", bearer)
		return strings.Contains(b, `"balance":125`)
	})
	if code, b := call(http.MethodPost, "/v1/webhooks/stripe", body, sign(body)); code != 200 || !strings.Contains(b, `"duplicate":true`) {
		t.Errorf("replay after processing: %d %s", code, b)
	}
	_, tx := call(http.MethodGet, "/v1/credits/transactions?kind=purchase", "", bearer)
	if strings.Count(tx, `"kind":"purchase"`) != 1 {
		t.Errorf("purchase entries: %s", tx)
	}
	if code, b := call(http.MethodPost, "/v1/billing/checkout", `{"credits": 100}`, bearer); code != 503 || !strings.Contains(b, "billing.not-configured") {
		t.Errorf("checkout without a Stripe key: %d %s", code, b)
	}
}

// databaseHealthy reports whether /health answers 200 with the database check ok.
func databaseHealthy(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	defer func() { _ = resp.Body.Close() }()
	var report struct {
		Status string `json:"status"`
		Checks []struct {
			Name, Status string
		} `json:"checks"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&report) != nil {
		return false
	}
	for _, c := range report.Checks {
		if c.Name == "database" {
			return c.Status == "ok"
		}
	}
	return false
}

// TestBinaryProductionNeedsConfiguration: `APP_ENV=production oslira http` with nothing else set
// exits non-zero and names every missing variable.
func TestBinaryProductionNeedsConfiguration(t *testing.T) {
	t.Parallel()
	cmd, stdout, stderr := binaryCmd(t, map[string]string{"APP_ENV": "production"}, "http")
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	for _, name := range []string{"DATABASE_URL", "CORS_ALLOWED_ORIGINS", "SECRETS_SOURCE", "AWS_REGION"} {
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("stderr does not name %s:\n%s", name, stderr.String())
		}
	}
	if stdout.String() != "" {
		t.Errorf("unexpected stdout: %s", stdout.String())
	}
}

// TestBinaryUnknownCommand exits 2 with the usage text.
func TestBinaryUnknownCommand(t *testing.T) {
	t.Parallel()
	cmd, _, stderr := binaryCmd(t, nil, "frobnicate")
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 || !strings.Contains(stderr.String(), "Usage:\n  oslira") {
		t.Fatalf("exit: %v, stderr:\n%s", err, stderr.String())
	}
}
