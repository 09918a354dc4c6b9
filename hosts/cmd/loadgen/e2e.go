package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/adapters/apify/apifytest"
)

// e2eConfig is one configuration of the analyses queue for the end-to-end phase.
type e2eConfig struct {
	concurrency, perAccount int
	poll                    time.Duration
	conns                   int // DATABASE_MAX_CONNS
}

func (c e2eConfig) String() string {
	return fmt.Sprintf("ANALYSIS_CONCURRENCY=%d ANALYSIS_ACCOUNT_CONCURRENCY=%d ANALYSIS_POLL_INTERVAL=%s DATABASE_MAX_CONNS=%d",
		c.concurrency, c.perAccount, c.poll, c.conns)
}

// parseE2E reads "concurrency/per-account/poll/conns" configurations separated by commas, such
// as "10/3/200ms/10,50/50/20ms/20".
func parseE2E(s string) ([]e2eConfig, error) {
	var out []e2eConfig
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		f := strings.Split(part, "/")
		if len(f) != 4 {
			return nil, fmt.Errorf("-e2e %q: want concurrency/per-account/poll/conns", part)
		}
		c, err1 := strconv.Atoi(f[0])
		a, err2 := strconv.Atoi(f[1])
		p, err3 := time.ParseDuration(f[2])
		n, err4 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || c < 1 || a < 1 || a > c || n < 2 {
			return nil, fmt.Errorf("-e2e %q: want concurrency/per-account/poll/conns, per-account ≤ concurrency", part)
		}
		out = append(out, e2eConfig{concurrency: c, perAccount: a, poll: p, conns: n})
	}
	return out, nil
}

// e2eResult is what one configuration achieved.
type e2eResult struct {
	cfg      e2eConfig
	n        int
	elapsed  time.Duration // first submit → last completion
	submit   time.Duration // the bulk submits
	outcomes map[string]int
}

