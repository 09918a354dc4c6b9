// Command loadgen is `make bench`: it measures the hottest read, GET /v1/credits/balance, and the
// analysis submit, POST /v1/analyses, against a floor, then end-to-end analyses per second.
//
//	loadgen bench  -oslira .bin/oslira   # the whole comparison (what `make bench` runs)
//	loadgen bench  -phases e2e -e2e 50/50/20ms/20 -e2e-n 1000   # one phase, one queue configuration
//	loadgen floor  -addr :9090           # only the floor server: net/http + pgx, same query, no auth
//
// The bench starts `oslira serve` and the floor as subprocesses on a private database, provisions
// accounts, then for each target runs (1) an open-loop phase at a fixed rate — requests are sent on
// a schedule and latency is measured from the scheduled instant, so a stall is not hidden by the
// generator waiting (coordinated omission) — and (2) a closed-loop phase with a fixed number of
// workers for maximum throughput. It prints p50/p95/p99 and throughput of both and their ratio.
// The submit phase does the same for POST /v1/analyses on an `oslira http` process (each request
// a new handle; the runs stay queued). The end-to-end phase runs `oslira serve` on a second
// database with the scraper on an in-process apifytest server (no latency) and the offline
// analyzer, submits bulk batches and times them from the first submit to the last completion,
// once per queue configuration, printing where the time went. Rate limits are off throughout.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen bench|floor [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "bench":
		err = runBench(ctx, os.Args[2:])
	case "floor":
		err = runFloor(ctx, os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "loadgen: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}
