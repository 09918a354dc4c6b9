package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var announced = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/v1) `)

// TestRunServesUntilCancelled starts the command on a free port, reads the base URL it prints,
// makes a call, and stops it as SIGTERM would (its context ends): exit 0, "stopped".
func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-key", "sk-test"}, &stdout, &stderr) }()

	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := announced.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("no address announced: %q %q", stdout.String(), stderr.String())
	}
	resp, raw := post(t, base+"/chat/completions", "Bearer sk-test", `{"model": "gpt-5-nano", "messages": [{"role": "user", "content": "x"}],
		"response_format": {"type": "json_schema", "json_schema": {"name": "n", "strict": true, "schema": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 3}}}}}}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"content":"{\"n\":2}"`) {
		t.Errorf("call: %d %s", resp.StatusCode, raw)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stdout.String(), "fakeopenai: stopped") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	if !strings.Contains(stderr.String(), `"path":"/v1/chat/completions","status":200`) {
		t.Errorf("request not logged: %s", stderr.String())
	}
}

func TestRunRefusesBadUsageAndBusyAddresses(t *testing.T) {
	t.Parallel()
	var out, errs bytes.Buffer
	if code := run(t.Context(), []string{"-nope"}, &out, &errs); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code := run(t.Context(), []string{"extra"}, &out, &errs); code != 2 || !strings.Contains(errs.String(), "unexpected arguments") {
		t.Errorf("argument: exit %d, %q", code, errs.String())
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	errs.Reset()
	if code := run(t.Context(), []string{"-addr", busy.Addr().String()}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "address already in use") {
		t.Errorf("busy address: exit %d, %q", code, errs.String())
	}
}
