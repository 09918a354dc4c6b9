package worker

import (
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
)

// Module makes the process a workflow executor: dbos.ExecutorModule, launched when the
// application starts ("worker started" follows) and shut down when it stops — runs in flight
// are interrupted and stay pending for this executor id's next launch, or for the janitor —
// after which "worker stopped" is logged. It provides what ExecutorModule provides (*dbos.Executor,
// *dbos.Engine, workflow.Engine, *dbos.Janitor, the "workflows" health check) and needs what it
// needs: *pgxpool.Pool, dbos.Config, *slog.Logger and the definitions (bootstrap.Workflows).
//
// In `serve`, give it before httpapi.Module: the executor then launches before the HTTP server
// accepts requests and shuts down after the server has drained them.
var Module = fx.Module("worker",
	fx.Invoke(registerStopLine), // first: its stop hook runs after the executor's
	dbos.ExecutorModule,
	fx.Invoke(registerStartLine),
)
