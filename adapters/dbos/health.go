package dbos

import (
	"context"
	"errors"
	"fmt"

	"github.com/oslira/oslira/core/observe"
)

// healthCheck is the critical "workflows" checker.
type healthCheck struct {
	e *Engine
	x *Executor // nil for a client
}

// NewClientHealthCheck reports whether the client's database answers.
func NewClientHealthCheck(c *Client) observe.HealthChecker { return &healthCheck{e: c.Engine} }

// NewExecutorHealthCheck reports whether the executor's database answers and its heartbeat is
// fresh (written within three intervals): an executor that cannot beat will soon be taken for
// dead by the janitor.
func NewExecutorHealthCheck(x *Executor) observe.HealthChecker {
	return &healthCheck{e: x.Engine, x: x}
}

func (h *healthCheck) Name() string   { return "workflows" }
func (h *healthCheck) Critical() bool { return true }

func (h *healthCheck) Check(ctx context.Context) error {
	if err := h.e.pool.Ping(ctx); err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return errors.New("workflow engine database: timed out")
		default:
			return errors.New("workflow engine database: cannot reach the server")
		}
	}
	if h.x != nil {
		if age, limit := h.x.heartbeat.age(), 3*h.x.cfg.HeartbeatInterval; age > limit {
			return fmt.Errorf("workflow executor heartbeat is older than %v", limit)
		}
	}
	return nil
}
