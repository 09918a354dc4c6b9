-- Analyses (core/analysis, core/analyze): leads, analyses, bulk batches, progress events and the
-- operations ledger.
--
-- Every write goes through the admin scope (the submit transaction, the analysis workflow's
-- steps, the reaper); members only read, and soft-delete their leads. An analysis is submitted
-- pending in the transaction that debits its credits (reference 'analysis:<id>') and enqueues its
-- workflow (run id 'analysis:<id>'); it ends completed (scored, or bypassed with a refund),
-- failed (refunded) or cancelled (refunded). The refund's ledger reference is the analysis id
-- too, and app.apply_credit is idempotent per (account, kind, reference): one refund at most.
--
-- At most one analysis per (account, business profile, handle) is in flight (pending or
-- running): a unique partial index, so that concurrent submits of one handle cannot both win.

-- +goose Up

create table public.leads (
  id                  uuid primary key default gen_random_uuid(),
  account_id          uuid not null
                        constraint fk_leads_account references public.accounts (id) on delete cascade,
  business_profile_id uuid not null
                        constraint fk_leads_business_profile references public.business_profiles (id) on delete cascade,
  username            text not null constraint leads_username_format
                        check (username ~ '^[a-z0-9._]{1,30}$'),
  display_name        text not null default '',
  biography           text not null default '',
  followers_count     bigint not null default 0 constraint leads_followers_range check (followers_count >= 0),
  following_count     bigint not null default 0 constraint leads_following_range check (following_count >= 0),
  posts_count         bigint not null default 0 constraint leads_posts_range check (posts_count >= 0),
  verified            boolean not null default false,
  private             boolean not null default false,
  business_account    boolean not null default false,
  business_category   text not null default '',
  external_url        text not null default '',
  profile_pic_url     text not null default '',
  -- The latest completed analysis (scored or bypassed) and its score (null when bypassed).
  last_analysis_id    uuid,
  last_score          integer constraint leads_last_score_range check (last_score between 0 and 100),
  last_tier           text constraint leads_last_tier_check check (last_tier in ('hot', 'warm', 'cool', 'cold')),
  analyses_count      integer not null default 0 constraint leads_analyses_count_range check (analyses_count >= 0),
  first_analyzed_at   timestamptz not null default clock_timestamp(),
  last_analyzed_at    timestamptz not null default clock_timestamp(),
  created_at          timestamptz not null default clock_timestamp(),
  updated_at          timestamptz not null default clock_timestamp(),
  deleted_at          timestamptz
);
-- One live lead per account, business profile and handle (the upsert's conflict target); a
-- deleted lead analysed again becomes a new lead.
create unique index leads_live_key on public.leads (account_id, business_profile_id, username)
  where deleted_at is null;
-- Listings per profile, keyset-paged on each sort key and id.
create index leads_profile_analyzed_idx on public.leads (business_profile_id, last_analyzed_at desc, id desc)
  where deleted_at is null;
create index leads_profile_followers_idx on public.leads (business_profile_id, followers_count desc, id desc)
  where deleted_at is null;
create index leads_profile_score_idx on public.leads (business_profile_id, (coalesce(last_score, -1)) desc, id desc)
  where deleted_at is null;
create index leads_account_idx on public.leads (account_id);
create index leads_deleted_idx on public.leads (deleted_at) where deleted_at is not null;

create table public.analysis_batches (
  id                  uuid primary key default gen_random_uuid(),
  account_id          uuid not null
                        constraint fk_analysis_batches_account references public.accounts (id) on delete cascade,
  business_profile_id uuid not null
                        constraint fk_analysis_batches_business_profile references public.business_profiles (id) on delete cascade,
  type                text not null constraint analysis_batches_type_check check (type in ('light', 'deep', 'xray')),
  total               integer not null constraint analysis_batches_total_range check (total between 1 and 1000),
  requested_by        uuid,
  cancelled_at        timestamptz,
  created_at          timestamptz not null default clock_timestamp()
);
create index analysis_batches_account_idx on public.analysis_batches (account_id, created_at desc);

create table public.analyses (
  id                  uuid primary key default gen_random_uuid(),
  account_id          uuid not null
                        constraint fk_analyses_account references public.accounts (id) on delete cascade,
  business_profile_id uuid not null
                        constraint fk_analyses_business_profile references public.business_profiles (id) on delete cascade,
  batch_id            uuid constraint fk_analyses_batch references public.analysis_batches (id) on delete set null,
  lead_id             uuid constraint fk_analyses_lead references public.leads (id) on delete set null,
  username            text not null constraint analyses_username_format check (username ~ '^[a-z0-9._]{1,30}$'),
  type                text not null constraint analyses_type_check check (type in ('light', 'deep', 'xray')),
  credits             bigint not null constraint analyses_credits_range check (credits > 0),
  status              text not null default 'pending'
                        constraint analyses_status_check
                        check (status in ('pending', 'running', 'completed', 'failed', 'cancelled')),
  outcome             text constraint analyses_outcome_check check (outcome in (
                        'scored', 'not_found', 'private', 'icp_mismatch', 'provider_failed', 'expired', 'error', 'cancelled')),
  score               integer constraint analyses_score_range check (score between 0 and 100),
  tier                text constraint analyses_tier_check check (tier in ('hot', 'warm', 'cool', 'cold')),
  summary             text not null default '',
  -- What the models said (core/analyze.Result) and the extraction metrics (core/lead.Metrics).
  result              jsonb,
  metrics             jsonb,
  error_code          text,
  -- The latest progress event's values, for reads that do not stream.
  progress            integer not null default 0 constraint analyses_progress_range check (progress between 0 and 100),
  step                text not null default 'queued',
  refunded            boolean not null default false,
  requested_by        uuid,
  created_at          timestamptz not null default clock_timestamp(),
  started_at          timestamptz,
  completed_at        timestamptz,
  updated_at          timestamptz not null default clock_timestamp(),
  constraint analyses_finished_has_outcome check ((status in ('completed', 'failed', 'cancelled')) = (outcome is not null)),
  constraint analyses_scored_has_score check (outcome is distinct from 'scored' or score is not null)
);
create unique index analyses_in_flight_key on public.analyses (account_id, business_profile_id, username)
  where status in ('pending', 'running');
create index analyses_account_created_idx on public.analyses (account_id, created_at desc, id desc);
create index analyses_lead_created_idx on public.analyses (lead_id, created_at desc, id desc);
create index analyses_batch_idx on public.analyses (batch_id) where batch_id is not null;
create index analyses_unfinished_idx on public.analyses (created_at) where status in ('pending', 'running');
create index analyses_finished_idx on public.analyses (status, completed_at) where status in ('completed', 'failed', 'cancelled');

-- Progress events (DESIGN §7): rows with absolute values, announced on channel
-- 'analysis_events' by a trigger (payload {"id", "account_id", "analysis_id"}), so the NOTIFY is
-- sent exactly when the row commits. A step re-run after a crash writes a harmless duplicate.
create table public.analysis_events (
  id          bigint generated always as identity primary key,
  account_id  uuid not null,
  analysis_id uuid not null constraint fk_analysis_events_analysis references public.analyses (id) on delete cascade,
  type        text not null constraint analysis_events_type_check check (type in ('progress', 'complete', 'failed')),
  step        text not null,
  step_index  integer not null constraint analysis_events_step_index_range check (step_index >= 0),
  step_total  integer not null constraint analysis_events_step_total_range check (step_total >= step_index),
  percent     integer not null constraint analysis_events_percent_range check (percent between 0 and 100),
  message     text not null default '',
  created_at  timestamptz not null default clock_timestamp()
);
create index analysis_events_analysis_idx on public.analysis_events (analysis_id, id);
create index analysis_events_account_idx on public.analysis_events (account_id, id);

-- +goose StatementBegin
create function app.analysis_event_notify() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform pg_catalog.pg_notify('analysis_events', pg_catalog.json_build_object(
    'id', new.id, 'account_id', new.account_id, 'analysis_id', new.analysis_id)::text);
  return null;
end
$$;
revoke all on function app.analysis_event_notify() from public;
-- +goose StatementEnd

create trigger analysis_events_notify after insert on public.analysis_events
  for each row execute function app.analysis_event_notify();

-- Operations ledger: what one finished analysis cost (AI tokens × price table, scraping) and
-- where its time went, one row per analysis. System data: operators read it (analytics).
create table public.operations_ledger (
  id               bigint generated always as identity primary key,
  account_id       uuid,
  analysis_id      uuid not null constraint operations_ledger_analysis_unique unique,
  operation        text not null default 'analysis',
  analysis_type    text not null,
  username         text not null,
  outcome          text not null,
  cost_micros      bigint not null default 0 constraint operations_ledger_cost_range check (cost_micros >= 0),
  ai_cost_micros   bigint not null default 0 constraint operations_ledger_ai_cost_range check (ai_cost_micros >= 0),
  scrape_cost_micros bigint not null default 0 constraint operations_ledger_scrape_cost_range check (scrape_cost_micros >= 0),
  duration_ms      bigint not null default 0 constraint operations_ledger_duration_range check (duration_ms >= 0),
  metrics          jsonb not null default '{}',
  created_at       timestamptz not null default clock_timestamp()
);
create index operations_ledger_account_idx on public.operations_ledger (account_id, created_at);
create index operations_ledger_created_idx on public.operations_ledger (created_at);

-- Members read their accounts' leads, analyses, batches and events, and soft-delete leads (an
-- UPDATE of deleted_at; no DELETE grant). Everything else is written by the system.
revoke all on public.leads, public.analysis_batches, public.analyses, public.analysis_events,
  public.operations_ledger from public, anon, authenticated, service_role;
alter table public.leads enable row level security;
alter table public.analysis_batches enable row level security;
alter table public.analyses enable row level security;
alter table public.analysis_events enable row level security;
alter table public.operations_ledger enable row level security;

grant select on public.leads, public.analysis_batches, public.analyses, public.analysis_events to authenticated;
grant update (deleted_at, updated_at) on public.leads to authenticated;

create policy leads_select_member on public.leads
  for select to authenticated using (account_id in (select app.user_account_ids()));
create policy leads_update_member on public.leads
  for update to authenticated
  using (account_id in (select app.user_account_ids()))
  with check (account_id in (select app.user_account_ids()));
create policy analysis_batches_select_member on public.analysis_batches
  for select to authenticated using (account_id in (select app.user_account_ids()));
create policy analyses_select_member on public.analyses
  for select to authenticated using (account_id in (select app.user_account_ids()));
create policy analysis_events_select_member on public.analysis_events
  for select to authenticated using (account_id in (select app.user_account_ids()));

-- +goose Down

drop table public.operations_ledger;
drop table public.analysis_events;
drop function app.analysis_event_notify();
drop table public.analyses;
drop table public.analysis_batches;
drop table public.leads;
