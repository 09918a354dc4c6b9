package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/apify"
	"github.com/oslira/oslira/adapters/httpclient"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/secret"
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

type secrets map[string]string

func (s secrets) Get(_ context.Context, name string) (string, error) {
	if v, ok := s[name]; ok {
		return v, nil
	}
	return "", secret.ErrNotFound
}

var announced = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/v2) `)

// TestRunServesTheAdapterUntilCancelled starts the command on a free port with the flags a
// developer would use, scrapes through the real adapter (a generated profile, a not-found and a
// private username, a failing one), checks the per-request log lines, and stops it as SIGTERM
// would: exit 0, "stopped".
func TestRunServesTheAdapterUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "tok", "-latency", "1ms",
			"-not-found", "ghost, nobody", "-private", "shy", "-fail", "broken", "-fail-status", "429"}, &stdout, &stderr)
	}()
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
	cfg := apify.Config{BaseURL: base}
	client, err := apify.NewHTTPClient(cfg, httpclient.Config{NoRetries: true})
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := apify.New(cfg, client, secrets{apify.TokenSecret: "tok"}, nil)
	for _, tc := range []struct {
		username string
		want     lead.Outcome
		err      error
	}{
		{"acme.studio", lead.Found, nil}, {"nobody", lead.NotFound, nil}, {"shy", lead.Private, nil},
		{"broken", "", lead.ErrScraperRateLimited},
	} {
		r, err := sc.Scrape(t.Context(), tc.username)
		if r.Outcome != tc.want || !errors.Is(err, tc.err) || (tc.want == lead.Found && len(r.Profile.RecentPosts) == 0) {
			t.Errorf("%s: %+v, %v", tc.username, r, err)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stdout.String(), "fakeapify: stopped") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	logs := stderr.String()
	for _, want := range []string{`"status":201,"usernames":["acme.studio"]`, `"status":201,"usernames":["nobody"]`, `"status":429,"usernames":["broken"]`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s: %s", want, logs)
		}
	}
	if n := strings.Count(logs, `"msg":"request"`); n != 4 {
		t.Errorf("%d request lines, want 4: %s", n, logs)
	}
}

func TestRunRefusesBadUsageAndBusyAddresses(t *testing.T) {
	t.Parallel()
	var out, errs bytes.Buffer
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-latency", "-1s"}, {"-fail-status", "200"}} {
		if code := run(t.Context(), args, &out, &errs); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
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
