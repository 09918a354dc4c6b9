// Package worker is the process role that runs durable workflows (`oslira worker`, and the
// worker part of `oslira serve`).
//
// The work itself is the DBOS executor's (adapters/dbos.ExecutorModule): it registers every
// workflow definition and its queue, recovers the runs this executor id left pending, polls the
// queues and writes the heartbeat the janitor reads. This package decides that a process is an
// executor, and brackets the executor's lifecycle with the log lines operators watch for.
// Scale out by running more workers, each with its own WORKER_ID.
package worker

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
)

// registerStopLine logs "worker stopped" once everything registered after it has stopped.
func registerStopLine(lc fx.Lifecycle, log *slog.Logger) {
	lc.Append(fx.StopHook(func() { log.Info("worker stopped", "component", "worker") }))
}

// registerStartLine builds the executor (so a worker-only graph, where nothing else asks for
// it, has one) and logs "worker started" once it launched.
func registerStartLine(lc fx.Lifecycle, x *dbos.Executor, log *slog.Logger) {
	lc.Append(fx.StartHook(func(context.Context) {
		log.Info("worker started", "component", "worker", "executor_id", x.ID())
	}))
}
