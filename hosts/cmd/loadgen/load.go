package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// target is one kind of request: the request for the i-th simulated user, and the status that
// counts as success (0: 200).
type target struct {
	name    string
	request func(i int) (*http.Request, error)
	want    int
}

func (t target) ok() int {
	if t.want == 0 {
		return http.StatusOK
	}
	return t.want
}

// result of one phase.
type result struct {
	phase       string
	sent, ok    int
	errors      int
	elapsed     time.Duration
	latencies   []time.Duration
	firstStatus int // the first unexpected status seen, for diagnosis
}

func (r result) throughput() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p*float64(len(r.latencies))+0.5) - 1
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     time.Minute,
		},
	}
}

// do sends one request and reports its status; the body is drained so the connection is reused.
func do(c *http.Client, req *http.Request) int {
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// openLoop sends rate requests per second for d, each on its own schedule slot, with up to conns
// in flight. Latency counts from the slot's scheduled time, so queueing in the generator or the
// server is charged to the server, as a real client would feel it.
func openLoop(ctx context.Context, t target, users, rate, conns int, d time.Duration) result {
	c := newClient(conns)
	n := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, n)
	status := make([]int, n)
	sem := make(chan struct{}, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		slot := start.Add(time.Duration(i) * interval)
		if wait := time.Until(slot); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				n = i
			}
		}
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int, slot time.Time) {
			defer func() { <-sem; wg.Done() }()
			req, err := t.request(i % users)
			if err != nil {
				return
			}
			status[i] = do(c, req.WithContext(ctx))
			lat[i] = time.Since(slot)
		}(i, slot)
	}
	wg.Wait()
	return summarise(fmt.Sprintf("open loop %d req/s", rate), lat[:n], status[:n], time.Since(start), t.ok())
}

// closedLoop runs workers that each send the next request as soon as the last one answered.
func closedLoop(ctx context.Context, t target, users, workers int, d time.Duration) result {
	c := newClient(workers)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	var status []int
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var myLat []time.Duration
			var myStatus []int
			for i := w; ctx.Err() == nil; i += workers {
				req, err := t.request(i % users)
				if err != nil {
					return
				}
				t0 := time.Now()
				s := do(c, req.WithContext(ctx))
				if ctx.Err() != nil {
					break // a request cut by the deadline is not a result
				}
				myLat = append(myLat, time.Since(t0))
				myStatus = append(myStatus, s)
			}
			mu.Lock()
			lat = append(lat, myLat...)
			status = append(status, myStatus...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return summarise(fmt.Sprintf("closed loop %d workers", workers), lat, status, time.Since(start), t.ok())
}

func summarise(phase string, lat []time.Duration, status []int, elapsed time.Duration, want int) result {
	r := result{phase: phase, sent: len(lat), elapsed: elapsed}
	for i, s := range status {
		if s == want {
			r.ok++
			r.latencies = append(r.latencies, lat[i])
			continue
		}
		r.errors++
		if r.firstStatus == 0 {
			r.firstStatus = s
		}
	}
	slices.Sort(r.latencies)
	return r
}
