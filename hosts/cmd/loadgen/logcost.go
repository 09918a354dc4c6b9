package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// logCostRounds is how many alternating rounds the logcost phase runs per log level.
const logCostRounds = 10

// runLogCost is the logcost phase: what the default logging costs on the balance route. Two
// `oslira http` processes on the bench database, one at LOG_LEVEL=info (an access log line per
// request) and one at LOG_LEVEL=warn (none), are loaded in alternating closed-loop rounds
// (info, warn, warn, info, info, warn, …, each duration/3 long), so the load of a shared machine drifting
// during the run falls on both alike; the cost is 1 − info/warn of the summed throughputs.
func runLogCost(ctx context.Context, f benchFlags, dsn, secret string, tokens []string) ([]result, error) {
	levels := []string{"info", "warn"}
	targets := make([]target, len(levels))
	for i, lvl := range levels {
		addr := freeAddr()
		p, err := start(ctx, f.oslira, []string{"http"}, benchEnv(dsn, addr, secret, "LOG_LEVEL="+lvl))
		if err != nil {
			return nil, err
		}
		defer stopProcess(p)
		if err := waitHealthy(ctx, "http://"+addr+"/health/ready", 60*time.Second); err != nil {
			return nil, fmt.Errorf("oslira http (LOG_LEVEL=%s): %w", lvl, err)
		}
		targets[i] = target{name: "LOG_LEVEL=" + lvl, request: func(i int) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/credits/balance", nil)
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+tokens[i])
			}
			return req, err
		}}
		closedLoop(ctx, targets[i], f.users, f.workers, f.warmup)
	}
	round := max(f.duration/3, time.Second)
	sums := make([]result, len(levels))
	for n := range logCostRounds {
		for j := range targets {
			i := j
			if n%2 == 1 { // info, warn, then warn, info: neither always runs first
				i = len(targets) - 1 - j
			}
			r := closedLoop(ctx, targets[i], f.users, f.workers, round)
			sums[i].phase = r.phase
			sums[i].sent += r.sent
			sums[i].ok += r.ok
			sums[i].errors += r.errors
			sums[i].elapsed += r.elapsed
			if sums[i].firstStatus == 0 {
				sums[i].firstStatus = r.firstStatus
			}
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	info, warn := sums[0].throughput(), sums[1].throughput()
	fmt.Printf("logging cost on GET /v1/credits/balance (%d alternating closed-loop rounds of %s each, %d workers):\n",
		logCostRounds, round, f.workers)
	fmt.Printf("  LOG_LEVEL=info %.0f req/s, LOG_LEVEL=warn %.0f req/s: the access log costs %.1f%% (target < 5%%)\n\n",
		info, warn, 100*(1-info/warn))
	return sums, nil
}
