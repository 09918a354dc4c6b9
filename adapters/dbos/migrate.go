package dbos

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrateLock is the session advisory-lock key held while Migrate runs: "dbosmig" in ASCII.
const migrateLock int64 = 0x64626f736d6967

// ownTables are the adapter's tables, created after DBOS's. Executors upsert their heartbeat row;
// the janitor counts its resumes per run (DBOS resets its own counter on every resume).
const ownTables = `
create table if not exists dbos.oslira_executors (
	executor_id         text primary key,
	role                text not null,
	application_version text not null,
	instance_id         text not null,
	hostname            text not null,
	pid                 integer not null,
	started_at          timestamptz not null,
	heartbeat_at        timestamptz not null
);
create table if not exists dbos.oslira_janitor (
	workflow_uuid    text primary key,
	resumes          integer not null,
	last_resumed_at  timestamptz not null,
	last_executor_id text not null,
	gave_up_at       timestamptz
);`

// Migrate creates or upgrades schema "dbos": DBOS's system tables at the version this build of
// DBOS expects, then the adapter's own tables. `oslira migrate` calls it after postgres.Migrate;
// hosts never migrate (they verify the version at start and fail when it is behind).
//
// DBOS's migration runner takes no lock, so Migrate holds a session advisory lock for the whole
// run: callers that migrate at once (processes, or goroutines) queue up, and the later ones find
// nothing to do. The lock lives on a connection of its own, opened with pool's configuration
// and outside it, so waiting callers never starve the pool the runner works on; and waiters
// poll pg_try_advisory_lock rather than block in pg_advisory_lock, because a session blocked in
// a statement holds a snapshot, and DBOS's CREATE INDEX CONCURRENTLY waits for every older
// snapshot: a blocked waiter and the migrating holder would wait for each other.
//
// It runs DBOS's own runner through a DBOS context that is never launched (no goroutine, no
// LISTEN), on pool itself, so no connection URL has to be rebuilt. log may be nil.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("dbos migrate: connect: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if err := lockPolling(ctx, conn, migrateLock); err != nil {
		return fmt.Errorf("dbos migrate: lock: %w", err)
	}
	defer func() { // closing the session would release it as well
		_, _ = conn.Exec(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", migrateLock)
	}()

	// The DBOS context derives its whole life from runCtx; cancelling it releases everything.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = sdk.NewContext(runCtx, sdk.Config{
		AppName:            DefaultAppName,
		SystemDBPool:       pool,
		DatabaseSchema:     Schema,
		Logger:             log.With("component", "dbos-migrate"),
		ApplicationVersion: "migrate", // not registered: the context is never launched
		ExecutorID:         "migrate",
	})
	if err != nil {
		return fmt.Errorf("dbos migrate: %w", err)
	}
	if _, err := conn.Exec(ctx, ownTables); err != nil {
		return fmt.Errorf("dbos migrate: adapter tables: %w", err)
	}
	return nil
}

// lockPollInterval is how often a waiting Migrate retries the lock.
const lockPollInterval = 200 * time.Millisecond

// lockPolling takes the session advisory lock key on conn, polling until it is free or ctx ends.
func lockPolling(ctx context.Context, conn *pgx.Conn, key int64) error {
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "select pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
			return err
		}
		if ok {
			return nil
		}
		t := time.NewTimer(lockPollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Migrated reports whether Migrate has completed on pool's database: the adapter's own tables,
// which Migrate creates after DBOS's system tables, exist. It only reads. (A newer DBOS that
// needs a further migration of its own is still caught by NewClient and NewExecutor.)
func Migrated(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var ok bool
	err := pool.QueryRow(ctx, `select to_regclass('dbos.workflow_status') is not null
		and to_regclass('dbos.oslira_executors') is not null and to_regclass('dbos.oslira_janitor') is not null`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("dbos: read schema: %w", err)
	}
	return ok, nil
}
