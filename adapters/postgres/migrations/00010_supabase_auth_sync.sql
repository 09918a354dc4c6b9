-- Living beside the real Supabase Auth (issue 7, items 4 and 6).
--
-- 1. Hand-over. Supabase Auth's migrator connects as supabase_auth_admin with search_path = auth,
--    creates its tables there and runs `create or replace function auth.uid()` (and jwt(), role(),
--    email()). A schema auth made by our shim (00001, marked by its comment) is handed over the
--    way Supabase's own postgres image sets it up: supabase_auth_admin gets USAGE and CREATE on
--    the schema and owns the shim's auth.uid()/auth.jwt(), so its `create or replace` succeeds and
--    keeps the functions' OIDs (our policies keep working). app.supabase_auth_handover() does it
--    now when the role exists; when the role is created later, an event trigger
--    (ddl_command_start) does it just before the migrator's first CREATE TABLE. The hand-over is
--    never undone: undoing it would break a Supabase Auth that took over.
--
-- 2. Staying in step with auth.users (the Supabase convention: a trigger on auth.users).
--    oslira_follow_user (AFTER UPDATE OR DELETE) marks a deleted or soft-deleted user
--    users.deleted_at and disables their memberships (account_members.disabled_at), and copies
--    an e-mail change into users.email. It is installed now when auth.users exists, otherwise by
--    an event trigger (ddl_command_end) in the transaction that creates auth.users. The
--    guarantee does not rest on the trigger: app.provision_account refuses (OA403) an id that
--    auth.users does not list (or lists as soft-deleted), and an id whose memberships are all
--    disabled. Without auth.users (plain PostgreSQL with the shim) nothing of this applies.
--
-- 3. users.email is a copy of the identity provider's address, keyed by the user id. Its unique
--    constraint made a new user who took a freed address (or one an old user had left) lose it;
--    Supabase Auth itself lets SSO users share one. The copy is no longer unique.
--
-- Event triggers need a superuser; without one (a managed server) they are not created and a
-- notice says so. Such servers run Supabase Auth before our migrations (its schema is not ours),
-- where nothing has to happen later.

-- +goose Up

alter table public.users drop constraint if exists users_email_key;

alter table public.account_members add column disabled_at timestamptz;
comment on column public.account_members.disabled_at is
  'set when the user was deleted in Supabase Auth: the membership no longer grants access';

-- Gives a shim-made schema auth to supabase_auth_admin (see 1.). Does nothing when the schema is
-- not the shim's, the role does not exist, or the hand-over is done. Without the privileges to
-- do it (not a superuser) it warns with the statements an operator must run.
-- +goose StatementBegin
create function app.supabase_auth_handover() returns void
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_auth  oid;
  v_admin oid;
  v_fn    regprocedure;
begin
  select n.oid into v_auth from pg_catalog.pg_namespace n
  where n.nspname = 'auth'
    and pg_catalog.obj_description(n.oid, 'pg_namespace') = 'oslira: supabase compatibility shim';
  select r.oid into v_admin from pg_catalog.pg_roles r where r.rolname = 'supabase_auth_admin';
  if v_auth is null or v_admin is null then
    return;
  end if;

  if not pg_catalog.has_schema_privilege(v_admin, v_auth, 'USAGE')
     or not pg_catalog.has_schema_privilege(v_admin, v_auth, 'CREATE') then
    grant usage, create on schema auth to supabase_auth_admin;
  end if;
  for v_fn in
    select p.oid::regprocedure from pg_catalog.pg_proc p
    where p.pronamespace = v_auth and p.proname in ('uid', 'jwt') and p.pronargs = 0
      and p.proowner <> v_admin
  loop
    execute pg_catalog.format('alter function %s owner to supabase_auth_admin', v_fn);
  end loop;
exception when insufficient_privilege then
  raise warning 'oslira: schema auth cannot be handed over to supabase_auth_admin (%); as a superuser run: grant usage, create on schema auth to supabase_auth_admin; alter function auth.uid() owner to supabase_auth_admin; alter function auth.jwt() owner to supabase_auth_admin', sqlerrm;
end
$$;
-- +goose StatementEnd

-- Follows one change of auth.users (see 2.). It must never make Supabase Auth's own statement
-- fail: an error here is logged as a warning and the change goes on (provisioning still refuses
-- a user auth.users no longer lists). Columns other than id are read through to_jsonb so that
-- older Supabase Auth versions (no deleted_at) work too.
-- +goose StatementBegin
create function app.supabase_auth_user_changed() returns trigger
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_old   jsonb := pg_catalog.to_jsonb(old);
  v_new   jsonb;
  v_email text;
