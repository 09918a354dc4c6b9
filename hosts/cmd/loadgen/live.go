package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
)

// The live phase: how long a progress event takes from its commit to a WebSocket client, and
// what an idle WebSocket costs the server.
const (
	liveEvents = 1000                   // events timed, one committed at a time
	liveGap    = 2 * time.Millisecond   // pause between two events
	liveWait   = 10 * time.Second       // how long the client may take for the last one
	dialBatch  = 200                    // idle sockets dialled at once
	rssSettle  = 500 * time.Millisecond // after the last dial, before reading the server's memory
)

// liveResult is what the phase measured.
type liveResult struct {
	latencies   []time.Duration
	idle        int
	rssBefore   int64 // kB
	rssAfter    int64 // kB
	idleFailure int
	// From the server's /metrics before and after: Go heap and stacks in use, goroutines.
	before, after goStats
}

// goStats are the server's Go memory figures (Prometheus' Go collector).
type goStats struct {
	heap, stack, goroutines float64
}

// readGoStats scrapes /metrics for the Go runtime's heap and stack in use and its goroutines.
func readGoStats(ctx context.Context, base string) goStats {
	var g goStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return g
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return g
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(raw), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			g.heap = v
		case "go_memstats_stack_inuse_bytes":
			g.stack = v
		case "go_goroutines":
			g.goroutines = v
		}
	}
	return g
}

// runLive starts `oslira serve` on dsn, opens one WebSocket as an analyst, writes liveEvents
// progress events (each an INSERT committed on its own, as a workflow step does) and times
// each from just before its commit to the client's receipt; then dials idle sockets and reads
// the server's resident memory before and after (VmRSS), to report memory per idle connection.
func runLive(ctx context.Context, f benchFlags, dsn, secret string) (liveResult, error) {
	var r liveResult
	addr := freeAddr()
	srv, err := start(ctx, f.oslira, []string{"serve"}, benchEnv(dsn, addr, secret, "CRON_ENABLED=false"))
	if err != nil {
		return r, err
	}
	defer stopProcess(srv)
	base := "http://" + addr
	if err := waitHealthy(ctx, base+"/health/ready", 60*time.Second); err != nil {
		return r, fmt.Errorf("oslira serve: %w", err)
	}
	a, err := provisionAnalyst(ctx, base, secret, 10)
	if err != nil {
		return r, err
	}
	// An analysis to hang the events on: submitted, then run to its end by serve's worker.
	status, body, err := call(ctx, http.MethodPost, base+"/v1/analyses", a.token,
		map[string]any{"username": "lumen.coffee", "business_profile_id": a.profile, "type": "light"})
	var sub struct {
		ID string `json:"id"`
	}
	if err != nil || status != http.StatusAccepted || json.Unmarshal(body, &sub) != nil {
		return r, fmt.Errorf("submit: %d %s %v", status, body, err)
	}

	ws, err := dialEvents(ctx, addr, a.token)
	if err != nil {
		return r, err
	}
	defer func() { _ = ws.CloseNow() }()
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return r, err
	}
	defer func() { _ = db.Close(context.Background()) }()

	sent := make(map[int64]time.Time, liveEvents)
	var mu sync.Mutex
	received := make(chan time.Duration, liveEvents)
	readCtx, stopRead := context.WithCancel(ctx)
	defer stopRead()
	go func() {
		for {
			_, msg, err := ws.Read(readCtx)
			if err != nil {
				return
			}
			at := time.Now()
			var ev struct {
				Type string `json:"type"`
				ID   int64  `json:"id"`
			}
			if json.Unmarshal(msg, &ev) != nil || !strings.HasPrefix(ev.Type, "analysis.") {
				continue
			}
			mu.Lock()
			t0, ok := sent[ev.ID]
			mu.Unlock()
			if ok {
				received <- at.Sub(t0)
			}
		}
	}()
	for i := range liveEvents {
		tx, err := db.Begin(ctx)
		if err != nil {
			return r, err
		}
		var id int64
		if err := tx.QueryRow(ctx, `insert into public.analysis_events (account_id, analysis_id, type, step, step_index, step_total, percent, message)
			values ($1, $2, 'progress', 'bench', 1, 4, $3, 'live benchmark') returning id`, a.account, sub.ID, i%100).Scan(&id); err != nil {
			_ = tx.Rollback(ctx)
			return r, err
		}
		mu.Lock()
		sent[id] = time.Now()
		mu.Unlock()
		if err := tx.Commit(ctx); err != nil {
			return r, err
		}
		time.Sleep(liveGap)
	}
	deadline := time.After(liveWait)
	for len(r.latencies) < liveEvents {
		select {
		case d := <-received:
			r.latencies = append(r.latencies, d)
		case <-deadline:
			return r, fmt.Errorf("live: %d of %d events reached the client", len(r.latencies), liveEvents)
		case <-ctx.Done():
			return r, ctx.Err()
		}
	}

	// Idle sockets: memory per connection.
	r.rssBefore = rssKB(srv.Process.Pid)
	r.before = readGoStats(ctx, base)
	var sockets []*websocket.Conn
	defer func() {
		for _, s := range sockets {
			_ = s.CloseNow()
		}
	}()
	for len(sockets)+r.idleFailure < f.idle {
		n := min(dialBatch, f.idle-len(sockets)-r.idleFailure)
		var wg sync.WaitGroup
		out := make([]*websocket.Conn, n)
		for i := range n {
			wg.Go(func() {
				c, err := dialEvents(ctx, addr, a.token)
				if err == nil {
					out[i] = c
				}
			})
		}
		wg.Wait()
		for _, c := range out {
			if c == nil {
				r.idleFailure++
				continue
			}
			sockets = append(sockets, c)
		}
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
	}
	r.idle = len(sockets)
	time.Sleep(rssSettle)
	r.rssAfter = rssKB(srv.Process.Pid)
	r.after = readGoStats(ctx, base)
	return r, nil
}

