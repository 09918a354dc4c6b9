package dbos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// heartbeat keeps this executor's row in dbos.oslira_executors fresh. DBOS v1.8.0 keeps no
// liveness record of its own (recovering another executor's runs is a feature of its commercial
// Conductor), so the janitor judges executors by these rows. Times come from the database clock
// on both sides, so clock skew between hosts does not matter.
type heartbeat struct {
	pool     *pgxpool.Pool
	cfg      Config
	instance string // random per process: tells a restart from a second live process
	log      *slog.Logger
	lastOK   atomic.Int64 // unix nanos of the last successful write
}

func newHeartbeat(pool *pgxpool.Pool, cfg Config, log *slog.Logger) *heartbeat {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &heartbeat{pool: pool, cfg: cfg, instance: hex.EncodeToString(b), log: log}
}

const sqlBeat = `
insert into dbos.oslira_executors
	(executor_id, role, application_version, instance_id, hostname, pid, started_at, heartbeat_at)
values ($1, $2, $3, $4, $5, $6, now(), now())
on conflict (executor_id) do update set
	role = excluded.role,
	application_version = excluded.application_version,
	instance_id = excluded.instance_id,
	hostname = excluded.hostname,
	pid = excluded.pid,
	started_at = case when oslira_executors.instance_id = excluded.instance_id
		then oslira_executors.started_at else excluded.started_at end,
	heartbeat_at = now()`

// beat writes the heartbeat. On the first beat it warns when another process with the same
// executor id looks alive: two live processes sharing an id take each other's runs on restart.
func (h *heartbeat) beat(ctx context.Context, first bool) error {
	if first {
		var instance, host string
		var pid int
		err := h.pool.QueryRow(ctx, `select instance_id, hostname, pid from dbos.oslira_executors
			where executor_id = $1 and heartbeat_at > now() - $2::interval and instance_id <> ''`,
			h.cfg.ExecutorID, (3*h.cfg.HeartbeatInterval).String()).Scan(&instance, &host, &pid)
		switch {
		case err == nil && instance != h.instance:
			h.log.Warn("another process used this executor id moments ago; executor ids must be unique among live processes",
				"other_host", host, "other_pid", pid)
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("dbos: read heartbeat: %w", err)
		}
	}
	host, _ := os.Hostname()
	_, err := h.pool.Exec(ctx, sqlBeat, h.cfg.ExecutorID, h.cfg.Role, h.cfg.ApplicationVersion,
		h.instance, host, os.Getpid())
	if err != nil {
		return fmt.Errorf("dbos: write heartbeat: %w", err)
	}
	h.lastOK.Store(time.Now().UnixNano())
	return nil
}

// releasedInstance is the instance id of a row whose process stopped cleanly: the executor id
// is free, so the next process to take it does not warn about a live twin.
const releasedInstance = ""

// release marks this process's row as released, keeping heartbeat_at: the janitor still judges
// the executor's pending runs by the time of its last beat (so a restart within StaleAfter
// recovers them itself), but the next process with this executor id knows its predecessor
// stopped. A row another process has taken over since is left alone.
func (h *heartbeat) release(ctx context.Context) error {
	_, err := h.pool.Exec(ctx, `update dbos.oslira_executors set instance_id = $3
		where executor_id = $1 and instance_id = $2`, h.cfg.ExecutorID, h.instance, releasedInstance)
	if err != nil {
		return fmt.Errorf("dbos: release executor id: %w", err)
	}
	return nil
}

// loop beats every HeartbeatInterval until ctx ends, then closes done. Failures are logged:
// a database outage stops the heartbeat and, past the janitor's threshold, hands this
// executor's runs to others — whose steps are fenced by DBOS if this process comes back.
func (h *heartbeat) loop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(h.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			bctx, cancel := context.WithTimeout(ctx, h.cfg.HeartbeatInterval)
			if err := h.beat(bctx, false); err != nil && ctx.Err() == nil {
				h.log.Warn("workflow executor heartbeat failed", "error", err)
			}
			cancel()
		}
	}
}

// age is the time since the last successful beat (a very large value before the first one).
func (h *heartbeat) age() time.Duration {
	last := h.lastOK.Load()
	if last == 0 {
		return time.Duration(1<<63 - 1)
	}
	return time.Since(time.Unix(0, last))
}
