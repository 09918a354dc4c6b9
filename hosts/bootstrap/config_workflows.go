package bootstrap

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/workflow"
)

// maxQueueConcurrency bounds WORKFLOW_QUEUE_CONCURRENCY: more runs at once than this per queue
// and process would need far more database connections than a pool has.
const maxQueueConcurrency = 1000

// loadWorkflows reads WORKER_ID and WORKFLOW_QUEUE_CONCURRENCY (APP_VERSION is read with the
// other identity settings in Load).
func (c *Config) loadWorkflows(l *loader) {
	c.WorkerID = l.get("WORKER_ID")
	if len(c.WorkerID) > maxWorkerIDLen || strings.ContainsAny(c.WorkerID, " \t\r\n") {
		l.bad("WORKER_ID", fmt.Sprintf("must be at most %d characters without spaces", maxWorkerIDLen))
	}
	if v := l.get("WORKFLOW_QUEUE_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxQueueConcurrency {
			l.bad("WORKFLOW_QUEUE_CONCURRENCY", fmt.Sprintf("must be a whole number from 1 to %d", maxQueueConcurrency))
		}
		c.WorkflowQueueConcurrency = n
	}
}

// DBOS is the workflow engine's configuration for a process of the given role ("http",
// "worker", "cron", "serve", "cli"): the explicit application version, the executor id
// (WORKER_ID, else the adapter's "<hostname>-<role>"), and, with WORKFLOW_QUEUE_CONCURRENCY,
// that limit on every queue the definitions use. Everything else keeps the adapter's defaults.
func (c Config) DBOS(role string, defs []workflow.Definition) dbos.Config {
	cfg := dbos.Config{
		ApplicationVersion: c.AppVersion,
		ExecutorID:         c.WorkerID,
		Role:               role,
	}
	if c.WorkflowQueueConcurrency > 0 {
		var queues []string
		for _, d := range defs {
			if !slices.Contains(queues, d.Queue) {
				queues = append(queues, d.Queue)
			}
		}
		for _, q := range queues {
			cfg.Queues = append(cfg.Queues, dbos.QueueConfig{Name: q, WorkerConcurrency: c.WorkflowQueueConcurrency})
		}
	}
	return cfg
}
