-- Make the RLS helpers cheap enough for the hottest reads (measured with pgbench on the balance
-- read: 13k → ~22k statements/s on 2 cores).
--
-- 1. auth.uid() and auth.jwt() of OUR shim (schema auth carrying the shim's marker comment) lose
--    their `set search_path`: a SQL function with a SET clause is never inlined and pays a GUC
--    save/restore per call, which cost a third of the throughput. This matches Supabase's own
--    definitions; the bodies only call pg_catalog functions and operators, which are always
--    searched first, so there is nothing to shadow. On Supabase (no marker) nothing changes.
-- 2. app.user_account_ids() becomes plpgsql: a SQL function that cannot be inlined (SECURITY
--    DEFINER, SET) re-plans its body on every call, while plpgsql caches the plan per session.
--    It stays SECURITY DEFINER with search_path '' (a test checks every app.* function).

-- +goose Up

-- +goose StatementBegin
do $$
begin
  if exists (select 1 from pg_catalog.pg_namespace n
             where n.nspname = 'auth'
               and pg_catalog.obj_description(n.oid, 'pg_namespace') = 'oslira: supabase compatibility shim') then
    execute 'alter function auth.uid() reset search_path';
    execute 'alter function auth.jwt() reset search_path';
  end if;
end
$$;
-- +goose StatementEnd

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

-- +goose Down

-- +goose StatementBegin
create or replace function app.user_account_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.account_id from public.account_members m where m.user_id = (select auth.uid())
$$;
-- +goose StatementEnd

-- +goose StatementBegin
do $$
begin
  if exists (select 1 from pg_catalog.pg_namespace n
             where n.nspname = 'auth'
               and pg_catalog.obj_description(n.oid, 'pg_namespace') = 'oslira: supabase compatibility shim') then
    execute 'alter function auth.uid() set search_path = ''''';
    execute 'alter function auth.jwt() set search_path = ''''';
  end if;
end
$$;
-- +goose StatementEnd
