-- Credits: one balance per account, changed only through the append-only ledger by
-- app.apply_credit, and app.provision_account, which creates a new user's account with its
-- signup bonus in one transaction.
--
-- Client-facing raises use their own SQLSTATEs, mapped by MapError:
--   OC402  the balance cannot pay for an analysis debit  -> credit.ErrInsufficient
--   OC404  the account has no balance row               -> NotFound (resource.not-found)
--   22023  invalid argument (amount, kind, reference)   -> Invalid
--
-- Both functions take row locks and rely on READ COMMITTED (the admin scope's level): after
-- waiting for a lock, each later statement sees what the lock holder committed.

-- +goose Up

-- Users who sign in with a phone number have no e-mail address: the column becomes optional
-- (still unique when present; blank values are stored as NULL).
alter table public.users alter column email drop not null;
alter table public.users
  add constraint users_email_not_blank check (email is null or btrim(email) <> '');

create table public.credit_balances (
  account_id uuid primary key
               constraint fk_credit_balances_account references public.accounts (id) on delete cascade,
  -- 1,000,000,000 is credit.MaxAmount: no balance may exceed it.
  balance    bigint not null default 0
               constraint credit_balances_balance_range check (balance between 0 and 1000000000),
  updated_at timestamptz not null default now()
);

create table public.credit_ledger (
  id            uuid primary key default gen_random_uuid(),
  account_id    uuid not null
                  constraint fk_credit_ledger_account references public.accounts (id) on delete cascade,
  kind          text not null
                  constraint credit_ledger_kind_check check (kind in (
                    'signup_bonus', 'purchase', 'subscription_grant', 'analysis_debit',
                    'analysis_refund', 'admin_grant', 'chargeback')),
  delta         bigint not null,
  balance_after bigint not null
                  constraint credit_ledger_balance_after_range check (balance_after between 0 and 1000000000),
  reference     text not null constraint credit_ledger_reference_not_empty check (reference <> ''),
  description   text not null default '',
  created_by    uuid constraint fk_credit_ledger_created_by references public.users (id) on delete set null,
  -- clock_timestamp, not now(): entries written in one transaction still order by time.
  created_at    timestamptz not null default clock_timestamp(),
  -- Debits take (a chargeback may take nothing when the balance is already zero); grants add.
  constraint credit_ledger_delta_direction check (
    case when kind in ('analysis_debit', 'chargeback') then delta <= 0 else delta > 0 end),
  constraint credit_ledger_idempotency_key unique (account_id, kind, reference)
);
-- Listings: newest first, keyset-paged on (created_at, id). Also serves the RLS policy column.
create index credit_ledger_account_created_idx
  on public.credit_ledger (account_id, created_at desc, id desc);
create index credit_ledger_created_by_idx on public.credit_ledger (created_by);

-- Append-only. Grants cannot stop the table owner (the login role), so a trigger refuses
-- UPDATE, DELETE and TRUNCATE for everyone, with two exceptions that only the foreign keys'
-- cascades produce: deleting the entries of an account that is itself gone, and clearing
-- created_by (and nothing else) of a user who is gone.
-- +goose StatementBegin
create function app.credit_ledger_append_only() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if tg_level = 'ROW' then
    if tg_op = 'DELETE' then
      if not exists (select 1 from public.accounts a where a.id = old.account_id) then
        return old;
      end if;
    elsif tg_op = 'UPDATE' then
      if new.created_by is null and old.created_by is not null
         and (new.id, new.account_id, new.kind, new.delta, new.balance_after, new.reference,
              new.description, new.created_at)
             is not distinct from
             (old.id, old.account_id, old.kind, old.delta, old.balance_after, old.reference,
              old.description, old.created_at)
         and not exists (select 1 from public.users u where u.id = old.created_by) then
        return new;
      end if;
    end if;
  end if;
  raise exception 'credit_ledger is append-only (% refused)', tg_op
    using errcode = '42501'; -- insufficient_privilege
end
$$;
-- +goose StatementEnd

create trigger credit_ledger_append_only
  before update or delete on public.credit_ledger
  for each row execute function app.credit_ledger_append_only();
create trigger credit_ledger_no_truncate
  before truncate on public.credit_ledger
  for each statement execute function app.credit_ledger_append_only();

-- No role writes these tables directly (Supabase's default privileges would grant it to its
-- API roles); the definer functions below are the only writers.
revoke execute on function app.credit_ledger_append_only() from public;
revoke all on public.credit_ledger, public.credit_balances from public, anon, authenticated, service_role;

-- Row-level security: members read their accounts' balance and ledger; nobody writes through
-- the user scope (no write policies, no write grants).
alter table public.credit_balances enable row level security;
alter table public.credit_ledger enable row level security;

grant select on public.credit_balances, public.credit_ledger to authenticated;

create policy credit_balances_select_member on public.credit_balances
  for select to authenticated
  using (account_id in (select app.user_account_ids()));

create policy credit_ledger_select_member on public.credit_ledger
  for select to authenticated
  using (account_id in (select app.user_account_ids()));

-- The only writer of balances. Locks the balance row, then (under the lock) returns the earlier
-- entry with the same (account, kind, reference) unchanged, with applied = false. Otherwise:
-- analysis_debit refuses with OC402 when the balance is short (nothing written); chargeback takes
-- least(amount, balance) and is recorded even when that is zero, so the event is written once;
-- every other kind adds. Then moves the balance and appends the entry (applied = true).
-- +goose StatementBegin
create function app.apply_credit(
  p_account_id  uuid,
  p_kind        text,
  p_amount      bigint,
  p_reference   text,
  p_description text,
  p_created_by  uuid
) returns table (entry_id uuid, delta bigint, balance_after bigint, created_at timestamptz, applied boolean)
  language plpgsql volatile security definer
  set search_path = ''
as $$
declare
  v_balance bigint;
  v_delta   bigint;
  v_id      uuid;
  v_at      timestamptz;
begin
  if p_amount is null or p_amount <= 0 or p_amount > 1000000000 then
    raise exception 'credit amount must be between 1 and 1000000000' using errcode = '22023';
  end if;
  if p_kind is null or p_kind not in ('signup_bonus', 'purchase', 'subscription_grant',
      'analysis_debit', 'analysis_refund', 'admin_grant', 'chargeback') then
    raise exception 'unknown ledger entry kind' using errcode = '22023';
  end if;
  if p_reference is null or p_reference = '' then
    raise exception 'a ledger entry needs a reference' using errcode = '22023';
  end if;

  select b.balance into v_balance
  from public.credit_balances b
  where b.account_id = p_account_id
  for update;
  if not found then
    raise exception 'the account has no credit balance' using errcode = 'OC404';
  end if;

  -- Under the lock: a concurrent call with the same reference has committed or not started.
  return query
    select l.id, l.delta, l.balance_after, l.created_at, false
    from public.credit_ledger l
    where l.account_id = p_account_id and l.kind = p_kind and l.reference = p_reference;
  if found then
    return;
  end if;

  if p_kind = 'analysis_debit' then
    if v_balance < p_amount then
      raise exception 'not enough credits' using errcode = 'OC402';
    end if;
    v_delta := -p_amount;
  elsif p_kind = 'chargeback' then
    v_delta := -least(p_amount, v_balance);
  else
    v_delta := p_amount;
  end if;

  update public.credit_balances b
  set balance = b.balance + v_delta, updated_at = now()
  where b.account_id = p_account_id;

  insert into public.credit_ledger as l
    (account_id, kind, delta, balance_after, reference, description, created_by)
  values
    (p_account_id, p_kind, v_delta, v_balance + v_delta, p_reference,
     coalesce(p_description, ''), p_created_by)
  returning l.id, l.created_at into v_id, v_at;

  return query select v_id, v_delta, v_balance + v_delta, v_at, true;
end
$$;
-- +goose StatementEnd

-- Returns the user's membership (the owner one first, then the oldest), creating user, account,
-- owner membership, balance and the signup-bonus entry when there is none. Concurrent first
-- calls for one user serialise on the user row: the first creates, the others find its account.
-- +goose StatementBegin
create function app.provision_account(
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

  -- Fast path, no locks: the user already belongs to an account.
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

  -- Any conflict (the id, or an e-mail address still held by another user id) is fine here;
  -- a user whose address is taken is stored without one.
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

  -- Under the user row lock: a concurrent first request may have provisioned meanwhile.
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

-- Only the login role (the owner) may call these; the user scope cannot.
revoke execute on function app.apply_credit(uuid, text, bigint, text, text, uuid)
  from public, anon, authenticated, service_role;
revoke execute on function app.provision_account(uuid, text, text, text, bigint)
  from public, anon, authenticated, service_role;

-- +goose Down

drop function app.provision_account(uuid, text, text, text, bigint);
drop function app.apply_credit(uuid, text, bigint, text, text, uuid);
drop table public.credit_ledger;
drop table public.credit_balances;
drop function app.credit_ledger_append_only();
alter table public.users drop constraint users_email_not_blank;
-- Restore NOT NULL only when every user has an address: rewriting or deleting users who signed
-- in by phone would lose data, so such a database keeps the optional column.
-- +goose StatementBegin
do $$
begin
  if not exists (select 1 from public.users where email is null) then
    alter table public.users alter column email set not null;
  else
    raise notice 'users without an e-mail address exist: public.users.email stays nullable';
  end if;
end
$$;
-- +goose StatementEnd
