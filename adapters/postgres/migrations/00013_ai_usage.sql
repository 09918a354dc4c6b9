-- Language-model calls (core/ai): the exact-match response cache and the usage ledger.
--
-- llm_cache is system data shared by every account (an answer depends only on the provider, model,
-- prompts and schema hashed into its key): one row per key, replaced on each store, ignored once
-- expires_at has passed.
--
-- ai_usage has one row per attempt of a model call (a malformed first answer and its retry are two
-- rows): the account billed (null for system work and anonymous analyses), purpose, tier,
-- provider, model, tokens, cost in micro-dollars (cost_known false when the model had no price),
-- what a cache hit saved, latency, cache hit and status. Members of an account read its rows
-- through RLS; only the login role writes.

-- +goose Up

create table public.llm_cache (
  key                text primary key
                       constraint llm_cache_key_sha256 check (key ~ '^[0-9a-f]{64}$'),
  provider           text not null,
  model              text not null,
  response           jsonb not null,
  input_tokens       bigint not null default 0,
  output_tokens      bigint not null default 0,
  cached_tokens      bigint not null default 0,
  cache_write_tokens bigint not null default 0,
  -- What the answer cost when it was made: what every hit saves.
  cost_micros        bigint not null default 0 constraint llm_cache_cost_non_negative check (cost_micros >= 0),
  cost_known         boolean not null,
  created_at         timestamptz not null default now(),
  expires_at         timestamptz not null,
  constraint llm_cache_expiry_after_creation check (expires_at > created_at)
);
create index llm_cache_expires_idx on public.llm_cache (expires_at);

revoke all on public.llm_cache from public, anon, authenticated;
-- System only: RLS on and no policy, so the API roles see nothing even with a stray grant.
alter table public.llm_cache enable row level security;

create table public.ai_usage (
  id                 bigint generated always as identity primary key,
  account_id         uuid constraint fk_ai_usage_account references public.accounts (id) on delete cascade,
  purpose            text not null constraint ai_usage_purpose_not_blank check (btrim(purpose) <> ''),
  tier               text not null constraint ai_usage_tier_known check (tier in ('small', 'strong')),
  provider           text not null,
  model              text not null,
  input_tokens       bigint not null default 0,
  output_tokens      bigint not null default 0,
  cached_tokens      bigint not null default 0,
  cache_write_tokens bigint not null default 0,
  cost_micros        bigint not null default 0,
  cost_known         boolean not null,
  saved_micros       bigint not null default 0,
  latency_ms         integer not null,
  cache_hit          boolean not null,
  status             text not null constraint ai_usage_status_known check (status in ('ok', 'error')),
  error_code         text,
  created_at         timestamptz not null default now(),
  constraint ai_usage_tokens_non_negative check (
    input_tokens >= 0 and output_tokens >= 0 and cached_tokens >= 0 and cache_write_tokens >= 0),
  constraint ai_usage_money_non_negative check (cost_micros >= 0 and saved_micros >= 0 and latency_ms >= 0),
  constraint ai_usage_error_code_iff_error check ((status = 'error') = (error_code is not null))
);
-- The account's usage, newest first (also the RLS column); time windows for operators' queries.
create index ai_usage_account_created_idx on public.ai_usage (account_id, created_at desc);
create index ai_usage_created_idx on public.ai_usage (created_at);

revoke all on public.ai_usage from public, anon, authenticated, service_role;
alter table public.ai_usage enable row level security;
grant select on public.ai_usage to authenticated;

create policy ai_usage_select_member on public.ai_usage
  for select to authenticated
  using (account_id in (select app.user_account_ids()));

-- +goose Down

drop table public.ai_usage;
drop table public.llm_cache;
