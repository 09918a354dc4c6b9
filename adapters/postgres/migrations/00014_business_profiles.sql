-- Business profiles (core/business): what a customer says about their business and its ideal
-- customer profile (ICP), edited through the user scope under row-level security, and the state
-- of onboarding (the workflow that writes the one-liner and the summary).
--
-- The ICP is stored as columns rather than JSON so the database holds its rules too (follower
-- range with min <= max, the engagement rate as a fraction 0..1, known company sizes).
-- Profiles are soft-deleted (deleted_at); reads filter them out in SQL. The select policy does
-- not hide deleted rows, so that the soft delete (an UPDATE ... RETURNING) stays visible to its
-- own statement; tenancy is the policies' job, deletion the queries'.

-- +goose Up

create table public.business_profiles (
  id                      uuid primary key default gen_random_uuid(),
  account_id              uuid not null
                            constraint fk_business_profiles_account references public.accounts (id) on delete cascade,
  business_name           text not null
                            constraint business_profiles_name_length check (char_length(business_name) between 1 and 200),
  one_liner               text not null default ''
                            constraint business_profiles_one_liner_length check (char_length(one_liner) <= 140),
  summary                 text not null default ''
                            constraint business_profiles_summary_length check (char_length(summary) <= 2000),
  target_audience         text not null default ''
                            constraint business_profiles_audience_length check (char_length(target_audience) <= 750),
  tone                    text not null default ''
                            constraint business_profiles_tone_check check (tone in ('', 'professional', 'friendly', 'casual')),
  selling_points          text[] not null default '{}'
                            constraint business_profiles_selling_points_items check (cardinality(selling_points) <= 20),
  outreach_goals          text[] not null default '{}'
                            constraint business_profiles_outreach_goals_items check (cardinality(outreach_goals) <= 20),
  icp_min_followers       bigint not null default 0
                            constraint business_profiles_icp_min_followers_range check (icp_min_followers between 0 and 10000000000),
  -- null: no maximum
  icp_max_followers       bigint
                            constraint business_profiles_icp_max_followers_range check (icp_max_followers <= 10000000000),
  -- a fraction (0.035 is 3.5 %); null: no minimum
  icp_min_engagement_rate double precision
                            constraint business_profiles_icp_engagement_fraction check (icp_min_engagement_rate between 0 and 1),
  icp_content_themes      text[] not null default '{}'
                            constraint business_profiles_icp_content_themes_items check (cardinality(icp_content_themes) <= 20),
  icp_niches              text[] not null default '{}'
                            constraint business_profiles_icp_niches_items check (cardinality(icp_niches) <= 20),
  icp_geography           text[] not null default '{}'
                            constraint business_profiles_icp_geography_items check (cardinality(icp_geography) <= 20),
  icp_company_sizes       text[] not null default '{}'
                            constraint business_profiles_icp_company_sizes_known
                            check (icp_company_sizes <@ array['startup', 'smb', 'enterprise']::text[]),
  -- Onboarding: generation n runs as workflow run onboarding_run_id
  -- ('business-context:<id>:<n>'); the workflow writes one_liner and summary and completes it.
  onboarding_status       text not null default 'not_started'
                            constraint business_profiles_onboarding_status_check
                            check (onboarding_status in ('not_started', 'running', 'completed', 'failed')),
  onboarding_run_id       text,
  onboarding_error_code   text,
  context_generation      integer not null default 0
                            constraint business_profiles_context_generation_range check (context_generation >= 0),
  context_generated_at    timestamptz,
  onboarding_completed_at timestamptz,
  -- clock_timestamp, not now(): profiles created in one transaction still order by time.
  created_at              timestamptz not null default clock_timestamp(),
  updated_at              timestamptz not null default clock_timestamp(),
  deleted_at              timestamptz,
  constraint business_profiles_icp_follower_range check (icp_max_followers is null or icp_max_followers >= icp_min_followers),
  constraint business_profiles_running_has_run check (onboarding_status = 'not_started' or onboarding_run_id is not null)
);
-- Listings: an account's live profiles, newest first, keyset-paged on (created_at, id). Also
-- serves the policies' account_id.
create index business_profiles_account_created_idx
  on public.business_profiles (account_id, created_at desc, id desc) where deleted_at is null;
create index business_profiles_account_idx on public.business_profiles (account_id);

-- Members read, create and edit their accounts' profiles. No DELETE policy or grant: deleting
-- is an UPDATE of deleted_at. The columns a member may not change (id, account_id, created_at)
-- are left out of the UPDATE grant.
revoke all on public.business_profiles from public, anon, authenticated, service_role;
alter table public.business_profiles enable row level security;

grant select, insert on public.business_profiles to authenticated;
grant update (business_name, one_liner, summary, target_audience, tone, selling_points, outreach_goals,
              icp_min_followers, icp_max_followers, icp_min_engagement_rate, icp_content_themes, icp_niches,
              icp_geography, icp_company_sizes, onboarding_status, onboarding_run_id, onboarding_error_code,
              context_generation, updated_at, deleted_at)
  on public.business_profiles to authenticated;

create policy business_profiles_select_member on public.business_profiles
  for select to authenticated
  using (account_id in (select app.user_account_ids()));

create policy business_profiles_insert_member on public.business_profiles
  for insert to authenticated
  with check (account_id in (select app.user_account_ids()));

create policy business_profiles_update_member on public.business_profiles
  for update to authenticated
  using (account_id in (select app.user_account_ids()))
  with check (account_id in (select app.user_account_ids()));

-- +goose Down

drop table public.business_profiles;
