// Package postgres is the PostgreSQL adapter: the pgx pool, the two query scopes, error mapping,
// embedded migrations, the database health check, and the stores of the credit and account
// ports.
//
// # Scopes
//
// Store code never takes a pool; it runs inside a scope and receives a Querier.
//
//   - DB.UserScope runs a transaction the way PostgREST does on Supabase: SET LOCAL ROLE
//     authenticated and request.jwt.claims set to the caller's claims, sent pipelined with BEGIN
//     (one round trip). Row-level security applies, so even a query without a WHERE clause only
//     sees the caller's accounts. Every read or write made on behalf of a user goes here.
//   - DB.AdminScope runs a transaction as the login role, bypassing row-level security: system
//     work such as workflows, webhooks, cron jobs, provisioning and charging.
//
// Stores implement core ports on top of the scopes: LedgerStore (credit.Ledger through the
// SECURITY DEFINER function app.apply_credit in the admin scope; credit.Reader in the user scope),
// AccountStore (account.Store: app.provision_account in the admin scope, Profile in the user
// scope) and BillingStore (billing.Store: plans, subscriptions, Stripe customers and the webhook
// inbox; system work in the admin scope, the caller's subscription through UserRead). Store code
// that must join a larger admin transaction calls ApplyCredit or RecordWebhookEvent on its
// Querier.
//
// Both scopes commit when the function returns nil, roll back on an error or a panic, and return
// errors that went through MapError — the single place where pgx errors become core/apperr kinds.
//
// # Migrations
//
// SQL files in ./migrations (goose format, embedded) are applied by Migrate under a session
// advisory lock, each in its own transaction. Rules for every migration:
//
//   - name files NNNNN_name.sql with a working Down section; never edit an applied migration;
//   - create Supabase-owned objects (schema auth, roles) only when missing, so the same files run
//     on plain PostgreSQL and on Supabase; never drop roles (they are cluster-wide);
//   - enable row-level security on every tenant table; policies are `to authenticated` and call
//     helpers only in the wrapped form `(select auth.uid())` / `account_id in (select
//     app.user_account_ids())`; index the policy columns;
//   - functions in schema app are SECURITY DEFINER with an empty search_path (set search_path to
//     the empty string), use schema-qualified names, and have EXECUTE revoked from PUBLIC and
//     granted to the roles that need it;
//   - a raise meant for clients uses its own SQLSTATE, mapped in MapError's table.
//
// Tests assert the policy and function rules over pg_policies and pg_proc. Package pgtest gives
// tests a migrated database; package localdb finds or starts one for development.
package postgres
