package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/core/live"
)

// Listener reconnection backoff: the first retry after about minBackoff, doubling to maxBackoff.
const (
	listenerMinBackoff = 100 * time.Millisecond
	listenerMaxBackoff = 5 * time.Second
)

// ListenerApplicationName is the listener connection's application_name (pg_stat_activity).
const ListenerApplicationName = "oslira-live-listener"

// listenChannel is the channel the analysis_events trigger notifies (migration 00015).
const listenChannel = "analysis_events"

// Listener is the live hub's Notifier: one dedicated connection of its own (not one of the
// pool's: a LISTEN belongs to a session and must outlive every query) running
// LISTEN analysis_events. It reconnects with exponential backoff and jitter whenever the
// connection fails, and wakes the hub after every (re)connection so that it reads from the table
// whatever was written while nobody listened.
type Listener struct {
	cfg      *pgx.ConnConfig
	log      *slog.Logger
	min, max time.Duration
}

var _ live.Notifier = (*Listener)(nil)

// NewListener returns a Listener connecting with pool's connection settings; log may be nil.
func NewListener(pool *pgxpool.Pool, log *slog.Logger) *Listener {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = ListenerApplicationName
	return &Listener{cfg: cfg, log: log, min: listenerMinBackoff, max: listenerMaxBackoff}
}

// Listen implements live.Notifier: it returns only when ctx ends, with ctx's error. A loss of
// the connection is logged once at WARN, its recovery at INFO.
func (l *Listener) Listen(ctx context.Context, wake func()) error {
	delay := l.min
	var lost time.Time
	for {
		conn, err := l.connect(ctx)
		if err == nil {
			if !lost.IsZero() {
				l.log.Info("live: listener reconnected", "down", time.Since(lost).Round(time.Millisecond).String())
				lost = time.Time{}
			}
			delay = l.min
			wake()
			err = l.follow(ctx, conn, wake)
			closeConn(conn)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if lost.IsZero() {
			lost = time.Now()
			l.log.Warn("live: listener connection lost; reconnecting", "error", err.Error())
		}
		// Full jitter over [delay/2, delay): processes that lost the same server do not all
		// come back at the same instant.
		pause := delay/2 + rand.N(delay/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		delay = min(delay*2, l.max)
	}
}

// connect opens the connection and starts listening.
func (l *Listener) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return nil, fmt.Errorf("listener: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "listen "+listenChannel); err != nil {
		closeConn(conn)
		return nil, fmt.Errorf("listener: listen: %w", err)
	}
	return conn, nil
}

// follow calls wake for every notification until the connection fails or ctx ends.
func (l *Listener) follow(ctx context.Context, conn *pgx.Conn, wake func()) error {
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("listener: wait: %w", err)
		}
		wake()
	}
}

// closeConn closes conn within a bounded time, even after ctx ended.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	_ = conn.Close(ctx)
}
