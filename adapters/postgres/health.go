package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/core/observe"
)

// healthCheck reports whether the database answers and carries every embedded migration.
type healthCheck struct {
	pool *pgxpool.Pool
}

// NewHealthCheck returns the critical "database" checker: it runs `select 1` and then compares the
// applied migration version with the newest embedded one. Its errors name what failed (unreachable,
// timed out, SQLSTATE, pending migrations) and never contain connection details.
func NewHealthCheck(pool *pgxpool.Pool) observe.HealthChecker { return &healthCheck{pool: pool} }

func (h *healthCheck) Name() string   { return "database" }
func (h *healthCheck) Critical() bool { return true }

func (h *healthCheck) Check(ctx context.Context) error {
	var one int
	if err := h.pool.QueryRow(ctx, "select 1").Scan(&one); err != nil {
		return fmt.Errorf("select 1: %s", reason(err))
	}
	current, latest, err := MigrationVersion(ctx, h.pool)
	if err != nil {
		return fmt.Errorf("read migration version: %s", reason(err))
	}
	if current < latest {
		return fmt.Errorf("migrations pending: database at version %d, binary expects %d", current, latest)
	}
	return nil
}

// reason describes err for an operator without quoting it: driver errors can name hosts, users
// and databases.
func reason(err error) string {
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		return "server error " + pgErr.Code
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case isConnectionError(err):
		return "cannot reach the server"
	case strings.Contains(err.Error(), "closed pool"):
		return "the connection pool is closed"
	default:
		return "unexpected failure"
	}
}
