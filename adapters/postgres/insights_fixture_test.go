package postgres_test

import (
	"context"
	"testing"

	"github.com/oslira/oslira/adapters/postgres"
)

// sqlAnalyticsEventsDev is public.analytics_events as migration 00018 (being written alongside)
// defines it, unpartitioned, for as long as that migration has not landed: created only when
// the table is missing, so once it exists the real one is used. Delete with the migration's arrival.
const sqlAnalyticsEventsDev = `
create table if not exists public.analytics_events (
  occurred_at    timestamptz not null,
  request_id     text not null default '',
  method         text not null,
  route          text not null,
  status         smallint not null,
  latency_us     integer not null,
  user_id        uuid,
  account_id     uuid,
  analysis_type  text,
  ai_cost_micros bigint not null default 0,
  credits_used   integer not null default 0,
  client_ip_hash text not null default ''
);
create index if not exists analytics_events_occurred_at_idx on public.analytics_events (occurred_at);
create index if not exists analytics_events_route_idx on public.analytics_events (route, occurred_at);
create index if not exists analytics_events_account_idx on public.analytics_events (account_id, occurred_at);`

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

// ensureAnalyticsTables creates what the insights store reads beyond this package's migrations.
// Call it on a private database (pgtest.IsolatedPool): DDL on the shared one would race.
func ensureAnalyticsTables(t testing.TB, q postgres.Querier, dbos bool) {
	t.Helper()
	sql := sqlAnalyticsEventsDev
	if dbos {
		sql += sqlWorkflowStatusDev
	}
	if _, err := q.Exec(context.Background(), sql); err != nil {
		t.Fatalf("create analytics tables: %v", err)
	}
}
