-- Billing: the plans (seeded), one current subscription per account, and the Stripe webhook
-- inbox. (00004 is reserved for the workflow engine.)
--
-- accounts.stripe_customer_id (00002, unique) holds each account's Stripe customer.
-- Subscriptions and webhook events are written only by system code (the admin scope); members
-- read their accounts' subscription, anyone reads the plans.

-- +goose Up

-- Plans are data, not code: prices and quotas change with an UPDATE. stripe_price_id is the
-- recurring price of this environment (test and live differ), set by operators; while it is
-- NULL, checkouts send an inline monthly price of price_cents.
create table public.plans (
  name              text primary key
                      constraint plans_name_format check (name ~ '^[a-z][a-z0-9_-]{0,39}$'),
  display_name      text not null constraint plans_display_name_not_blank check (btrim(display_name) <> ''),
  price_cents       bigint not null constraint plans_price_range check (price_cents >= 0),
  -- 1,000,000,000 is credit.MaxAmount.
  credits_per_month bigint not null
                      constraint plans_credits_range check (credits_per_month between 0 and 1000000000),
  bulk_limit        integer not null constraint plans_bulk_limit_range check (bulk_limit >= 1),
  stripe_price_id   text unique constraint plans_stripe_price_not_blank check (btrim(stripe_price_id) <> ''),
  active            boolean not null default true,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

-- DESIGN §4 (the original's latest seed): monthly price, credits a month, handles per bulk request.
insert into public.plans (name, display_name, price_cents, credits_per_month, bulk_limit) values
  ('free',       'Free',       0,      0,     5),
  ('growth',     'Growth',     2900,   250,   25),
  ('pro',        'Pro',        9900,   1500,  100),
  ('agency',     'Agency',     29900,  5000,  250),
  ('enterprise', 'Enterprise', 99900,  20000, 500);

create table public.subscriptions (
  account_id             uuid primary key
                           constraint fk_subscriptions_account references public.accounts (id) on delete cascade,
  plan                   text not null constraint fk_subscriptions_plan references public.plans (name),
  -- Stripe's statuses (billing.Statuses), spelled as Stripe spells them.
  status                 text not null constraint subscriptions_status_check check (status in (
                           'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due',
                           'canceled', 'unpaid', 'paused')),
  stripe_customer_id     text,
  stripe_subscription_id text not null unique,
  stripe_price_id        text,
  current_period_start   timestamptz,
  current_period_end     timestamptz,
  cancel_at_period_end   boolean not null default false,
  canceled_at            timestamptz,
  -- Created time of the newest Stripe event applied to this row; older events are stale.
  stripe_updated_at      timestamptz not null,
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now()
);
create index subscriptions_plan_idx on public.subscriptions (plan);

-- The inbox: every verified delivery is stored before it is processed, once per event id.
-- processed_at stays NULL until processing finished (never defaulted: a half-processed event
-- must not look processed). account_id has no foreign key: an event may name an account that
-- has since been deleted, and it is kept for the audit trail anyway.
create table public.webhook_events (
  stripe_event_id text primary key constraint webhook_events_id_not_blank check (btrim(stripe_event_id) <> ''),
  type            text not null,
  account_id      uuid,
  payload         jsonb, -- NULL for an event processed without passing through the endpoint
  received_at     timestamptz not null default now(),
  processed_at    timestamptz,
  outcome         text constraint webhook_events_outcome_check check (outcome in (
                    'granted', 'charged_back', 'updated', 'stale', 'ignored')),
  outcome_detail  text,
  last_error      text,
  constraint webhook_events_processed_has_outcome check ((processed_at is null) = (outcome is null))
);
create index webhook_events_account_idx on public.webhook_events (account_id);
-- Operators and reapers look for what is still unprocessed.
create index webhook_events_unprocessed_idx on public.webhook_events (received_at)
  where processed_at is null;

-- Privileges and row-level security. Nobody writes these tables through the user scope.
revoke all on public.plans, public.subscriptions, public.webhook_events from public, anon, authenticated;
grant usage on schema public to anon;
grant select on public.plans to anon, authenticated;
grant select on public.subscriptions to authenticated;

alter table public.plans enable row level security;
alter table public.subscriptions enable row level security;
-- System only: RLS on and no policy, so the API roles see nothing even with a stray grant.
alter table public.webhook_events enable row level security;

create policy plans_select_all on public.plans
  for select to anon, authenticated
  using (true);

create policy subscriptions_select_member on public.subscriptions
  for select to authenticated
  using (account_id in (select app.user_account_ids()));

-- +goose Down

drop table public.webhook_events;
drop table public.subscriptions;
drop table public.plans;
-- Usage on schema public stays granted to anon: on Supabase the platform grants it and relies on it.
