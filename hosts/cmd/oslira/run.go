package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/oslira/oslira/hosts/bootstrap"
	"github.com/oslira/oslira/hosts/httpapi"
)

const (
	// startTimeout bounds app.Start: opening listeners and, in development, migrating.
	startTimeout = time.Minute
	// stopGrace is added to SHUTDOWN_TIMEOUT for closing the pool and a private database cluster
	// after the HTTP server has drained.
	stopGrace = 5 * time.Second
)

// serve starts the application, waits for SIGINT/SIGTERM (or an fx.Shutdowner request) and stops
// it: the HTTP server drains for up to SHUTDOWN_TIMEOUT, and everything else must close within
// stopGrace after that. Further signals during the stop are absorbed; the deadline bounds it.
func serve(ctx context.Context, name string, cmd command, proc bootstrap.Process, stdout, stderr io.Writer) int {
	log, cfg := proc.Logger, proc.Config
	fail := failer(name, log, stderr)

	var (
		srv  *httpapi.Server
		deps demoDeps
	)
	opts := []fx.Option{appOptions(cmd, proc)}
	if cmd.http {
		opts = append(opts, fx.Populate(&srv))
	}
	if cmd.http && cfg.Env == bootstrap.EnvDevelopment {
		opts = append(opts, fx.Populate(&deps.Accounts, &deps.Businesses, &deps.JWT))
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
		if d, err := seedDemo(ctx, deps); err != nil {
			log.Warn("demo account not prepared", "error", err.Error())
		} else {
			printDemo(stdout, url, d)
		}
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
