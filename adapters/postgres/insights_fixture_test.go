package postgres_test

import (
	"context"
	"testing"

	"github.com/oslira/oslira/adapters/postgres"
)

// sqlWorkflowStatusDev is the part of DBOS's dbos.workflow_status the workflow answer reads
// (name, status, created_at in epoch milliseconds), for a private test database: postgres tests
// cannot run DBOS's own migration (an adapter does not import another).
const sqlWorkflowStatusDev = `
create schema if not exists dbos;
create table if not exists dbos.workflow_status (
  workflow_uuid text primary key,
  status        text,
  name          text,
  created_at    bigint not null default (extract(epoch from now()) * 1000)::bigint
);
create index if not exists workflow_status_created_at_index on dbos.workflow_status (created_at);`

// ensureWorkflowStatus creates what the insights store reads beyond this package's migrations
// (DBOS's table). Call it on a private database (pgtest.IsolatedPool): DDL on the shared one would race.
func ensureWorkflowStatus(t testing.TB, q postgres.Querier) {
	t.Helper()
	if _, err := q.Exec(context.Background(), sqlWorkflowStatusDev); err != nil {
		t.Fatalf("create analytics tables: %v", err)
	}
}
