package httpclient

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/oslira/oslira/core/observe"
)

// BreakerState is a circuit breaker's state as reported to /health and metrics.
type BreakerState string

// The breaker states. BreakerDisabled is a client built with Breaker.Disabled.
const (
	BreakerClosed   BreakerState = "closed"
	BreakerHalfOpen BreakerState = "half_open"
	BreakerOpen     BreakerState = "open"
	BreakerDisabled BreakerState = "disabled"
)

func stateFrom(s gobreaker.State) BreakerState {
	switch s {
	case gobreaker.StateOpen:
		return BreakerOpen
	case gobreaker.StateHalfOpen:
		return BreakerHalfOpen
	default:
		return BreakerClosed
	}
}

// BreakerState returns the breaker's current state and when it was entered. An open breaker
// whose OpenTimeout has passed reports half-open (reading the state makes the transition).
func (c *Client) BreakerState() (BreakerState, time.Time) {
	if c.breaker == nil {
		return BreakerDisabled, time.Time{}
	}
	s := stateFrom(c.breaker.State())
	c.mu.Lock()
	defer c.mu.Unlock()
	return s, c.changedAt
}

func (c *Client) onStateChange(_ string, from, to gobreaker.State) {
	now := time.Now()
	c.mu.Lock()
	c.changedAt = now
	c.mu.Unlock()
	ev := BreakerEvent{Client: c.cfg.Name, From: stateFrom(from), To: stateFrom(to), At: now}
	level := slog.LevelWarn
	if ev.To == BreakerClosed {
		level = slog.LevelInfo
	}
	c.cfg.Logger.LogAttrs(context.Background(), level, "circuit breaker state changed",
		slog.String("client", c.cfg.Name), slog.String("from", string(ev.From)), slog.String("to", string(ev.To)))
	c.cfg.Metrics.BreakerChange(ev)
}

// HealthCheck returns the client's breaker as a non-critical observe.HealthChecker named
// "breaker:<name>": ok while closed (or disabled), down while open or half-open, with the time
// the state was entered. It sends nothing to the provider.
func (c *Client) HealthCheck() observe.HealthChecker { return breakerHealth{c} }

type breakerHealth struct{ c *Client }

func (h breakerHealth) Name() string   { return "breaker:" + h.c.cfg.Name }
func (h breakerHealth) Critical() bool { return false }

func (h breakerHealth) Check(context.Context) error {
	s, since := h.c.BreakerState()
	switch s {
	case BreakerOpen:
		return fmt.Errorf("circuit open since %s: calls fail fast", since.UTC().Format(time.RFC3339))
	case BreakerHalfOpen:
		return fmt.Errorf("circuit half-open since %s: probing after failures", since.UTC().Format(time.RFC3339))
	default:
		return nil
	}
}
