-- Rate limits (core/ratelimit) and the anonymous analysis's result cache (core/analyze).
--
-- rate_limits holds the limiter's state per policy and key, shared by every process: for a
-- rolling policy (GCRA) `until` is the key's theoretical arrival time, the instant its budget is
-- whole again, and `used` stays 0; for a calendar quota `until` is the end of the current window
-- and `used` the units spent in it. Either way a row whose `until` has passed says nothing more
-- than a missing row, so the retention job deletes those (target rate_limits.expired). Each
-- decision is one `insert ... on conflict do update ... returning`: the row lock serialises
-- concurrent requests for one key across processes. `allowed` is the last decision, so that
-- statement can return it (PostgreSQL 15 has no RETURNING old).
--
-- anonymous_results caches the landing page's anonymous analysis per handle for
-- analyze.AnonymousTTL (6 h), across visitors; retention deletes rows past it.

-- +goose Up

create table public.rate_limits (
  policy  text not null constraint rate_limits_policy_not_blank check (btrim(policy) <> ''),
  key     text not null constraint rate_limits_key_length check (octet_length(key) between 1 and 200),
  until   timestamptz not null,
  used    integer not null default 0 constraint rate_limits_used_range check (used >= 0),
  allowed boolean not null,
  constraint rate_limits_pkey primary key (policy, key)
);
-- The retention job deletes by expiry.
create index rate_limits_until_idx on public.rate_limits (until);

revoke all on public.rate_limits from public, anon, authenticated;
-- System only (the HTTP host, as the login role): RLS on and no policy, so the API roles see
-- nothing even with a stray grant.
alter table public.rate_limits enable row level security;

create table public.anonymous_results (
  username   text primary key constraint anonymous_results_username_format
               check (username ~ '^[a-z0-9._]{1,30}$'),
  -- The whole analyze.AnonymousResult as the adapter wrote it (Cached false).
  result     jsonb not null,
  created_at timestamptz not null default now()
);
create index anonymous_results_created_at_idx on public.anonymous_results (created_at);

revoke all on public.anonymous_results from public, anon, authenticated;
-- System only, like the other caches.
alter table public.anonymous_results enable row level security;

-- +goose Down

drop table public.anonymous_results;
drop table public.rate_limits;
