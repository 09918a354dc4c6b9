package main

import (
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/hosts/bootstrap"
	"github.com/oslira/oslira/hosts/cron"
	"github.com/oslira/oslira/hosts/httpapi"
	"github.com/oslira/oslira/hosts/worker"
)

// command is one subcommand that builds an application graph.
type command struct {
	summary string
	// serves reports whether the command runs until signalled (false: it does its job and exits).
	serves bool
	// http reports whether the command runs the HTTP host.
	http bool
	// modules are the fx options of the command, after the common bootstrap ones. Order matters
	// for start-up: ResolveDatabase is a top-level decorator, and MigrateOnStart must come before
	// the host modules so the schema is current before the first request.
	modules []fx.Option
}

// commands is the list of graph-building subcommands; help, version, token and workflows are
// handled in run.
var commands = map[string]command{
	"serve": {
		summary: "run the HTTP API, the worker and the scheduler in one process",
		serves:  true,
		http:    true,
		// One executor serves both roles: the worker module's engine is the HTTP host's too (a
		// launched process must not also open a client). The worker comes before httpapi so the
		// executor launches before the server accepts requests and stops after it drained them.
		modules: []fx.Option{
			bootstrap.ResolveDatabase, postgres.Module, secrets.Module, jwt.Module, bootstrap.Core,
			bootstrap.MigrateOnStart, bootstrap.Workflows, bootstrap.Billing, bootstrap.Scraping, bootstrap.LLM,
			bootstrap.Analyses, worker.Module, bootstrap.Analytics, httpapi.Module, bootstrap.Live, cron.Module, bootstrap.Metrics, bootstrap.Sentry,
		},
	},
	"http": {
		summary: "run the HTTP API only",
		serves:  true,
		http:    true,
		modules: []fx.Option{
			bootstrap.ResolveDatabase, postgres.Module, secrets.Module, jwt.Module, bootstrap.Core,
			bootstrap.MigrateOnStart, bootstrap.Workflows, dbos.ClientModule, bootstrap.Billing, bootstrap.Scraping, bootstrap.LLM,
			bootstrap.Analyses, bootstrap.Analytics, httpapi.Module, bootstrap.Live, bootstrap.Metrics, bootstrap.Sentry,
		},
	},
	"worker": {
		summary: "run the workflow executor only (scale out with a unique WORKER_ID each)",
		serves:  true,
		modules: []fx.Option{
			bootstrap.ResolveDatabase, postgres.Module, secrets.Module,
			bootstrap.MigrateOnStart, bootstrap.Workflows, bootstrap.Scraping, bootstrap.LLM, worker.Module, bootstrap.Sentry,
			bootstrap.Metrics, // workflow and provider metrics, served on METRICS_ADDR only
		},
	},
	"cron": {
		summary: "run the scheduler only",
		serves:  true,
		modules: []fx.Option{
			bootstrap.ResolveDatabase, postgres.Module, secrets.Module, dbos.ClientModule, bootstrap.Workflows, cron.Module,
		},
	},
	"migrate": {
		summary: "apply the database and workflow-engine migrations and exit",
		modules: []fx.Option{bootstrap.ResolveDatabase, postgres.Module},
	},
}

// commandOrder is the order of commands in the usage text.
var commandOrder = []string{"serve", "http", "worker", "cron", "migrate"}

// appOptions is the complete fx option set of a command for a process.
func appOptions(cmd command, proc bootstrap.Process) fx.Option {
	return fx.Options(
		fx.Supply(proc),
		bootstrap.Module,
		bootstrap.FxLogger,
		fx.Options(cmd.modules...),
	)
}