begin
  if tg_op = 'UPDATE' then
    v_new := pg_catalog.to_jsonb(new);
  end if;
  begin
    if tg_op = 'DELETE' or (v_new ->> 'deleted_at' is not null and v_old ->> 'deleted_at' is null) then
      update public.users u set deleted_at = now(), updated_at = now()
      where u.id = old.id and u.deleted_at is null;
      update public.account_members m set disabled_at = now()
      where m.user_id = old.id and m.disabled_at is null;
    elsif v_new ->> 'deleted_at' is null and (v_new ->> 'email') is distinct from (v_old ->> 'email') then
      -- Stored as the API stores a token's address: trimmed, lower-case, at most 254 characters.
      v_email := lower(btrim(v_new ->> 'email'));
      update public.users u
      set email = case when length(v_email) between 1 and 254 then v_email end, updated_at = now()
      where u.id = new.id;
    end if;
  exception when others then
    raise warning 'oslira: auth.users change of % not followed: % (%)', old.id, sqlerrm, sqlstate;
  end;
  return null;
end
$$;
-- +goose StatementEnd

-- Installs oslira_follow_user on auth.users when that table exists; true when it is in place.
-- Provisioning reads auth.users, so the login role must be able to SELECT it: said here, once,
-- rather than by every sign-in failing.
-- +goose StatementBegin
create function app.supabase_auth_follow_users() returns boolean
  language plpgsql volatile security definer
  set search_path = ''
as $$
begin
  if pg_catalog.to_regclass('auth.users') is null then
    return false;
  end if;
  if not pg_catalog.has_table_privilege('auth.users', 'SELECT') then
    raise exception 'oslira: the login role % cannot read auth.users', current_user
      using errcode = '42501', hint = 'grant select on auth.users to the role that runs oslira';
  end if;
  if not exists (select 1 from pg_catalog.pg_trigger t
                 where t.tgrelid = 'auth.users'::regclass and t.tgname = 'oslira_follow_user') then
    create trigger oslira_follow_user after update or delete on auth.users
      for each row execute function app.supabase_auth_user_changed();
  end if;
  return true;
end
$$;
-- +goose StatementEnd

-- Event trigger bodies: the hand-over before DDL (the role may have been created since our
-- migrations ran), the trigger on auth.users after the CREATE TABLE that made it. Neither may
-- make the DDL fail.
-- +goose StatementBegin
create function app.supabase_auth_ddl_start() returns event_trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  perform app.supabase_auth_handover();
exception when others then
  raise warning 'oslira: hand-over of schema auth failed: % (%)', sqlerrm, sqlstate;
end
$$;
-- +goose StatementEnd

-- +goose StatementBegin
create function app.supabase_auth_ddl_end() returns event_trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if exists (select 1 from pg_catalog.pg_event_trigger_ddl_commands() c
             where c.object_type = 'table' and c.object_identity = 'auth.users') then
    perform app.supabase_auth_follow_users();
  end if;
exception when others then
  raise warning 'oslira: trigger on auth.users not installed: % (%)', sqlerrm, sqlstate;
end
$$;
-- +goose StatementEnd

revoke execute on function app.supabase_auth_handover() from public;
revoke execute on function app.supabase_auth_user_changed() from public;
revoke execute on function app.supabase_auth_follow_users() from public;
revoke execute on function app.supabase_auth_ddl_start() from public;
revoke execute on function app.supabase_auth_ddl_end() from public;

select app.supabase_auth_handover();
select app.supabase_auth_follow_users();

