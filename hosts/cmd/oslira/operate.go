package main

import (
	"context"
	"log/slog"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/hosts/bootstrap"
)

// groupCommand makes cmd a command that only groups verbs (workflows, webhooks): without a verb,
// or with an unknown one, it is a usage error (cobra would print the help and exit 0); `cmd help`
// prints its help.
func groupCommand(cmd *cobra.Command) {
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageError(cmd, "missing subcommand")
		case len(args) == 1 && args[0] == "help":
			return nil
		}
		return usageError(cmd, "unknown subcommand %q%s", args[0], suggest(cmd, args[0]))
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
}

// operatorGraph loads the configuration and starts the graph of an operator command (workflows,
// webhooks): the database that exists (bootstrap.ResolveExistingDatabase: no database is created
// and no private cluster started), checked to be migrated (bootstrap.RequireMigrated: otherwise
// the error says to run `oslira migrate`), and a DBOS client, never launched. opts populate what
// the command needs. The components' logs are dropped: the command's output is its table, and
// its failures are returned (DBOS's client, for one, logs its listener's cancellation as an error
// on every Close). stop stops the graph.
func (c *cli) operatorGraph(ctx context.Context, opts ...fx.Option) (stop func(), err error) {
	cfg, err := bootstrap.Load(c.lookup)
	if err != nil {
		return nil, err
	}
	proc := bootstrap.Process{Config: cfg, Lookup: c.lookup, Logger: slog.New(slog.DiscardHandler), Role: "cli"}
	app := fx.New(
		fx.Supply(proc), bootstrap.Module, fx.NopLogger,
		bootstrap.ResolveExistingDatabase, postgres.Module, bootstrap.RequireMigrated,
		bootstrap.Workflows, dbos.ClientModule,
		fx.Options(opts...),
	)
	if err := app.Err(); err != nil {
		return nil, rootCause(err)
	}
	if err := app.Start(ctx); err != nil {
		return nil, rootCause(err)
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = app.Stop(stopCtx)
	}, nil
}
