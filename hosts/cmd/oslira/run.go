package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/oslira/oslira/hosts/bootstrap"
	"github.com/oslira/oslira/hosts/httpapi"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // configuration, start-up or shutdown failure
	exitUsage = 2 // unknown command or arguments
)

const (
	// startTimeout bounds app.Start: opening listeners and, in development, migrating.
	startTimeout = time.Minute
	// stopGrace is added to SHUTDOWN_TIMEOUT for closing the pool and a private database cluster
	// after the HTTP server has drained.
	stopGrace = 5 * time.Second
)

// run is the whole program, testable in-process: it returns the exit code instead of exiting.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "version", "--version":
		printf(stdout, "oslira %s (%s, %s/%s)\n", bootstrap.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	case "token":
		return runToken(ctx, args[1:], lookup, stdout, stderr)
	case "workflows":
		return runWorkflows(ctx, args[1:], lookup, stdout, stderr)
	case "webhooks":
		return runWebhooks(ctx, args[1:], lookup, stdout, stderr)
	}
	cmd, ok := commands[name]
	if !ok {
		printf(stderr, "oslira: unknown command %q\n\n", name)
		usage(stderr)
		return exitUsage
	}
	if len(args) > 1 {
		printf(stderr, "oslira %s: unexpected arguments %q; configuration comes from environment variables\n\n", name, args[1:])
		usage(stderr)
		return exitUsage
	}

	cfg, err := bootstrap.Load(lookup)
	if err != nil {
		printf(stderr, "oslira %s: %v\n", name, err)
		return exitError
	}
	log := bootstrap.NewLogger(stdout, cfg.LogLevel).With("process", name)
	proc := bootstrap.Process{Config: cfg, Lookup: lookup, Logger: log, Role: bootstrap.Role(name)}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if !cmd.serves {
		return runMigrate(ctx, name, cmd, proc, stderr)
	}
	return serve(ctx, name, cmd, proc, stdout, stderr)
}

// serve starts the application, waits for SIGINT/SIGTERM (or an fx.Shutdowner request) and stops
// it: the HTTP server drains for up to SHUTDOWN_TIMEOUT, and everything else must close within
// stopGrace after that. Further signals during the stop are absorbed; the deadline bounds it.
func serve(ctx context.Context, name string, cmd command, proc bootstrap.Process, stdout, stderr io.Writer) int {
	log, cfg := proc.Logger, proc.Config
	fail := failer(name, log, stderr)

	var srv *httpapi.Server
	opts := []fx.Option{appOptions(cmd, proc)}
	if cmd.http {
		opts = append(opts, fx.Populate(&srv))
	}
	app, code := start(ctx, fail, opts...)
	if app == nil {
		return code
	}
	log.Info("oslira started", "env", string(cfg.Env), "version", cfg.Version)
	if srv != nil && cfg.Env == bootstrap.EnvDevelopment {
		url := localURL(srv.Addr())
		printf(stdout, "Oslira is running at %s (health: %s/health). Press Ctrl-C to stop.\n", url, url)
		printf(stdout, "Try it: TOKEN=$(%s token --email you@example.com) && curl -H \"Authorization: Bearer $TOKEN\" %s/v1/me\n",
			selfName(), url)
	}

	// Both channels see SIGINT/SIGTERM (fx relays them too); Wait also carries fx.Shutdowner requests.
	var reason string
	select {
	case <-ctx.Done():
		reason = context.Cause(ctx).Error()
	case sig := <-app.Wait():
		code = sig.ExitCode
		reason = fmt.Sprint(sig.Signal)
	}
	log.Info("shutting down", "reason", reason, "exit_code", code, "drain_deadline", cfg.ShutdownTimeout.String())

	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+stopGrace)
	defer cancel()
	if err := app.Stop(stopCtx); err != nil {
		return fail("stop", err)
	}
	log.Info("oslira stopped")
	return code
}

// runMigrate resolves the database, applies every pending migration (the application's, then
// the workflow engine's schema) and exits.
func runMigrate(ctx context.Context, name string, cmd command, proc bootstrap.Process, stderr io.Writer) int {
	log := proc.Logger
	fail := failer(name, log, stderr)
	var pool *pgxpool.Pool
	app, code := start(ctx, fail, appOptions(cmd, proc), fx.Populate(&pool))
	if app == nil {
		return code
	}
	if migrateErr := bootstrap.Migrate(ctx, pool, log); migrateErr != nil {
		code = fail("migrate", migrateErr)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), proc.Config.ShutdownTimeout+stopGrace)
	defer cancel()
	if err := app.Stop(stopCtx); err != nil && code == exitOK {
		code = fail("stop", err)
	}
	return code
}

// failer returns the one way a command reports a failed stage: logged with its root cause and
// printed on stderr, exit status 1.
func failer(name string, log *slog.Logger, stderr io.Writer) func(stage string, err error) int {
	return func(stage string, err error) int {
		err = rootCause(err)
		log.Error(stage+" failed", "error", err.Error())
		printf(stderr, "oslira %s: %s: %v\n", name, stage, err)
		return exitError
	}
}

// start builds the fx application and starts it within startTimeout. On failure it returns a nil
// app and the exit status; on success the app and exitOK.
func start(ctx context.Context, fail func(string, error) int, opts ...fx.Option) (*fx.App, int) {
	app := fx.New(opts...)
	if err := app.Err(); err != nil {
		return nil, fail("build", err)
	}
	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		return nil, fail("start", err)
	}
	return app, exitOK
}

// selfName is how the developer ran this binary (".bin/oslira" under make run), for hints.
func selfName() string {
	if len(os.Args) > 0 && os.Args[0] != "" && !strings.Contains(os.Args[0], "go-build") {
		return os.Args[0]
	}
	return "oslira"
}

// localURL turns a listening address into a URL a developer can click.
func localURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() || tcp.IP.IsLoopback() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(tcp.Port)))
}

// usage writes the help text.
func usage(w io.Writer) {
	printf(w, "Usage: oslira <command>\n\nCommands:\n")
	for _, name := range commandOrder {
		printf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	printf(w, "  %-10s %s\n", "token", tokenSummary)
	printf(w, "  %-10s %s\n", "workflows", workflowsSummary)
	printf(w, "  %-10s %s\n", "webhooks", webhooksSummary)
	printf(w, "  %-10s %s\n", "version", "print the version and exit")
	printf(w, "  %-10s %s\n", "help", "print this help and exit")
	printf(w, "%s", `
Configuration comes from environment variables (APP_ENV, HTTP_ADDR, DATABASE_URL, ...; see
README.md). In development nothing is required: the database is DATABASE_URL if set, else
PostgreSQL on 127.0.0.1:5432, else a private cluster under DATA_DIR (.data).
SIGINT or SIGTERM drains in-flight requests for up to SHUTDOWN_TIMEOUT (15s) and exits 0.

Try the API in development:
  TOKEN=$(oslira token --email you@example.com)
  curl -H "Authorization: Bearer $TOKEN" localhost:8080/v1/me
`)
}

// printf writes to the terminal streams; a failed write there leaves nothing better to do.
func printf(w io.Writer, format string, a ...any) {
	_, _ = fmt.Fprintf(w, format, a...)
}
