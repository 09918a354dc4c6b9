-- Maintenance (the cron host): the run log of scheduled jobs, an index for the retention of
-- processed webhook events, and the free plan's monthly credits.

-- +goose Up

-- One row per job and period (maintenance.Schedule's period key: "2026-03", "2026-03-01",
-- "2026-03-01T12:00:30Z"). The primary key makes a period run at most once at a time across
-- processes; attempt counts re-claims of a period (after a failure, or after a runner died with
-- the run in progress). Written by system code only (the cron host, as the login role).
create table public.cron_runs (
  job         text not null constraint cron_runs_job_format check (job ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  period_key  text not null constraint cron_runs_period_not_blank check (btrim(period_key) <> ''),
  attempt     integer not null default 1 constraint cron_runs_attempt_positive check (attempt >= 1),
  runner      text not null default '',
  started_at  timestamptz not null default now(),
  finished_at timestamptz,
  outcome     text not null default 'running'
                constraint cron_runs_outcome_check check (outcome in ('running', 'succeeded', 'failed')),
  detail      text,
  constraint cron_runs_pkey primary key (job, period_key),
  constraint cron_runs_finished_when_done check ((outcome = 'running') = (finished_at is null))
);
-- Retention deletes by age.
create index cron_runs_started_idx on public.cron_runs (started_at);

revoke all on public.cron_runs from public, anon, authenticated;
-- System only: RLS on and no policy, so the API roles see nothing even with a stray grant.
alter table public.cron_runs enable row level security;

-- Retention deletes processed events by age (unprocessed ones have their own index, 00005).
create index webhook_events_processed_idx on public.webhook_events (processed_at)
  where processed_at is not null;

-- The free plan grants 10 credits a month (the original's pricing configuration; its plans seed
-- said 0, which would make the free-plan grant a no-op). Only a plan still at the seeded 0 is
-- changed, so an operator's own value survives.
update public.plans set credits_per_month = 10, updated_at = now()
where name = 'free' and credits_per_month = 0;

-- +goose Down

update public.plans set credits_per_month = 0, updated_at = now()
where name = 'free' and credits_per_month = 10;
drop index public.webhook_events_processed_idx;
drop table public.cron_runs;