func (r e2eResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// runE2E starts `oslira serve` on dsn with the scraper pointed at an in-process fake Apify
// (no latency) and the offline analyzer (no model key), submits n light analyses of fresh
// handles as bulk requests spread over enough accounts that the per-account cap is not the
// limit, and measures completed analyses per second from the first submit to the last
// completion (polling the analyses table). It then prints where the time went: the per-step
// durations the runs recorded (operations_ledger), the queue wait, the CPU of the server and
// of the machine, and what the database sessions were doing (pg_stat_activity samples).
func runE2E(ctx context.Context, f benchFlags, dsn, secret string, cfg e2eConfig, prefix string) (e2eResult, error) {
	res := e2eResult{cfg: cfg, n: f.e2eN}
	fake := apifytest.New(apifytest.Options{}).Start()
	defer fake.Close()
	addr := freeAddr()
	env := benchEnv(dsn, addr, secret,
		"APIFY_API_TOKEN=bench", "APIFY_BASE_URL="+fake.URL(),
		"ANALYSIS_CONCURRENCY="+strconv.Itoa(cfg.concurrency), "ANALYSIS_ACCOUNT_CONCURRENCY="+strconv.Itoa(cfg.perAccount),
		"ANALYSIS_POLL_INTERVAL="+cfg.poll.String(), "DATABASE_MAX_CONNS="+strconv.Itoa(cfg.conns))
	srv, err := start(ctx, f.oslira, []string{"serve"}, env)
	if err != nil {
		return res, err
	}
	defer stopProcess(srv)
	base := "http://" + addr
	if err := waitHealthy(ctx, base+"/health/ready", 60*time.Second); err != nil {
		return res, fmt.Errorf("oslira serve: %w", err)
	}
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return res, err
	}
	defer func() { _ = db.Close(context.Background()) }()

	// Accounts: enough that ANALYSIS_ACCOUNT_CONCURRENCY does not cap the whole queue, each on
	// the enterprise plan (bulk requests of up to 500 handles).
	accounts := (cfg.concurrency + cfg.perAccount - 1) / cfg.perAccount
	accounts = max(1, min(accounts, f.e2eN))
	analysts := make([]analyst, accounts)
	for i := range analysts {
		if analysts[i], err = provisionAnalyst(ctx, base, secret, f.e2eN); err != nil {
			return res, err
		}
		if _, err := db.Exec(ctx, `insert into public.subscriptions (account_id, plan, status, stripe_subscription_id, stripe_updated_at)
			values ($1, 'enterprise', 'active', $2, now())`, analysts[i].account, "sub_bench_"+analysts[i].account); err != nil {
			return res, fmt.Errorf("enterprise subscription: %w", err)
		}
	}
	// The handles, dealt round-robin to the accounts, in bulk requests of at most 500.
	type bulk struct {
		a     analyst
		names []string
	}
	var bulks []bulk
	per := make([][]string, accounts)
	for i := range f.e2eN {
		per[i%accounts] = append(per[i%accounts], fmt.Sprintf("%s.%06d", prefix, i+1))
	}
	for i, names := range per {
		for len(names) > 0 {
			k := min(500, len(names))
			bulks = append(bulks, bulk{a: analysts[i], names: names[:k]})
			names = names[k:]
		}
	}

	commits := func() (n int64) {
		_ = db.QueryRow(ctx, `select xact_commit from pg_stat_database where datname = current_database()`).Scan(&n)
		return n
	}
	commits0 := commits()
	cpu0, srvCPU0 := machineCPU(), processCPU(srv.Process.Pid)
	sampler := startActivitySampler(ctx, dsn)
	t0 := time.Now()
	errs := make(chan error, len(bulks))
	var wg sync.WaitGroup
	for _, b := range bulks {
		wg.Go(func() {
			body := map[string]any{"usernames": b.names, "business_profile_id": b.a.profile, "type": "light"}
			status, raw, err := call(ctx, http.MethodPost, base+"/v1/analyses/bulk", b.a.token, body)
			if err == nil && status != http.StatusAccepted {
				err = fmt.Errorf("bulk submit: %d %.300s", status, raw)
			}
			errs <- err
		})
	}
	wg.Wait()
	res.submit = time.Since(t0)
	close(errs)
	for err := range errs {
		if err != nil {
			sampler.stop()
			return res, err
		}
	}
	limit := time.Duration(max(60, f.e2eN/5)) * time.Second
	for {
		var done int
		if err := db.QueryRow(ctx, `select count(*) from public.analyses
			where username like $1 || '.%' and status in ('completed', 'failed', 'cancelled')`, prefix).Scan(&done); err != nil {
			sampler.stop()
			return res, err
		}
		if done >= f.e2eN {
			break
		}
		if time.Since(t0) > limit {
			sampler.stop()
			return res, fmt.Errorf("%d of %d analyses finished after %s", done, f.e2eN, limit)
		}
		select {
		case <-ctx.Done():
			sampler.stop()
			return res, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	// The last completion is the analyses' own clock, not when this poll noticed it.
	var last time.Time
	if err := db.QueryRow(ctx, `select max(completed_at) from public.analyses where username like $1 || '.%'`, prefix).
		Scan(&last); err != nil {
		sampler.stop()
		return res, err
	}
	res.elapsed = last.Sub(t0) // the same machine's clock; from the first submit as sent
	if d := time.Since(t0); res.elapsed <= 0 || res.elapsed > d {
		res.elapsed = d
	}
	activity := sampler.stop()
	cpu1, srvCPU1 := machineCPU(), processCPU(srv.Process.Pid)
	time.Sleep(600 * time.Millisecond) // the statistics collector's flush
	commits1 := commits()

	res.outcomes = map[string]int{}
	rows, err := db.Query(ctx, `select coalesce(outcome, status), count(*) from public.analyses where username like $1 || '.%' group by 1`, prefix)
	if err == nil {
		for rows.Next() {
			var o string
			var n int
			if rows.Scan(&o, &n) == nil {
				res.outcomes[o] = n
			}
		}
		rows.Close()
	}
	fmt.Printf("end to end, %s\n", cfg)
	fmt.Printf("  %d light analyses (%d accounts, %d bulk requests submitted in %s): %.0f completed/s over %s (target ≥ 100/s); outcomes %v\n",
		f.e2eN, accounts, len(bulks), res.submit.Round(time.Millisecond), res.rate(), res.elapsed.Round(time.Millisecond), res.outcomes)
	printBreakdown(ctx, db, prefix)
	wall := time.Since(t0).Seconds()
	if cpu1.total > cpu0.total {
		busy := 1 - float64(cpu1.idle-cpu0.idle)/float64(cpu1.total-cpu0.total)
		fmt.Printf("  CPU: machine %.0f%% busy of %d cores; oslira serve %.2f cores\n", 100*busy, runtime.NumCPU(), (srvCPU1-srvCPU0)/wall)
	}
	fmt.Printf("  database: %.1f commits per analysis (pg_stat_database, the pollers' included)\n", float64(commits1-commits0)/float64(f.e2eN))
	fmt.Printf("  database sessions (%d samples of pg_stat_activity): %s\n\n", activity.samples, activity.top(8))
	return res, nil
}

// printBreakdown prints the mean and p95 of each recorded step duration and of the queue wait.
func printBreakdown(ctx context.Context, db *pgx.Conn, prefix string) {
	rows, err := db.Query(ctx, `select key, avg(value::numeric), percentile_cont(0.95) within group (order by value::numeric), count(*)
		from public.operations_ledger, jsonb_each_text(metrics -> 'durations_ms')
		where username like $1 || '.%' group by key order by key`, prefix)
	if err != nil {
		fmt.Printf("  step durations: %v\n", err)
		return
	}
	var parts []string
	for rows.Next() {
		var key string
		var avg, p95 float64
		var n int
		if rows.Scan(&key, &avg, &p95, &n) == nil {
			parts = append(parts, fmt.Sprintf("%s %.1f/%.0f", key, avg, p95))
		}
	}
	rows.Close()
	fmt.Printf("  step durations, mean/p95 ms (operations_ledger): %s\n", strings.Join(parts, ", "))
	var wait, run, wait95, run95 float64
	if err := db.QueryRow(ctx, `select avg(extract(epoch from started_at - created_at)) * 1000,
			percentile_cont(0.95) within group (order by extract(epoch from started_at - created_at)) * 1000,
			avg(extract(epoch from completed_at - started_at)) * 1000,
			percentile_cont(0.95) within group (order by extract(epoch from completed_at - started_at)) * 1000
		from public.analyses where username like $1 || '.%' and started_at is not null`, prefix).Scan(&wait, &wait95, &run, &run95); err == nil {
		fmt.Printf("  per analysis, mean/p95 ms: queued (created → started) %.0f/%.0f, running (started → completed) %.0f/%.0f\n", wait, wait95, run, run95)
	}
}

// cpuTimes are the machine's jiffies: all, and idle (with iowait).
type cpuTimes struct{ total, idle uint64 }

// machineCPU reads the first line of /proc/stat (zero where there is none).
func machineCPU() cpuTimes {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	var t cpuTimes
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseUint(f, 10, 64)
		t.total += v
		if i == 3 || i == 4 {
			t.idle += v
		}
	}
	return t
}

// processCPU is the CPU seconds (user + system) pid has used, from /proc/<pid>/stat.
func processCPU(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(fields[11], 64)
	k, _ := strconv.ParseFloat(fields[12], 64)
	return (u + k) / 100 // USER_HZ
}

// activity counts what the bench database's sessions were doing at each sample: active
// statements by their first words, or their wait event.
type activity struct {
	samples int
	counts  map[string]int
}

func (a activity) top(n int) string {
	type kv struct {
		k string
		v int
	}
	var all []kv
	for k, v := range a.counts {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	var parts []string
	for i, e := range all {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%.1f× %s", float64(e.v)/float64(max(1, a.samples)), e.k))
	}
	if len(parts) == 0 {
		return "none active"
	}
	return "mean active sessions by statement/wait: " + strings.Join(parts, "; ")
}

type sampler struct {
	cancel context.CancelFunc
	done   chan activity
}

func (s sampler) stop() activity {
	s.cancel()
	return <-s.done
}

// startActivitySampler samples pg_stat_activity of dsn's database every 25 ms.
func startActivitySampler(ctx context.Context, dsn string) sampler {
	ctx, cancel := context.WithCancel(ctx)
	s := sampler{cancel: cancel, done: make(chan activity, 1)}
	go func() {
		a := activity{counts: map[string]int{}}
		defer func() { s.done <- a }()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return
		}
		defer func() { _ = conn.Close(context.Background()) }()
		for ctx.Err() == nil {
			rows, err := conn.Query(ctx, `select coalesce(wait_event_type || ':' || wait_event, 'CPU'), left(regexp_replace(query, '\s+', ' ', 'g'), 60)
				from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`)
			if err != nil {
				return
			}
			a.samples++
			for rows.Next() {
				var wait, q string
				if rows.Scan(&wait, &q) == nil {
					a.counts[wait+" "+q]++
				}
			}
			rows.Close()
			select {
			case <-ctx.Done():
			case <-time.After(25 * time.Millisecond):
			}
		}
	}()
	return s
}
