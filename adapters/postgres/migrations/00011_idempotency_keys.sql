-- Idempotency keys (core/idempotency): one row per caller, route and client key, holding the
-- request's fingerprint and, once it succeeded, its response for replay. Rows live 24 hours
-- (expires_at); the cron host's idempotency-prune job deletes expired ones.

-- +goose Up

create table public.idempotency_keys (
  scope        text not null constraint idempotency_keys_scope_not_blank check (btrim(scope) <> ''),
  route        text not null constraint idempotency_keys_route_not_blank check (btrim(route) <> ''),
  key          text not null constraint idempotency_keys_key_length check (octet_length(key) between 1 and 200),
  fingerprint  text not null,
  -- The current holder (a random token): Complete and Release act only while it still holds.
  token        text not null,
  -- In flight until then; after it, a retry with the same fingerprint may take the key over.
  locked_until timestamptz,
  -- The stored response: all null while in flight, all set once completed.
  status       smallint constraint idempotency_keys_status_range check (status between 100 and 599),
  headers      jsonb,
  body         bytea,
  created_at   timestamptz not null,
  expires_at   timestamptz not null,
  constraint idempotency_keys_pkey primary key (scope, route, key),
  constraint idempotency_keys_state check (
    (status is null and locked_until is not null and body is null)
    or (status is not null and locked_until is null and body is not null))
);
-- The prune job deletes by expiry.
create index idempotency_keys_expires_idx on public.idempotency_keys (expires_at);

revoke all on public.idempotency_keys from public, anon, authenticated;
-- System only (the HTTP host, as the login role): RLS on and no policy, so the API roles see
-- nothing even with a stray grant.
alter table public.idempotency_keys enable row level security;

-- +goose Down

drop table public.idempotency_keys;
