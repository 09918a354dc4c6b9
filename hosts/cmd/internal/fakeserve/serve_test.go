package fakeserve_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/hosts/cmd/internal/fakeserve"
)

func TestServeAnswersUntilCancelledThenStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }),
		ReadHeaderTimeout: time.Second}
	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- fakeserve.Serve(ctx, "fake", srv, ln, &stdout, &stderr) }()
	resp, err := http.Get("http://" + ln.Addr().String())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	cancel()
	if c := <-code; c != 0 || stdout.String() != "fake: stopped\n" || stderr.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", c, stdout.String(), stderr.String())
	}
}

func TestServeReportsAFailedServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = ln.Close() // Serve fails at once on a closed listener
	var stdout, stderr bytes.Buffer
	c := fakeserve.Serve(context.Background(), "fake", &http.Server{ReadHeaderTimeout: time.Second}, ln, &stdout, &stderr)
	if c != 1 || !strings.HasPrefix(stderr.String(), "fake: ") || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", c, stdout.String(), stderr.String())
	}
}
