-- Supabase-compatibility shim: the schema `auth` with auth.uid() and auth.jwt(), and the roles
-- anon, authenticated and service_role, created only when missing. On Supabase everything here
-- already exists and this migration changes nothing. When Supabase Auth is installed in the
-- database later, its migrator takes the shim's schema over (00010 hands it to
-- supabase_auth_admin), and the Down section below then leaves it alone.
--
-- Roles are cluster-wide while migrations run per database, so several databases of one cluster
-- (parallel test packages) may try to create the same role at the same moment: every CREATE/GRANT
-- tolerates losing that race (duplicate_object, or unique_violation on the catalog index).

-- +goose Up

-- +goose StatementBegin
do $$
begin
  if not exists (select 1 from pg_catalog.pg_namespace where nspname = 'auth') then
    create schema auth;
    -- The marker lets the Down section drop only a schema this shim created.
    comment on schema auth is 'oslira: supabase compatibility shim';
  end if;
end
$$;
-- +goose StatementEnd

-- +goose StatementBegin
do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r) then
      begin
        if r = 'service_role' then
          execute format('create role %I nologin noinherit bypassrls', r);
        else
          execute format('create role %I nologin noinherit', r);
        end if;
      exception when duplicate_object or unique_violation then
        null; -- created concurrently by a migration of another database
      end;
    end if;

    -- The login role must be a member to `set local role` (user scope). Superusers need no
    -- membership, yet get it too so that the grant does not depend on who runs the migration.
    if not exists (
      select 1
      from pg_catalog.pg_auth_members m
      join pg_catalog.pg_roles g on g.oid = m.roleid
      join pg_catalog.pg_roles u on u.oid = m.member
      where g.rolname = r and u.rolname = current_user
    ) then
      begin
        execute format('grant %I to %I', r, current_user);
      exception
        when duplicate_object or unique_violation then
          null; -- granted concurrently
        when insufficient_privilege then
          -- A managed server (Supabase) may refuse the grant; that is fine when the login role
          -- already reaches the role through another membership.
          if not pg_catalog.pg_has_role(current_user, r, 'MEMBER') then
            raise;
          end if;
      end;
    end if;
  end loop;
end
$$;
-- +goose StatementEnd

-- +goose StatementBegin
do $$
begin
  if not exists (
    select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'uid'
  ) then
    -- auth.uid(): the user id from the JWT (legacy single-claim setting first, then the claims).
    create function auth.uid() returns uuid
      language sql stable
      set search_path = ''
    as $f$
      select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
      )::uuid
    $f$;
  end if;

  if not exists (
    select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'jwt'
  ) then
    -- auth.jwt(): the whole claims object.
    create function auth.jwt() returns jsonb
      language sql stable
      set search_path = ''
    as $f$
      select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
      )::jsonb
    $f$;
  end if;
end
$$;
-- +goose StatementEnd

-- Guarded: on Supabase the schema belongs to the platform and the grants already exist.
-- +goose StatementBegin
do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not pg_catalog.has_schema_privilege(r, 'auth', 'USAGE') then
      execute format('grant usage on schema auth to %I', r);
    end if;
  end loop;
end
$$;
-- +goose StatementEnd

-- +goose Down

-- Roles are cluster-wide and shared with every other database of the cluster (and, on Supabase,
-- owned by the platform), so they are never dropped. The shim drops only what it created, and
-- only while nothing else uses it: auth.uid(), auth.jwt() and the schema go when the schema
-- carries the shim's marker and holds nothing but those two functions. Once Supabase Auth's
-- migrator has taken the schema over (00010 hands it over), it holds Supabase's tables and its
-- `create or replace`d functions keep their OIDs, so everything stays.
-- +goose StatementBegin
do $$
declare
  v_auth oid;
begin
  select n.oid into v_auth from pg_catalog.pg_namespace n
  where n.nspname = 'auth'
    and pg_catalog.obj_description(n.oid, 'pg_namespace') = 'oslira: supabase compatibility shim';
  if v_auth is null then
    return;
  end if;
  -- Every object in a schema (table, function, type, sequence, default privileges...) records a
  -- dependency on it.
  if exists (
    select 1 from pg_catalog.pg_depend d
    where d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass and d.refobjid = v_auth
      and not exists (
        select 1 from pg_catalog.pg_proc p
        where d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and p.oid = d.objid
          and p.proname in ('uid', 'jwt') and p.pronargs = 0)
  ) then
    raise notice 'schema auth holds objects the shim did not create: it is left as it is';
    return;
  end if;
  drop function if exists auth.uid();
  drop function if exists auth.jwt();
  drop schema auth;
end
$$;
-- +goose StatementEnd
