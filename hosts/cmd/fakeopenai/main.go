// Command fakeopenai is a local stand-in for OpenAI's Chat Completions API, so a developer can run
// `make run` with OPENAI_API_KEY set and see the OpenAI adapter at work (requests, parameters,
// usage, costs in ai_usage) without a real key or network:
//
//	go run ./hosts/cmd/fakeopenai -addr 127.0.0.1:8091        # in one terminal
//	OPENAI_API_KEY=sk-fake OPENAI_BASE_URL=http://127.0.0.1:8091/v1 make run   # in another
//
// Every POST /v1/chat/completions with a strict json_schema response format is answered with a
// deterministic document conforming to that schema (texts say "Fake OpenAI answer (<model>) for
// <field>."), the requested model, finish_reason "stop" and a usage estimated at four characters
// per token. It refuses what OpenAI refuses (missing key, malformed body, max_tokens or a
// temperature on GPT-5/o-series models, reasoning_effort on older ones) with OpenAI's error
// envelope, and logs one JSON line per request on stderr. SIGINT or SIGTERM stops it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/oslira/oslira/hosts/cmd/internal/fakeserve"
)

// DefaultAddr is where the fake listens unless -addr says otherwise.
const DefaultAddr = "127.0.0.1:8091"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx ends. Exit codes: 0 stopped, 1 cannot listen or serve, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakeopenai", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", DefaultAddr, "listen address (port 0 picks a free one)")
	key := fs.String("key", "", "the only API key accepted (default: any non-empty bearer token)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "fakeopenai: unexpected arguments %v\n", fs.Args())
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "fakeopenai: %v\n", err)
		return 1
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil)).With("component", "fakeopenai")
	srv := &http.Server{
		Handler:           &server{key: *key, log: log, now: time.Now},
		ReadHeaderTimeout: 10 * time.Second,
	}
	_, _ = fmt.Fprintf(stdout, "fakeopenai: serving OpenAI Chat Completions at http://%s/v1 (set OPENAI_BASE_URL to it)\n", ln.Addr())

	return fakeserve.Serve(ctx, "fakeopenai", srv, ln, stdout, stderr)
}