-- Event triggers only while schema auth is the shim's: then Supabase Auth may arrive later.
-- Left out on purpose: ALTER FUNCTION (the hand-over's own statement: it would recurse) and
-- CREATE INDEX (CREATE INDEX CONCURRENTLY must not run our code first).
-- +goose StatementBegin
do $$
begin
  if not exists (select 1 from pg_catalog.pg_namespace n
                 where n.nspname = 'auth'
                   and pg_catalog.obj_description(n.oid, 'pg_namespace') = 'oslira: supabase compatibility shim') then
    return;
  end if;
  if not (select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user) then
    raise notice 'oslira: not a superuser, no event triggers: if Supabase Auth is installed in this database later, run select app.supabase_auth_handover(); before its migrations and select app.supabase_auth_follow_users(); after them, as a superuser';
    return;
  end if;
  create event trigger oslira_supabase_auth_start on ddl_command_start
    when tag in ('CREATE SCHEMA', 'CREATE TABLE', 'CREATE FUNCTION', 'CREATE TYPE', 'COMMENT')
    execute function app.supabase_auth_ddl_start();
  create event trigger oslira_supabase_auth_end on ddl_command_end
    when tag in ('CREATE TABLE')
    execute function app.supabase_auth_ddl_end();
end
$$;
-- +goose StatementEnd

-- Only live memberships grant access under RLS.
-- +goose StatementBegin
create or replace function app.user_account_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
as $$
begin
  return query
    select m.account_id from public.account_members m
    where m.user_id = (select auth.uid()) and m.disabled_at is null;
end
$$;
-- +goose StatementEnd

-- As in 00003, plus: with Supabase Auth present the user must be listed (and not soft-deleted)
-- in auth.users, and a user whose memberships are all disabled gets no new account; both are
-- refused with OA403 (account.ErrUserNotFound). The address is stored whoever else holds it.
-- +goose StatementBegin
create or replace function app.provision_account(
  p_user_id    uuid,
  p_email      text,
  p_full_name  text,
  p_avatar_url text,
  p_bonus      bigint
) returns table (account_id uuid, role text, is_admin boolean, suspended boolean, created boolean)
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_email   text := nullif(btrim(p_email), '');
  v_name    text := nullif(btrim(p_full_name), '');
  v_avatar  text := nullif(btrim(p_avatar_url), '');
  v_account uuid := gen_random_uuid();
  v_admin   boolean;
  v_label   text;
  v_slug    text;
  v_gone    text;
begin
  if p_user_id is null then
    raise exception 'a user id is required' using errcode = '22023';
  end if;
  if p_bonus is null or p_bonus < 0 then
    raise exception 'the signup bonus must not be negative' using errcode = '22023';
  end if;

  -- Supabase Auth in this database: auth.users is the list of users.
  if pg_catalog.to_regclass('auth.users') is not null then
    select pg_catalog.to_jsonb(au) ->> 'deleted_at' into v_gone from auth.users au where au.id = p_user_id;
    if not found or v_gone is not null then
      raise exception 'user % is not a user of Supabase Auth', p_user_id using errcode = 'OA403';
    end if;
  end if;

  -- Fast path, no locks: the user already belongs to an account.
  return query
    select m.account_id, m.role, u.is_admin, (a.is_suspended or a.deleted_at is not null), false
    from public.account_members m
    join public.users u on u.id = m.user_id
    join public.accounts a on a.id = m.account_id
    where m.user_id = p_user_id and m.disabled_at is null
    order by (m.role = 'owner') desc, m.joined_at, m.id
    limit 1;
  if found then
    return;
  end if;
  if exists (select 1 from public.account_members m where m.user_id = p_user_id) then
    raise exception 'user % was deleted', p_user_id using errcode = 'OA403';
  end if;

  insert into public.users (id, email, full_name, avatar_url)
  values (p_user_id, v_email, v_name, v_avatar)
  on conflict (id) do nothing;
  select u.is_admin into v_admin from public.users u where u.id = p_user_id for update;

  -- Under the user row lock: a concurrent first request may have provisioned meanwhile.
  return query
    select m.account_id, m.role, u.is_admin, (a.is_suspended or a.deleted_at is not null), false
    from public.account_members m
    join public.users u on u.id = m.user_id
    join public.accounts a on a.id = m.account_id
    where m.user_id = p_user_id and m.disabled_at is null
    order by (m.role = 'owner') desc, m.joined_at, m.id
    limit 1;
  if found then
    return;
  end if;

  v_label := coalesce(v_name, v_email);
  v_slug := btrim(regexp_replace(
              lower(coalesce(v_name, split_part(v_email, '@', 1), '')),
              '[^a-z0-9]+', '-', 'g'), '-');
  v_slug := coalesce(nullif(left(v_slug, 40), ''), 'account')
            || '-' || left(replace(v_account::text, '-', ''), 12);

  insert into public.accounts (id, owner_id, name, slug)
  values (v_account, p_user_id,
          case when v_label is null then 'My account' else v_label || '''s account' end,
          v_slug);
  insert into public.account_members (account_id, user_id, role)
  values (v_account, p_user_id, 'owner');
  insert into public.credit_balances (account_id) values (v_account);
  if p_bonus > 0 then
    perform app.apply_credit(v_account, 'signup_bonus', p_bonus, 'signup:' || p_user_id::text,
                             'Welcome bonus', p_user_id);
  end if;

  return query select v_account, 'owner'::text, v_admin, false, true;
end
$$;
-- +goose StatementEnd

-- +goose Down

drop event trigger if exists oslira_supabase_auth_start;
drop event trigger if exists oslira_supabase_auth_end;
-- CASCADE drops what depends on the function: only our trigger oslira_follow_user on auth.users
-- (dropping it by name would need to own auth.users).
drop function app.supabase_auth_user_changed() cascade;
drop function app.supabase_auth_ddl_start();
drop function app.supabase_auth_ddl_end();
drop function app.supabase_auth_follow_users();
drop function app.supabase_auth_handover();

-- +goose StatementBegin
create or replace function app.user_account_ids() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
as $$
begin
  return query
    select m.account_id from public.account_members m where m.user_id = (select auth.uid());
end
$$;
-- +goose StatementEnd

-- 00003's provision_account.
-- +goose StatementBegin
create or replace function app.provision_account(
  p_user_id    uuid,
  p_email      text,
  p_full_name  text,
  p_avatar_url text,
  p_bonus      bigint
) returns table (account_id uuid, role text, is_admin boolean, suspended boolean, created boolean)
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_email   text := nullif(btrim(p_email), '');
  v_name    text := nullif(btrim(p_full_name), '');
  v_avatar  text := nullif(btrim(p_avatar_url), '');
  v_account uuid := gen_random_uuid();
  v_admin   boolean;
  v_label   text;
  v_slug    text;
begin
  if p_user_id is null then
    raise exception 'a user id is required' using errcode = '22023';
  end if;
  if p_bonus is null or p_bonus < 0 then
    raise exception 'the signup bonus must not be negative' using errcode = '22023';
  end if;

  return query
    select m.account_id, m.role, u.is_admin, (a.is_suspended or a.deleted_at is not null), false
    from public.account_members m
    join public.users u on u.id = m.user_id
    join public.accounts a on a.id = m.account_id
    where m.user_id = p_user_id
    order by (m.role = 'owner') desc, m.joined_at, m.id
    limit 1;
  if found then
    return;
  end if;

  insert into public.users (id, email, full_name, avatar_url)
  values (p_user_id, v_email, v_name, v_avatar)
  on conflict do nothing;
  select u.is_admin into v_admin from public.users u where u.id = p_user_id for update;
  if not found then
    insert into public.users (id, email, full_name, avatar_url)
    values (p_user_id, null, v_name, v_avatar)
    on conflict do nothing;
    select u.is_admin into v_admin from public.users u where u.id = p_user_id for update;
  end if;

  return query
    select m.account_id, m.role, u.is_admin, (a.is_suspended or a.deleted_at is not null), false
    from public.account_members m
    join public.users u on u.id = m.user_id
    join public.accounts a on a.id = m.account_id
    where m.user_id = p_user_id
    order by (m.role = 'owner') desc, m.joined_at, m.id
    limit 1;
  if found then
    return;
  end if;

  v_label := coalesce(v_name, v_email);
  v_slug := btrim(regexp_replace(
              lower(coalesce(v_name, split_part(v_email, '@', 1), '')),
              '[^a-z0-9]+', '-', 'g'), '-');
  v_slug := coalesce(nullif(left(v_slug, 40), ''), 'account')
            || '-' || left(replace(v_account::text, '-', ''), 12);

  insert into public.accounts (id, owner_id, name, slug)
  values (v_account, p_user_id,
          case when v_label is null then 'My account' else v_label || '''s account' end,
          v_slug);
  insert into public.account_members (account_id, user_id, role)
  values (v_account, p_user_id, 'owner');
  insert into public.credit_balances (account_id) values (v_account);
  if p_bonus > 0 then
    perform app.apply_credit(v_account, 'signup_bonus', p_bonus, 'signup:' || p_user_id::text,
                             'Welcome bonus', p_user_id);
  end if;

  return query select v_account, 'owner'::text, v_admin, false, true;
end
$$;
-- +goose StatementEnd

alter table public.account_members drop column disabled_at;

-- Unique again only when no two users share an address now (a Down must not delete users).
-- +goose StatementBegin
do $$
begin
  alter table public.users add constraint users_email_key unique (email);
exception when unique_violation then
  raise notice 'users share an e-mail address: public.users.email stays without a unique constraint';
end
$$;
-- +goose StatementEnd
