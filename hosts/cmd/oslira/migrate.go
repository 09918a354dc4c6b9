package main

import "github.com/spf13/cobra"

func init() { register(newMigrateCommand) }

// newMigrateCommand is `oslira migrate`: the application's migrations, then the workflow
// engine's schema, then exit. It is the release step of staging and production.
func newMigrateCommand(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: commands["migrate"].summary,
		Long: `Applies every pending database migration, then creates or upgrades the workflow engine's schema
(dbos), and exits. Concurrent runs queue on advisory locks; a second run finds nothing to do.
Run it as a release step in staging and production; development and test migrate at start. In
development, without DATABASE_URL, it creates the local database (or starts the private cluster)
like serve does.`,
		GroupID: groupRun,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitWith(c.runGraph(cmd, "migrate"))
		},
	}
	setEnvironment(cmd, []string{"APP_ENV", "DATABASE_URL", "DATA_DIR", "LOG_LEVEL"})
	cmd.Annotations["exit"] = "0 migrated, 1 failure, 2 usage."
	return cmd
}
