package dbos

import (
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/workflow"
)

// DefinitionGroup is the fx value group the modules read workflow definitions from. Feature
// modules contribute theirs with
//
//	fx.Provide(fx.Annotate(NewDefinition, fx.ResultTags(`group:"workflow.definitions"`)))
const DefinitionGroup = "workflow.definitions"

// The adapter has two modules because its two roles must never mix: a process either runs
// workflows (ExecutorModule) or only drives them (ClientModule). A host includes exactly one.
// Both need a *pgxpool.Pool (postgres.Module), a Config, a *slog.Logger, and the definitions in
// the "workflow.definitions" group; both provide *Engine, workflow.Engine, *Janitor (for the
// cron host) and the critical "workflows" observe.HealthChecker in the "health" group.
var (
	// ClientModule is for the http host (and a cron host that only enqueues and runs the
	// janitor): a DBOS client, never launched, closed on stop.
	ClientModule = fx.Module("dbos-client",
		fx.Provide(
			newLifecycleClient,
			func(c *Client) *Engine { return c.Engine },
			func(c *Client) workflow.Engine { return c.Engine },
			fx.Annotate(NewClientHealthCheck, fx.ResultTags(`group:"health"`)),
			newModuleJanitor,
		),
	)

	// ExecutorModule is for worker processes and `serve`: a launched executor that registers
	// every definition and queue, started on OnStart (DBOS never sees fx's start context) and
	// shut down on OnStop. An optional workflow.ProgressSink in the graph receives progress, an
	// optional Observer the run and step events (metrics).
	ExecutorModule = fx.Module("dbos-executor",
		fx.Provide(
			newLifecycleExecutor,
			func(x *Executor) *Engine { return x.Engine },
			func(x *Executor) workflow.Engine { return x.Engine },
			fx.Annotate(NewExecutorHealthCheck, fx.ResultTags(`group:"health"`)),
			newModuleJanitor,
		),
	)
)

// moduleDeps is what both modules take from the graph.
type moduleDeps struct {
	fx.In

	Pool        *pgxpool.Pool
	Config      Config
	Log         *slog.Logger
	Definitions []workflow.Definition `group:"workflow.definitions"`
	Sink        workflow.ProgressSink `optional:"true"`
	Observer    Observer              `optional:"true"`
	Reporter    observe.Reporter      `optional:"true"`
}

func newLifecycleClient(lc fx.Lifecycle, d moduleDeps) (*Client, error) {
	c, err := NewClient(d.Pool, d.Config, d.Definitions, d.Log)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(c.Close))
	return c, nil
}

func newLifecycleExecutor(lc fx.Lifecycle, d moduleDeps) (*Executor, error) {
	x, err := NewExecutor(d.Pool, d.Config, d.Definitions, d.Sink, d.Log, WithObserver(d.Observer), WithReporter(d.Reporter))
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StartStopHook(x.Launch, x.Shutdown))
	return x, nil
}

func newModuleJanitor(e *Engine, cfg Config, log *slog.Logger) (*Janitor, error) {
	return NewJanitor(e, cfg.WithDefaults().Janitor, log)
}

var _ observe.HealthChecker = (*healthCheck)(nil)
