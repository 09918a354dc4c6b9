package bootstrap

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/core/analyze"
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
	c.AnalysisConcurrency = l.intIn("ANALYSIS_CONCURRENCY", defaultAnalysisConcurrency, 1, maxQueueConcurrency)
	c.AnalysisAccountConcurrency = l.intIn("ANALYSIS_ACCOUNT_CONCURRENCY", defaultAnalysisAccountConcurrency, 1, maxQueueConcurrency)
	if c.AnalysisAccountConcurrency > c.AnalysisConcurrency {
		l.bad("ANALYSIS_ACCOUNT_CONCURRENCY", "must not exceed ANALYSIS_CONCURRENCY")
	}
	c.AnalysisPollInterval = defaultAnalysisPollInterval
	if v := l.get("ANALYSIS_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond || d > time.Minute {
			l.bad("ANALYSIS_POLL_INTERVAL", "must be a duration from 10ms to 1m")
		}
		c.AnalysisPollInterval = d
	}
}

// The analyses queue's defaults. Apify allows about 10 concurrent actor runs per account, so the
// global cap matches it; 3 per account keeps one account's bulk batch from taking every slot
// while it still finishes a 25-handle batch in a few minutes. The queue is polled every 200 ms
// (the engine's default is 1 s): a slot freed by a finished analysis is refilled at the next
// poll, so the interval bounds throughput when analyses are fast.
const (
	defaultAnalysisConcurrency        = 10
	defaultAnalysisAccountConcurrency = 3
	defaultAnalysisPollInterval       = 200 * time.Millisecond
)

// intIn reads a whole number in [lo, hi], def when unset.
func (l *loader) intIn(name string, def, lo, hi int) int {
	v := l.get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		l.bad(name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

// DBOS is the workflow engine's configuration for a process of the given role ("http",
// "worker", "cron", "serve", "cli"): the explicit application version, the executor id
// (WORKER_ID, else the adapter's "<hostname>-<role>"), and, with WORKFLOW_QUEUE_CONCURRENCY,
// that limit on every queue the definitions use; the analyses queue gets its global cap
// (ANALYSIS_CONCURRENCY), its per-account cap (ANALYSIS_ACCOUNT_CONCURRENCY, a partition per
// account) and its poll interval. Everything else keeps the adapter's defaults.
func (c Config) DBOS(role string, defs []workflow.Definition) dbos.Config {
	cfg := dbos.Config{
		ApplicationVersion: c.AppVersion,
		ExecutorID:         c.WorkerID,
		Role:               role,
	}
	analyses := dbos.QueueConfig{
		Name: analyze.Queue, GlobalConcurrency: c.AnalysisConcurrency,
		PartitionConcurrency: c.AnalysisAccountConcurrency, PollInterval: c.AnalysisPollInterval,
		WorkerConcurrency: min(c.AnalysisConcurrency, cmp.Or(c.WorkflowQueueConcurrency, dbos.DefaultWorkerConcurrency)),
	}
	if analyses.GlobalConcurrency > 0 {
		cfg.Queues = append(cfg.Queues, analyses)
	}
	if c.WorkflowQueueConcurrency > 0 {
		var queues []string
		for _, d := range defs {
			if !slices.Contains(queues, d.Queue) {
				queues = append(queues, d.Queue)
			}
		}
		for _, q := range queues {
			if q == analyze.Queue && analyses.GlobalConcurrency > 0 {
				continue
			}
			cfg.Queues = append(cfg.Queues, dbos.QueueConfig{Name: q, WorkerConcurrency: c.WorkflowQueueConcurrency})
		}
	}
	return cfg
}
