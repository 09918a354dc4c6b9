package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// liveProcess is one `oslira` subprocess of the live test.
type liveProcess struct {
	name   string
	signal func(syscall.Signal) error
	exited chan error
	out    *syncBuffer
}

// startHost starts `oslira <command>` with env and waits until its /health reports the
// database (http) or its log says it started (worker).
func startHost(t *testing.T, env map[string]string, command string) *liveProcess {
	t.Helper()
	cmd, stdout, stderr := binaryCmd(t, env, command)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &liveProcess{name: command, exited: make(chan error, 1), out: stdout,
		signal: func(s syscall.Signal) error { return cmd.Process.Signal(s) }}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s\n%s", command, stdout.String(), stderr.String())
		}
	})
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-p.exited:
			t.Fatalf("%s exited before starting: %v\n%s", command, err, stderr.String())
		default:
		}
		up := strings.Contains(stdout.String(), `"oslira started"`)
		if addr := env["HTTP_ADDR"]; command == "http" {
			up = databaseHealthy(client, "http://"+addr+"/health")
		}
		if up {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never started\n%s", command, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wsEvent is the part of a WebSocket message the test reads.
type wsEvent struct {
	Type       string `json:"type"`
	ID         int64  `json:"id"`
	AnalysisID string `json:"analysis_id"`
}

// TestProgressReachesClientsOfEveryHTTPProcess runs a worker and two `oslira http` processes on
// one database (DESIGN §7: the NOTIFY reaches all of them). A WebSocket on process B, opened
// before the analysis is submitted on process A, receives its events live, in order, up to
// analysis.complete; an SSE stream on A for the same analysis ends with the same complete event;
// another account's socket on A receives none of them.
func TestProgressReachesClientsOfEveryHTTPProcess(t *testing.T) {
	t.Parallel()
	base := map[string]string{
		"APP_ENV":          "development",
		"DATABASE_URL":     throwawayDatabase(t),
		"DATA_DIR":         t.TempDir(),
		"SHUTDOWN_TIMEOUT": "5s",
		"CRON_ENABLED":     "false",
	}
	with := func(k, v string) map[string]string {
		env := map[string]string{k: v}
		for key, val := range base {
			env[key] = val
		}
		return env
	}
	worker := startHost(t, with("WORKER_ID", "live-test-worker"), "worker")
	envA, envB := with("HTTP_ADDR", freeAddr(t)), with("HTTP_ADDR", freeAddr(t))
	httpA, httpB := startHost(t, envA, "http"), startHost(t, envB, "http")
	a, b := "http://"+envA["HTTP_ADDR"], "http://"+envB["HTTP_ADDR"]

	mint := func(email string) string {
		t.Helper()
		cmd, out, errOut := binaryCmd(t, base, "token", "--email", email)
		if err := cmd.Run(); err != nil {
			t.Fatalf("oslira token: %v\n%s", err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	owner, stranger := mint("live-owner@example.com"), mint("live-stranger@example.com")
	call := func(base, method, path, token, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var v map[string]any
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return v
	}
	call(a, "GET", "/v1/me", stranger, "")
	profile, _ := call(a, "POST", "/v1/business-profiles", owner, `{"business_name":"Live Co"}`)["id"].(string)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dial := func(base, token string) *websocket.Conn {
		t.Helper()
		c, _, err := websocket.Dial(ctx, strings.Replace(base, "http://", "ws://", 1)+"/v1/events",
			&websocket.DialOptions{Subprotocols: []string{"bearer", token}})
		if err != nil {
			t.Fatalf("dial %s: %v", base, err)
		}
		t.Cleanup(func() { _ = c.CloseNow() })
		if _, msg, err := c.Read(ctx); err != nil || !strings.Contains(string(msg), `"ready"`) {
			t.Fatalf("no ready message from %s: %s %v", base, msg, err)
		}
		return c
	}
	onB, strangerOnA := dial(b, owner), dial(a, stranger)

	analysis, _ := call(a, "POST", "/v1/analyses", owner,
		`{"username":"lumen.coffee","business_profile_id":"`+profile+`","type":"deep"}`)["id"].(string)

	var seen []wsEvent
	for len(seen) == 0 || seen[len(seen)-1].Type != "analysis.complete" {
		_, msg, err := onB.Read(ctx)
		if err != nil {
			t.Fatalf("process B's socket after %d events: %v", len(seen), err)
		}
		var e wsEvent
		if json.Unmarshal(msg, &e) != nil || !strings.HasPrefix(e.Type, "analysis.") {
			continue
		}
		if e.AnalysisID != analysis || (len(seen) > 0 && e.ID <= seen[len(seen)-1].ID) {
			t.Fatalf("unexpected or out-of-order event %+v after %+v", e, seen)
		}
		seen = append(seen, e)
	}
	if len(seen) < 4 {
		t.Errorf("process B saw %d events, want every step: %+v", len(seen), seen)
	}

	// SSE on process A: a replay of the same events, closed after the terminal one.
	req, _ := http.NewRequestWithContext(ctx, "GET", a+"/v1/analyses/"+analysis+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+owner)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("SSE on A: %v %v", resp, err)
	}
	var ids []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			ids = append(ids, id)
		}
	}
	_ = resp.Body.Close()
	if len(ids) != len(seen) || ids[len(ids)-1] != jsonNumber(seen[len(seen)-1].ID) {
		t.Errorf("SSE on A gave ids %v, the socket on B %+v", ids, seen)
	}

	// The stranger's socket on A got nothing of it.
	quiet, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	defer stop()
	if _, msg, err := strangerOnA.Read(quiet); err == nil {
		t.Errorf("another account's socket received %s", msg)
	}

	for _, p := range []*liveProcess{httpA, httpB, worker} {
		if err := p.signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := <-p.exited; err != nil {
			t.Errorf("%s exit after SIGTERM with open sockets: %v (want 0)", p.name, err)
		}
	}
}

func jsonNumber(n int64) string {
	raw, _ := json.Marshal(n)
	return string(raw)
}
