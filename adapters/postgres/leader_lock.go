package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// leaderPingTimeout bounds the liveness check of a held lock's session.
const leaderPingTimeout = 5 * time.Second

// LeaderLock elects one leader among processes with a PostgreSQL session-level advisory lock
// (pg_try_advisory_lock) held on a connection of its own, outside the pool: the lock lives
// exactly as long as that session, so a leader that crashes, or whose connection the server
// drops, loses it at once and another process can take it. Locks are per database, so
// processes on the same database and key contend.
//
// The connection must reach PostgreSQL directly or through a session-mode pooler: a
// transaction-mode pooler (PgBouncer's default on Supabase's port 6543) hands the session to
// other clients between statements, and the lock with it. A leader cut off by the network keeps
// the lock on the server until the server notices the dead connection (TCP keepalives), so a
// partition delays failover by that long; it never yields two holders.
//
// It never blocks waiting for the lock: TryLead either gets it or reports that another session
// has it. A LeaderLock is safe for concurrent use, but is meant to be driven by one loop.
type LeaderLock struct {
	cfg *pgx.ConnConfig
	key int64

	mu   sync.Mutex
	conn *pgx.Conn // open between calls, held or not, so a follower does not reconnect each time
	held bool
}

// NewLeaderLock returns a lock on key, connecting like pool (same server, database and
// credentials) with application_name set to appName (when not empty), so operators can see the
// leader in pg_stat_activity.
func NewLeaderLock(pool *pgxpool.Pool, key int64, appName string) *LeaderLock {
	cfg := pool.Config().ConnConfig.Copy()
	if appName != "" {
		cfg.RuntimeParams["application_name"] = appName
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = leaderPingTimeout
	}
	return &LeaderLock{cfg: cfg, key: key}
}

// ErrLeadershipLost reports that the session holding the lock is gone: the lock was released by
// the server, and another process may hold it by now.
var ErrLeadershipLost = errors.New("leader lock: the session holding the lock is gone")

// TryLead reports whether this process holds the lock, taking it when it is free. While held,
// each call checks that the lock's session is alive; when it is not, TryLead returns false and
// an error wrapping ErrLeadershipLost, and the next call tries to take the lock again on a new
// connection. A call that cannot reach the database returns false and the error.
func (l *LeaderLock) TryLead(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// The session's statements run on a context detached from the caller's cancellation (bounded
	// by leaderPingTimeout instead): pgx closes a connection whose query is cancelled, and the
	// server ends that session — and frees its lock — only some time after the close returns,
	// so a scheduler stopping mid-tick would hand over leadership late instead of unlocking at
	// once in Release.
	if l.held {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaderPingTimeout)
		err := l.conn.Ping(pctx)
		cancel()
		if err == nil {
			return true, nil
		}
		l.closeLocked()
		return false, fmt.Errorf("%w: %w", ErrLeadershipLost, err)
	}
	if l.conn == nil || l.conn.IsClosed() {
		conn, err := pgx.ConnectConfig(ctx, l.cfg)
		if err != nil {
			return false, fmt.Errorf("leader lock: connect: %w", err)
		}
		l.conn = conn
	}
	var got bool
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaderPingTimeout)
	defer cancel()
	if err := l.conn.QueryRow(qctx, "select pg_try_advisory_lock($1)", l.key).Scan(&got); err != nil {
		l.closeLocked()
		return false, fmt.Errorf("leader lock: try: %w", err)
	}
	l.held = got
	return got, nil
}

// Held reports whether the last TryLead found the lock held by this process. It does not check
// the session.
func (l *LeaderLock) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// BackendPID is the server process id of the lock's session (0 when there is none), for logs
// and for tests that kill it.
func (l *LeaderLock) BackendPID() uint32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil || l.conn.IsClosed() {
		return 0
	}
	return l.conn.PgConn().PID()
}

// Release gives the lock up, when held, and closes the connection. The lock is gone once the
// session ends even if the unlock fails.
func (l *LeaderLock) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if l.held && l.conn != nil {
		_, err = l.conn.Exec(ctx, "select pg_advisory_unlock($1)", l.key)
	}
	l.closeLocked()
	if err != nil {
		return fmt.Errorf("leader lock: release: %w", err)
	}
	return nil
}

// closeLocked closes the connection (which ends the session and any lock it held).
func (l *LeaderLock) closeLocked() {
	if l.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), leaderPingTimeout)
		_ = l.conn.Close(ctx)
		cancel()
	}
	l.conn, l.held = nil, false
}
