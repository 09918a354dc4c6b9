-- Request analytics (core/analytics): one row per HTTP request, copied in batches by the HTTP
-- host (postgres.AnalyticsWriter, COPY), read by the operators' analytics queries. System data:
-- RLS on with no policy and no grants, so the API roles see nothing; the host writes and the
-- admin queries read as the login role.
--
-- Partitioned by UTC month (analytics_events_yYYYYmMM, [first of the month, first of the next)
-- in UTC) so retention drops a month in one statement instead of deleting millions of rows. A
-- default partition catches what no month holds (a clock far off, a month the upkeep job has
-- not created yet); app.ensure_analytics_partitions moves such rows into their month when it
-- creates it. The cron job analytics-partitions creates the next months ahead and drops the
-- months past retention (maintenance.AnalyticsPartitions).
--
-- Column names are the admin queries' contract: change them only together.

-- +goose Up

create table public.analytics_events (
  occurred_at    timestamptz not null,
  request_id     text,
  method         text,
  route          text,
  status         smallint,
  latency_us     integer,
  user_id        uuid,
  account_id     uuid,
  analysis_type  text,
  ai_cost_micros bigint default 0,
  credits_used   integer default 0,
  client_ip_hash text
) partition by range (occurred_at);

-- Windows over all traffic, per route (latency percentiles) and per account (cost concentration).
create index analytics_events_occurred_at_idx on public.analytics_events (occurred_at);
create index analytics_events_route_idx on public.analytics_events (route, occurred_at);
create index analytics_events_account_idx on public.analytics_events (account_id, occurred_at);

create table public.analytics_events_default partition of public.analytics_events default;

revoke all on public.analytics_events from public, anon, authenticated;
revoke all on public.analytics_events_default from public, anon, authenticated;
alter table public.analytics_events enable row level security;
alter table public.analytics_events_default enable row level security;

-- app.ensure_analytics_partitions creates the monthly partitions of the `months` UTC months
-- starting with start_month's month (the day is ignored) that do not exist yet, and returns the
-- names it created. Rows of such a month already in the default partition move into it (in the
-- same transaction), since a range the default partition holds rows of cannot be attached.
-- Each new partition gets row-level security and no grants, like its parent. Concurrent calls
-- are serialised by a transaction advisory lock. 1 ≤ months ≤ 120.
-- +goose StatementBegin
create function app.ensure_analytics_partitions(start_month date, months integer)
returns setof text
language plpgsql security definer set search_path = '' as $$
declare
  m    date;
  lo   text;
  hi   text;
  part text;
begin
  if start_month is null or months is null or months < 1 or months > 120 then
    raise exception 'ensure_analytics_partitions: months must be 1 to 120 and start_month set'
      using errcode = '22023';
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.ensure_analytics_partitions'));
  m := pg_catalog.date_trunc('month', start_month)::date;
  for i in 1 .. months loop
    part := 'analytics_events_y' || pg_catalog.to_char(m, 'YYYY') || 'm' || pg_catalog.to_char(m, 'MM');
    lo := pg_catalog.to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00';
    hi := pg_catalog.to_char((m + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00';
    if pg_catalog.to_regclass('public.' || part) is null then
      execute pg_catalog.format('create table public.%I (like public.analytics_events including defaults)', part);
      execute pg_catalog.format(
        'with moved as (delete from public.analytics_events_default where occurred_at >= %L and occurred_at < %L returning *)
         insert into public.%I select * from moved', lo, hi, part);
      execute pg_catalog.format('alter table public.analytics_events attach partition public.%I for values from (%L) to (%L)',
        part, lo, hi);
      execute pg_catalog.format('alter table public.%I enable row level security', part);
      execute pg_catalog.format('revoke all on public.%I from public, anon, authenticated', part);
      return next part;
    end if;
    m := (m + interval '1 month')::date;
  end loop;
end
$$;
revoke all on function app.ensure_analytics_partitions(date, integer) from public;
-- +goose StatementEnd

-- The current UTC month and the next two.
select app.ensure_analytics_partitions((now() at time zone 'UTC')::date, 3);

-- +goose Down

drop function app.ensure_analytics_partitions(date, integer);
drop table public.analytics_events;
