-- Single-use tickets that authenticate the live-progress WebSocket (core/live.Tickets) without
-- putting an access token in a URL. POST /v1/events/ticket issues one; GET /v1/events redeems it,
-- in whichever http process the socket reaches, hence a table and not process memory.
--
-- Only the SHA-256 of a ticket is stored: someone who reads the table cannot redeem what it
-- holds. A redemption is one `delete ... where hash = $1 and expires_at > now() returning`: the
-- row lock makes it single use across processes (of two concurrent redemptions exactly one gets
-- the row). Expired rows say no more than missing ones; retention deletes them
-- (target event_tickets.expired).

-- +goose Up

create table public.event_tickets (
  hash       bytea primary key constraint event_tickets_hash_length check (octet_length(hash) = 32),
  user_id    uuid not null constraint fk_event_tickets_user references public.users (id) on delete cascade,
  account_id uuid not null constraint fk_event_tickets_account references public.accounts (id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
-- The retention job deletes by expiry.
create index event_tickets_expires_at_idx on public.event_tickets (expires_at);

revoke all on public.event_tickets from public, anon, authenticated;
-- System only (the HTTP host, as the login role): RLS on and no policy, so the API roles see
-- nothing even with a stray grant.
alter table public.event_tickets enable row level security;

-- +goose Down

drop table public.event_tickets;
