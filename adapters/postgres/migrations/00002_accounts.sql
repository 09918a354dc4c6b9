-- Users, accounts and memberships, with row-level security for the user scope.
--
-- Rules followed here and by every later migration:
--   * tenant tables enable RLS; policies are `to authenticated` and use only the wrapped forms
--     `(select auth.uid())` / `account_id in (select app.user_account_ids())`, so Postgres evaluates
--     the helper once per statement (an initPlan) instead of once per row;
--   * every function in schema `app` is SECURITY DEFINER with `set search_path = ''` and refers to
--     objects by schema-qualified names; EXECUTE is revoked from PUBLIC and granted explicitly;
--   * policy columns are indexed.

-- +goose Up

create schema if not exists app;
comment on schema app is 'oslira: helpers used by row-level security policies';

create table public.users (
  id           uuid primary key, -- the Supabase Auth user id (JWT sub)
  email        text not null unique,
  full_name    text,
  avatar_url   text,
  is_admin     boolean not null default false,
  is_suspended boolean not null default false,
  last_seen_at timestamptz,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  deleted_at   timestamptz
);

create table public.accounts (
  id                 uuid primary key default gen_random_uuid(),
  owner_id           uuid not null constraint fk_accounts_owner references public.users (id),
  name               text not null constraint accounts_name_not_blank check (btrim(name) <> ''),
  slug               text unique,
  stripe_customer_id text unique,
  is_suspended       boolean not null default false,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  deleted_at         timestamptz
);
create index accounts_owner_id_idx on public.accounts (owner_id);

create table public.account_members (
  id         uuid primary key default gen_random_uuid(),
  account_id uuid not null constraint fk_account_members_account
               references public.accounts (id) on delete cascade,
  user_id    uuid not null constraint fk_account_members_user
               references public.users (id) on delete cascade,
  role       text not null default 'member'
               constraint account_members_role_check check (role in ('owner', 'admin', 'member')),
  invited_by uuid constraint fk_account_members_invited_by
               references public.users (id) on delete set null,
  joined_at  timestamptz not null default now(),
  created_at timestamptz not null default now(),
  constraint account_members_account_user_key unique (account_id, user_id)
);
-- (account_id, user_id) is covered by the unique index; the helper looks members up by user.
create index account_members_user_id_idx on public.account_members (user_id);

-- The accounts the caller belongs to. SECURITY DEFINER so that reading account_members here does
-- not re-enter account_members' own policy.
-- +goose StatementBegin
create function app.user_account_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.account_id from public.account_members m where m.user_id = (select auth.uid())
$$;
-- +goose StatementEnd

-- Whether the caller is Oslira staff: app_metadata.role = 'admin' in the token, or users.is_admin.
-- +goose StatementBegin
create function app.is_operator() returns boolean
  language sql stable security definer
  set search_path = ''
as $$
  select coalesce((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin', false)
      or exists (
           select 1 from public.users u
           where u.id = (select auth.uid()) and u.is_admin and u.deleted_at is null
         )
$$;
-- +goose StatementEnd

revoke execute on function app.user_account_ids() from public;
revoke execute on function app.is_operator() from public;
grant usage on schema public to authenticated;
grant usage on schema app to authenticated;
grant execute on function app.user_account_ids() to authenticated;
grant execute on function app.is_operator() to authenticated;

alter table public.users enable row level security;
alter table public.accounts enable row level security;
alter table public.account_members enable row level security;

grant select on public.users, public.accounts, public.account_members to authenticated;

create policy users_select_self on public.users
  for select to authenticated
  using (id = (select auth.uid()));

create policy accounts_select_member on public.accounts
  for select to authenticated
  using (id in (select app.user_account_ids()));

create policy account_members_select_member on public.account_members
  for select to authenticated
  using (account_id in (select app.user_account_ids()));

-- +goose Down

-- Usage on schema public is left alone: on Supabase the platform grants it and relies on it.
drop table public.account_members;
drop table public.accounts;
drop table public.users;
drop schema app cascade;
