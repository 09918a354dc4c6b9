// Command fakeapify is a local stand-in for Apify's API serving the Instagram profile scraper
// (adapters/apify/apifytest), so a developer can run `make run` with APIFY_API_TOKEN set and see
// the Apify adapter, the profile cache and the analyses at work on any handle, without a real
// token or network:
//
//	go run ./hosts/cmd/fakeapify -addr 127.0.0.1:8092 -latency 2s                     # in one terminal
//	APIFY_API_TOKEN=x APIFY_BASE_URL=http://127.0.0.1:8092/v2 make run              # in another
//
// Every username gets a generated, deterministic public profile (followers, up to 12 posts with
// likes, comments, hashtags and timestamps derived from the username, so scores differ);
// -not-found, -private, -fail and -async name usernames that are answered as not found, private,
// with an error (-fail-status) or through the 408 → run → poll → dataset path. Each request waits
// -latency first and is logged as one JSON line on stderr. SIGINT or SIGTERM stops it.
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
	"strings"
	"syscall"
	"time"

	"github.com/oslira/oslira/adapters/apify/apifytest"
	"github.com/oslira/oslira/hosts/cmd/internal/fakeserve"
)

// DefaultAddr is where the fake listens unless -addr says otherwise.
const DefaultAddr = "127.0.0.1:8092"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx ends. Exit codes: 0 stopped, 1 cannot listen or serve, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakeapify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", DefaultAddr, "listen address (port 0 picks a free one)")
	latency := fs.Duration("latency", 0, "wait before answering each request (a real run takes 5–20s)")
	token := fs.String("token", "", "the only API token accepted (default: any non-empty bearer token)")
	notFound := fs.String("not-found", "", "comma-separated usernames answered as not found")
	private := fs.String("private", "", "comma-separated usernames answered as private profiles")
	fail := fs.String("fail", "", "comma-separated usernames answered with an error (-fail-status)")
	failStatus := fs.Int("fail-status", http.StatusInternalServerError, "HTTP status of the -fail usernames' answers")
	async := fs.String("async", "", "comma-separated usernames whose sync run answers 408, so the adapter polls a run")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		_, _ = fmt.Fprintf(stderr, "fakeapify: unexpected arguments %v\n", fs.Args())
		return 2
	}
	if *latency < 0 || *failStatus < 400 || *failStatus > 599 {
		_, _ = fmt.Fprintln(stderr, "fakeapify: -latency must not be negative and -fail-status must be 400–599")
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "fakeapify: %v\n", err)
		return 1
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil)).With("component", "fakeapify")
	fake := apifytest.New(apifytest.Options{
		Latency: *latency, Token: *token, NotFound: list(*notFound), Private: list(*private),
		Fail: list(*fail), FailStatus: *failStatus, Async: list(*async),
		OnRequest: func(e apifytest.Event) {
			log.Info("request", "method", e.Method, "path", e.Path, "status", e.Status,
				"usernames", e.Usernames, "duration_ms", float64(e.Duration.Microseconds())/1000)
		},
	})
	// Requests inherit ctx, so a stop ends their -latency wait at once (answered 503).
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	_, _ = fmt.Fprintf(stdout, "fakeapify: serving Apify's API at http://%s/v2 (set APIFY_BASE_URL to it, and any APIFY_API_TOKEN)\n", ln.Addr())

	return fakeserve.Serve(ctx, "fakeapify", srv, ln, stdout, stderr)
}

// list splits a comma-separated flag, dropping empty entries.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
