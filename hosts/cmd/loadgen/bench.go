package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/adapters/jwt"
)

type benchFlags struct {
	oslira      string
	maintenance string
	users       int
	rate        int
	conns       int
	workers     int
	duration    time.Duration
	warmup      time.Duration
	phases      string
	submitRate  int
	e2eN        int
	e2e         string
	idle        int
	logLevel    string
}

func runBench(ctx context.Context, args []string) error {
	var f benchFlags
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&f.oslira, "oslira", ".bin/oslira", "path of the oslira binary")
	fs.StringVar(&f.maintenance, "database", envOr("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "maintenance DSN (a bench database is created next to it)")
	fs.IntVar(&f.users, "users", 50, "distinct accounts")
	fs.IntVar(&f.rate, "rate", 500, "open-loop request rate per second")
	fs.IntVar(&f.conns, "conns", 64, "max connections/in-flight requests in the open loop")
	fs.IntVar(&f.workers, "workers", 16, "closed-loop workers")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "length of each measured phase")
	fs.DurationVar(&f.warmup, "warmup", 2*time.Second, "closed-loop warm-up before measuring each target")
	fs.StringVar(&f.phases, "phases", "balance,logcost,submit,e2e,live", "phases to run: balance (GET /v1/credits/balance), submit (POST /v1/analyses), e2e (analyses per second), live (progress latency and idle WebSockets), logcost (the access log's cost: LOG_LEVEL info vs warn in alternating rounds)")
	fs.StringVar(&f.logLevel, "log-level", "info", "LOG_LEVEL of the serve process of the balance phase: run once with info and once with warn to see what the access log costs")
	fs.IntVar(&f.idle, "idle", 10000, "idle WebSockets the live phase opens")
	fs.IntVar(&f.submitRate, "submit-rate", 100, "open-loop rate of POST /v1/analyses per second")
	fs.IntVar(&f.e2eN, "e2e-n", 500, "light analyses per end-to-end configuration")
	fs.StringVar(&f.e2e, "e2e", "10/3/200ms/10,50/50/20ms/20",
		"end-to-end configurations, comma-separated: ANALYSIS_CONCURRENCY/ANALYSIS_ACCOUNT_CONCURRENCY/ANALYSIS_POLL_INTERVAL/DATABASE_MAX_CONNS")
	if err := fs.Parse(args); err != nil {
		return err
	}
	phase := map[string]bool{}
	for _, p := range strings.Split(f.phases, ",") {
		phase[strings.TrimSpace(p)] = true
	}
	configs, err := parseE2E(f.e2e)
	if err != nil {
		return err
	}

	dsn, drop, err := benchDatabase(ctx, f.maintenance, "")
	if err != nil {
		return err
	}
	defer drop()

	secret := strings.Repeat("b", 48) // a throwaway HS256 secret shared by server and generator
	apiAddr, floorAddr := freeAddr(), freeAddr()
	api, err := start(ctx, f.oslira, []string{"serve"}, benchEnv(dsn, apiAddr, secret, "LOG_LEVEL="+f.logLevel))
	if err != nil {
		return err
	}
	stopAPI := sync.OnceFunc(func() { stopProcess(api) })
	defer stopAPI()
	if err := waitHealthy(ctx, "http://"+apiAddr+"/health/ready", 60*time.Second); err != nil {
		return fmt.Errorf("oslira serve: %w", err)
	}

	tokens, accounts, err := provision(ctx, "http://"+apiAddr, secret, f.users)
	if err != nil {
		return err
	}

	self, _ := os.Executable()
	floor, err := start(ctx, self, []string{"floor", "-addr", floorAddr, "-database", dsn}, nil)
	if err != nil {
		return err
	}
	defer stopProcess(floor)
	if err := waitHealthy(ctx, "http://"+floorAddr+"/health", 30*time.Second); err != nil {
		return fmt.Errorf("floor: %w", err)
	}

	apiTarget := target{name: "oslira GET /v1/credits/balance (JWT + account + RLS scope)", request: func(i int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, "http://"+apiAddr+"/v1/credits/balance", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+tokens[i])
		}
		return req, err
	}}
	floorTarget := target{name: "floor net/http + pgx, same query", request: func(i int) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, "http://"+floorAddr+"/balance?account="+url.QueryEscape(accounts[i]), nil)
	}}

	fmt.Printf("bench: %d accounts, open loop %d req/s for %s (≤%d in flight), closed loop %d workers for %s; generator and servers share this machine's %d cores\n\n",
		f.users, f.rate, f.duration, f.conns, f.workers, f.duration, runtime.NumCPU())
	var results [2][2]result
	for i, t := range []target{apiTarget, floorTarget} {
		if !phase["balance"] {
			if i == 1 && phase["submit"] { // the floor's throughput is the submit phase's yardstick
				closedLoop(ctx, t, f.users, f.workers, f.warmup)
				results[i][1] = closedLoop(ctx, t, f.users, f.workers, f.duration)
			}
			continue
		}
		closedLoop(ctx, t, f.users, f.workers, f.warmup)
		results[i][0] = openLoop(ctx, t, f.users, f.rate, f.conns, f.duration)
		results[i][1] = closedLoop(ctx, t, f.users, f.workers, f.duration)
		fmt.Println(t.name)
		for _, r := range results[i] {
			printResult(r)
		}
		fmt.Println()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var failed []result
	if phase["balance"] {
		api0, floor0 := results[0][1], results[1][1]
		fmt.Printf("throughput ratio (closed loop): oslira %.0f req/s / floor %.0f req/s = %.0f%% (target ≥ 60%%)\n",
			api0.throughput(), floor0.throughput(), 100*api0.throughput()/floor0.throughput())
		fmt.Printf("p99 at %d req/s: oslira %s, floor %s (target ≤ 5ms)\n\n", f.rate,
			ms(results[0][0].pct(0.99)), ms(results[1][0].pct(0.99)))
		failed = append(failed, results[0][0], results[0][1], results[1][0], results[1][1])
	}
	if phase["logcost"] {
		r, err := runLogCost(ctx, f, dsn, secret, tokens)
		if err != nil {
			return err
		}
		failed = append(failed, r...)
	}
	// The analysis phases need the API process to themselves: serve's worker would run the
	// submitted analyses (submit), and a second worker would share the queue (e2e).
	stopAPI()
	if phase["submit"] {
		sub, err := runSubmitBench(ctx, f, dsn, secret, results[1][1])
		if err != nil {
			return err
		}
		failed = append(failed, sub[0], sub[1])
	}
	if phase["e2e"] && len(configs) > 0 {
		// A database of its own: the submit phase leaves thousands of queued runs behind.
		dsn2, drop2, err := benchDatabase(ctx, f.maintenance, "e2e")
		if err != nil {
			return err
		}
		defer drop2()
		var rows []e2eResult
		for i, c := range configs {
			r, err := runE2E(ctx, f, dsn2, secret, c, fmt.Sprintf("e2e%d", i+1))
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		fmt.Println("end-to-end light analyses per second (zero-latency fake Apify, offline analyzer):")
		for _, r := range rows {
			fmt.Printf("  %6.0f/s  %s\n", r.rate(), r.cfg)
		}
	}
	if phase["live"] {
		dsn3, drop3, err := benchDatabase(ctx, f.maintenance, "live")
		if err != nil {
			return err
		}
		defer drop3()
		lr, err := runLive(ctx, f, dsn3, secret)
		if err != nil {
			return err
		}
		printLive(lr)
	}
	for _, r := range failed {
		if r.errors > 0 {
			return fmt.Errorf("%s: %d of %d requests failed (first status %d)", r.phase, r.errors, r.sent, r.firstStatus)
		}
	}
	return nil
}

func printResult(r result) {
	fmt.Printf("  %-24s ok %6d  err %4d  %7.0f req/s  p50 %7s  p95 %7s  p99 %7s\n",
		r.phase, r.ok, r.errors, r.throughput(), ms(r.pct(0.50)), ms(r.pct(0.95)), ms(r.pct(0.99)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// provision mints a token per simulated user and calls GET /v1/me once each, which creates the
// account; it returns the tokens and the account ids.
func provision(ctx context.Context, base, secret string, n int) ([]string, []string, error) {
	tokens, accounts := make([]string, n), make([]string, n)
	for i := range n {
		id := uuid.NewString()
		tok, err := jwt.MintHS256(secret, jwt.MintClaims{UserID: id, Email: "bench-" + id + "@example.com", TTL: time.Hour})
		if err != nil {
			return nil, nil, err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		var me struct {
			Account struct {
				ID string `json:"id"`
			} `json:"account"`
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &me) != nil || me.Account.ID == "" {
			return nil, nil, fmt.Errorf("provision via /v1/me: status %d: %s", resp.StatusCode, body)
		}
		tokens[i], accounts[i] = tok, me.Account.ID
	}
	return tokens, accounts, nil
}

// benchDatabase creates a fresh database for the run and returns its DSN and a function that
// drops it.
func benchDatabase(ctx context.Context, maintenance, suffix string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, maintenance)
	if err != nil {
		return "", nil, fmt.Errorf("connect %s: %w", redact(maintenance), err)
	}
	name := fmt.Sprintf("oslira_bench_%d", os.Getpid())
	if suffix != "" {
		name += "_" + suffix
	}
	if _, err := conn.Exec(ctx, "create database "+name); err != nil {
		_ = conn.Close(ctx)
		return "", nil, err
	}
	u, _ := url.Parse(maintenance)
	u.Path = "/" + name
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = conn.Exec(dctx, "drop database if exists "+name+" with (force)")
		_ = conn.Close(dctx)
	}
	return u.String(), drop, nil
}

func start(ctx context.Context, bin string, args, env []string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(inherited(), env...)
	cmd.Stdout = io.Discard // the server's JSON logs are written (that cost is real) but not kept
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	return cmd, nil
}

// inherited is this process's environment without the provider settings a developer's shell
// may hold (model keys, Apify): the bench's servers use what the bench sets, never a real API.
func inherited() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENAI_") && !strings.HasPrefix(kv, "ANTHROPIC_") && !strings.HasPrefix(kv, "APIFY_") {
			out = append(out, kv)
		}
	}
	return out
}

func stopProcess(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
}

func waitHealthy(ctx context.Context, u string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(u)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return errors.New("not healthy after " + limit.String() + ": " + u)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

func envOr(k, def string) string {
	if v, ok := os.LookupEnv(k); ok && v != "" {
		return v
	}
	return def
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(dsn)"
}
