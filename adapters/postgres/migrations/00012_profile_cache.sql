-- Profile cache (core/lead.ProfileCache): the last scrape answer per Instagram username, shared by
-- every account (profiles are public data; who asked is not stored). One row per lowercased
-- username, replaced on each scrape; readers ignore rows older than the TTL (24 h; 1 h for "not
-- found"), so an old row costs only its space until the handle is scraped again.

-- +goose Up

create table public.profile_cache (
  username     text primary key
               constraint profile_cache_username_canonical check (username = lower(username) and octet_length(username) between 1 and 64),
  outcome      text not null constraint profile_cache_outcome_known check (outcome in ('found', 'not_found', 'private')),
  provider     text not null,
  -- The whole lead.ScrapeResult (profile snapshot with its posts) as the adapter wrote it.
  result       jsonb not null,
  cost_micros  bigint not null default 0 constraint profile_cache_cost_non_negative check (cost_micros >= 0),
  -- When the provider answered, and when this row was written (the TTL runs from stored_at).
  fetched_at   timestamptz not null,
  stored_at    timestamptz not null default now()
);
create index profile_cache_stored_at_idx on public.profile_cache (stored_at);

revoke all on public.profile_cache from public, anon, authenticated;
-- System only (the worker and HTTP host as the login role): RLS on and no policy, so the API
-- roles see nothing even with a stray grant.
alter table public.profile_cache enable row level security;

-- +goose Down

drop table public.profile_cache;