// dialEvents opens GET /v1/events with the access token in Sec-WebSocket-Protocol and waits for
// its ready message.
func dialEvents(ctx context.Context, addr, token string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+addr+"/v1/events", &websocket.DialOptions{Subprotocols: []string{"bearer", token}})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial /v1/events: %d: %w", resp.StatusCode, err)
		}
		return nil, fmt.Errorf("dial /v1/events: %w", err)
	}
	c.SetReadLimit(1 << 20)
	_, msg, err := c.Read(ctx)
	if err != nil || !strings.Contains(string(msg), `"ready"`) {
		_ = c.CloseNow()
		return nil, fmt.Errorf("no ready message: %s %v", msg, err)
	}
	return c, nil
}

// rssKB reads a process's resident set size (VmRSS, kB) from /proc; 0 when unavailable.
func rssKB(pid int) int64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// printLive prints the phase's figures.
func printLive(r liveResult) {
	lat := append([]time.Duration(nil), r.latencies...)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("live progress: %d events, commit → WebSocket client: p50 %s, p99 %s, max %s\n",
		len(lat), ms(pct(0.50)), ms(pct(0.99)), ms(lat[len(lat)-1]))
	if r.idle > 0 {
		per := float64(r.rssAfter-r.rssBefore) * 1024 / float64(r.idle)
		fmt.Printf("idle WebSockets: %d open (%d failed to open), server RSS %d MiB → %d MiB: %.1f KiB per connection (target ≤ 16 KiB)\n",
			r.idle, r.idleFailure, r.rssBefore/1024, r.rssAfter/1024, per/1024)
		n := float64(r.idle)
		fmt.Printf("  of which Go heap in use %.1f KiB and stacks %.1f KiB per connection, %.2f goroutines per connection (the rest of RSS is GC headroom and runtime)\n\n",
			(r.after.heap-r.before.heap)/1024/n, (r.after.stack-r.before.stack)/1024/n, (r.after.goroutines-r.before.goroutines)/n)
	}
}
