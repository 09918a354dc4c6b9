-- Payments: one row per Stripe payment of a credit pack, so that its purchase and its refunds
-- give the same balance in whatever order Stripe delivers them (billing.Payment; the rules are in
-- core/billing's package documentation, "Payments and refunds").
--
-- Written only by system code (the admin scope), always under the account's billing lock (FOR NO
-- KEY UPDATE on the account row) and the payment row's FOR UPDATE, in the same transaction as
-- the ledger entries the change makes.

-- +goose Up

create table public.payments (
  -- The PaymentIntent (pi_…); a charge (ch_…) or checkout session (cs_…) when there is none.
  payment_key     text primary key constraint payments_key_not_blank check (btrim(payment_key) <> ''),
  account_id      uuid not null
                    constraint fk_payments_account references public.accounts (id) on delete cascade,
  -- Credits bought (metadata credits); 0 while unknown. 1,000,000,000 is credit.MaxAmount.
  credits         bigint not null default 0 constraint payments_credits_range check (credits between 0 and 1000000000),
  -- The charge's amount and the highest cumulative amount_refunded seen, smallest currency unit.
  amount          bigint not null default 0 constraint payments_amount_range check (amount >= 0),
  amount_refunded bigint not null default 0 constraint payments_amount_refunded_range check (amount_refunded >= 0),
  purchased       boolean not null default false,
  -- Credits the purchase granted, taken back for refunds, and owed (not covered by the balance).
  granted         bigint not null default 0,
  taken_back      bigint not null default 0,
  owed            bigint not null default 0,
  -- Ids of the Stripe events applied, for per-event idempotency.
  events          text[] not null default '{}',
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint payments_credit_figures check (
    granted between 0 and credits and taken_back >= 0 and owed >= 0
    and taken_back + owed <= credits),
  constraint payments_not_purchased_untouched check (
    purchased or (granted = 0 and taken_back = 0 and owed = 0))
);
create index payments_account_idx on public.payments (account_id);
-- Debts are settled oldest first from the account's next paid grant.
create index payments_owed_idx on public.payments (account_id, created_at) where owed > 0;

-- System only: no grants, RLS on and no policy, so the API roles see nothing even with a stray grant.
revoke all on public.payments from public, anon, authenticated, service_role;
alter table public.payments enable row level security;

-- +goose Down

drop table public.payments;
