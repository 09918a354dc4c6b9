package main

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/oslira/oslira/hosts/bootstrap"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

func init() {
	for _, name := range []string{"serve", "http", "worker", "cron"} {
		register(func(c *cli) *cobra.Command { return newHostCommand(c, name) })
	}
}

// hostDetails are the help texts of the serving commands, whose graphs are in app.go.
var hostDetails = map[string]struct {
	long string
	env  []string
}{
	"serve": {
		long: `Runs the HTTP API, the workflow worker and the scheduler in one process until SIGINT or SIGTERM.

In development and test the database is found or provisioned (DATABASE_URL, else PostgreSQL on
127.0.0.1:5432, creating the database, else a private cluster under DATA_DIR) and migrated at
start; in staging and production run oslira migrate first. On SIGINT/SIGTERM in-flight requests
drain for up to SHUTDOWN_TIMEOUT: the exit status is 0 after a clean drain, 1 when requests had
to be cut off (each is logged as "http request cut off by shutdown").`,
		env: []string{"APP_ENV", "DATABASE_URL", "HTTP_ADDR", "SHUTDOWN_TIMEOUT", "DATA_DIR", "WORKER_ID", "ANALYSIS_CONCURRENCY", "ANALYSIS_ACCOUNT_CONCURRENCY", "CRON_ENABLED", "LOG_LEVEL", "LOG_LEVEL_FILE"},
	},
	"http": {
		long: `Runs the HTTP API only (scale it out behind a load balancer); it starts workflows through a
client and runs none. Database resolution, migration in development and the shutdown contract
are serve's: exit 0 after a clean drain, 1 when requests had to be cut off.`,
		env: []string{"APP_ENV", "DATABASE_URL", "HTTP_ADDR", "SHUTDOWN_TIMEOUT", "DATA_DIR", "CORS_ALLOWED_ORIGINS", "LOG_LEVEL", "LOG_LEVEL_FILE"},
	},
	"worker": {
		long: `Runs the workflow executor only. Scale out with a unique WORKER_ID per process, stable across
restarts: a restarted worker resumes the runs its predecessor left. A stop interrupts running
workflows (they continue after their last finished step) and releases the executor id.`,
		env: []string{"APP_ENV", "DATABASE_URL", "WORKER_ID", "WORKFLOW_QUEUE_CONCURRENCY", "ANALYSIS_CONCURRENCY", "ANALYSIS_ACCOUNT_CONCURRENCY", "ANALYSIS_POLL_INTERVAL", "APP_VERSION", "DATA_DIR", "LOG_LEVEL", "LOG_LEVEL_FILE"},
	},
	"cron": {
		long: `Runs the scheduled jobs only; several cron processes elect one active leader through an advisory
lock. It never migrates: run oslira migrate (or serve in development) first.`,
		env: []string{"APP_ENV", "DATABASE_URL", "CRON_ENABLED", "WORKFLOW_RETENTION_DAYS", "DATA_DIR", "LOG_LEVEL", "LOG_LEVEL_FILE"},
	},
}

// newHostCommand is one of the serving commands: it takes no arguments (configuration comes from
// the environment) and runs until signalled.
func newHostCommand(c *cli, name string) *cobra.Command {
	spec, details := commands[name], hostDetails[name]
	cmd := &cobra.Command{
		Use:     name,
		Short:   spec.summary,
		Long:    details.long,
		GroupID: groupRun,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitWith(c.runGraph(cmd, name))
		},
	}
	var secrets []envVar
	if spec.http {
		secrets = []envVar{secretJWT, secretStripe, secretWebhook, secretCursor}
	}
	if name != "cron" {
		secrets = append(secrets, secretApify, secretOpenAI, secretClaude, secretAIG, secretSentry)
	}
	setEnvironment(cmd, details.env, secrets...)
	cmd.Annotations["exit"] = "0 stopped cleanly, 1 configuration, start-up or stop failure (requests cut off included), 2 usage."
	return cmd
}

// runGraph loads the configuration and runs the graph of command name: until signalled for a
// serving command, once for migrate.
func (c *cli) runGraph(cmd *cobra.Command, name string) int {
	spec := commands[name]
	cfg, err := bootstrap.Load(c.lookup)
	if err != nil {
		printf(c.stderr, "%s: %v\n", cmd.CommandPath(), err)
		return exitError
	}
	// Log lines are batched (logctx.LineBuffer: WARN and above at once, the rest within 100 ms)
	// and the level can change while the process runs (SIGHUP re-reads LOG_LEVEL_FILE).
	out := logctx.NewLineBuffer(c.stdout, 100*time.Millisecond)
	defer out.Close()
	level := new(slog.LevelVar)
	level.Set(cfg.LogLevel)
	log := bootstrap.NewLogger(out, level).With("process", name)
	defer bootstrap.WatchLogLevel(level, cfg.LogLevelFile, log)()
	proc := bootstrap.Process{Config: cfg, Lookup: c.lookup, Logger: log, Role: bootstrap.Role(name)}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !spec.serves {
		return runMigrate(ctx, name, spec, proc, c.stderr)
	}
	return serve(ctx, name, spec, proc, c.stdout, c.stderr)
}

// noArgs refuses positional arguments: configuration comes from environment variables.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(cmd, "unexpected arguments %q; configuration comes from environment variables (see --help)", args)
	}
	return nil
}
