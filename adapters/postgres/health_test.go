package postgres_test

import (
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

func TestHealthCheck(t *testing.T) {
	t.Parallel()
	check := postgres.NewHealthCheck(pgtest.Pool(t))
	if check.Name() != "database" || !check.Critical() {
		t.Fatalf("name %q critical %v, want database/true", check.Name(), check.Critical())
	}
	if err := check.Check(t.Context()); err != nil {
		t.Fatalf("Check on a migrated database: %v", err)
	}
}

func TestHealthCheckReportsPendingMigrations(t *testing.T) {
	t.Parallel()
	err := postgres.NewHealthCheck(pgtest.EmptyPool(t)).Check(t.Context())
	if err == nil || !strings.Contains(err.Error(), "pending") {
		t.Fatalf("Check on an unmigrated database = %v, want pending migrations", err)
	}
}

func TestHealthCheckReportsAClosedPool(t *testing.T) {
	t.Parallel()
	pool := pgtest.EmptyPool(t)
	pool.Close()
	err := postgres.NewHealthCheck(pool).Check(t.Context())
	if err == nil {
		t.Fatal("Check on a closed pool = nil")
	}
	if strings.Contains(err.Error(), "oslira_test_") || strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("health error reveals connection details: %v", err)
	}
}
