package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/observe"
)

// Health tuning.
const (
	// CheckTimeout bounds each dependency check; a slower dependency counts as down.
	CheckTimeout = 2 * time.Second
	// maxCheckErrorLen caps the error text shown for a failed check.
	maxCheckErrorLen = 200
)

// Check statuses and overall statuses. StatusNotConfigured is a check's status only: the
// deployment does not use that dependency (observe.ErrNotConfigured), which degrades nothing.
const (
	StatusOK            = "ok"
	StatusDown          = "down"
	StatusDegraded      = "degraded"
	StatusNotConfigured = "not_configured"
)

// CheckResult is the outcome of one dependency check.
type CheckResult struct {
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	Critical  bool    `json:"critical"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// HealthReport is the body of /health and /health/ready.
type HealthReport struct {
	Status        string        `json:"status"`
	Version       string        `json:"version,omitempty"`
	UptimeSeconds int64         `json:"uptime_seconds,omitempty"`
	Checks        []CheckResult `json:"checks"`
}

// Health serves the health endpoints from the registered checkers. It never reports secrets or
// connection strings: checker error text is safe by the HealthChecker contract, and is capped.
type Health struct {
	checkers []observe.HealthChecker
	version  string
	started  time.Time
	timeout  time.Duration
}

// NewHealth returns a Health over checkers; version is reported by /health.
func NewHealth(checkers []observe.HealthChecker, version string) *Health {
	return &Health{checkers: checkers, version: version, started: time.Now(), timeout: CheckTimeout}
}

// Live answers 200 while the process can serve HTTP at all; it checks nothing else, so an
// orchestrator restarts the process only when it is truly stuck.
func (h *Health) Live(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": StatusOK})
}

// Ready answers 200 when every critical dependency works and 503 otherwise, so a load balancer
// sends traffic only to instances that can serve it. Only critical checks run.
func (h *Health) Ready(c *gin.Context) {
	var critical []observe.HealthChecker
	for _, chk := range h.checkers {
		if chk.Critical() {
			critical = append(critical, chk)
		}
	}
	report := h.run(c.Request.Context(), critical)
	h.write(c, report)
}

// Full answers with every dependency's status and latency: 200 when all critical ones are up
// (status "ok", or "degraded" when a non-critical one is down), 503 when a critical one is down.
func (h *Health) Full(c *gin.Context) {
	report := h.run(c.Request.Context(), h.checkers)
	report.Version = h.version
	report.UptimeSeconds = int64(time.Since(h.started).Seconds())
	h.write(c, report)
}

func (h *Health) write(c *gin.Context, report HealthReport) {
	status := http.StatusOK
	if report.Status == StatusDown {
		status = http.StatusServiceUnavailable
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, report)
}

// run runs checkers concurrently, each under its own timeout, and summarises them.
func (h *Health) run(ctx context.Context, checkers []observe.HealthChecker) HealthReport {
	results := make([]CheckResult, len(checkers))
	var wg sync.WaitGroup
	for i, chk := range checkers {
		wg.Go(func() { results[i] = h.check(ctx, chk) })
	}
	wg.Wait()
	sort.Slice(results, func(i, j int) bool { return results[i].Name < results[j].Name })

	report := HealthReport{Status: StatusOK, Checks: results}
	for _, r := range results {
		switch {
		case r.Status == StatusOK, r.Status == StatusNotConfigured:
		case r.Critical:
			report.Status = StatusDown
		case report.Status == StatusOK:
			report.Status = StatusDegraded
		}
	}
	return report
}

// check runs one checker. A checker that ignores its context cannot hold the endpoint past the
// timeout, and a panicking checker counts as down instead of crashing the request.
func (h *Health) check(ctx context.Context, chk observe.HealthChecker) CheckResult {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if rec := recover(); rec != nil {
				done <- errors.New("check panicked")
			}
		}()
		done <- chk.Check(ctx)
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = errors.New("canceled")
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %s", h.timeout)
		}
	}
	res := CheckResult{
		Name:      chk.Name(),
		Status:    StatusOK,
		Critical:  chk.Critical(),
		LatencyMS: float64(time.Since(start).Microseconds()) / 1000,
	}
	switch {
	case errors.Is(err, observe.ErrNotConfigured):
		res.Status = StatusNotConfigured
	case err != nil:
		res.Status = StatusDown
		res.Error = capText(err.Error(), maxCheckErrorLen)
	}
	return res
}

// capText shortens s to at most n bytes on a rune boundary, marking the cut.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
