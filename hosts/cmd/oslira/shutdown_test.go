package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryExitsOneWhenADrainCutsRequestsOff is README's shutdown contract, by machine: a
// request still running when SHUTDOWN_TIMEOUT passes (a webhook whose body never finishes) is
// cut off and logged as such, not as the client's 400 request.invalid, and `oslira serve` exits
// 1 naming it. (TestBinaryServeDrainsOnSIGTERM checks exit 0 after a clean drain.)
func TestBinaryExitsOneWhenADrainCutsRequestsOff(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	env := map[string]string{
		"APP_ENV": "development", "DATABASE_URL": throwawayDatabase(t), "HTTP_ADDR": addr, "DATA_DIR": t.TempDir(),
		"SHUTDOWN_TIMEOUT": "1s", "STRIPE_WEBHOOK_SECRET": binaryWhsec,
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
	client := &http.Client{Timeout: 5 * time.Second}
	waitFor(t, "serve to become healthy", func() bool { return databaseHealthy(client, "http://"+addr+"/health") })

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := fmt.Fprint(conn, "POST /v1/webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Stripe-Signature: t=1,v1=00\r\nContent-Length: 1000\r\n\r\n{\"id\":"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the handler start reading the body
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = <-exited
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, dump())
	}
	if !strings.Contains(stderr.String(), "cut off by shutdown") {
		t.Errorf("stderr does not say requests were cut off:\n%s", dump())
	}
	out := stdout.String()
	if !strings.Contains(out, `"msg":"http request cut off by shutdown"`) || !strings.Contains(out, `"route":"/v1/webhooks/stripe"`) {
		t.Errorf("no cut-off line for the webhook request:\n%s", dump())
	}
	if strings.Contains(out, `"code":"request.invalid"`) || strings.Contains(out, `"status":400`) {
		t.Errorf("the cut-off request was logged as a client error:\n%s", dump())
	}
}
