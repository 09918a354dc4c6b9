-- Supabase-compatibility shim: the schema `auth` with auth.uid() and auth.jwt(), and the roles
-- anon, authenticated and service_role, created only when missing. On Supabase everything here
-- already exists and this migration changes nothing.
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
-- owned by the platform), so they are never dropped. The schema goes only when this shim made it.
-- +goose StatementBegin
do $$
begin
  if pg_catalog.obj_description(
       (select oid from pg_catalog.pg_namespace where nspname = 'auth'), 'pg_namespace'
     ) = 'oslira: supabase compatibility shim' then
    drop schema auth cascade;
  end if;
end
$$;
-- +goose StatementEnd
