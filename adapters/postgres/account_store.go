package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/tenant"
)

// AccountStore keeps users, accounts and memberships (migrations 00002 and 00003).
//
// Ensure provisions through app.provision_account in the admin scope; Profile reads through the
// user scope, so row-level security limits it to the principal's own user and accounts.
type AccountStore struct {
	db *DB
}

var _ account.Store = (*AccountStore)(nil)

// NewAccountStore returns an AccountStore over db.
func NewAccountStore(db *DB) *AccountStore { return &AccountStore{db: db} }

// sqlProvision calls the provisioning function: one statement, one transaction. The function
// serialises concurrent first calls for one user on the user row, so exactly one of them creates
// the account (created = true) and the bonus entry (reference "signup:<user id>").
const sqlProvision = `select account_id::text, role, is_admin, suspended, created
from app.provision_account($1, $2, $3, $4, $5)`

// sqlStateUserNotFound is app.provision_account's refusal (migration 00010): Supabase Auth shares
// the database and auth.users does not list the user, or the user's memberships were disabled
// when Supabase Auth deleted them.
const sqlStateUserNotFound = "OA403"

// Ensure implements account.Store. Empty e-mail, name and avatar are stored as NULL (users who
// sign in by phone have no address); an address is stored even when another user id holds it
// too (users.email is the identity provider's copy, not an identity). The membership returned
// for an existing user is the owner one (else the oldest) among the memberships still enabled;
// a soft-deleted account is reported as Suspended. A user Supabase Auth does not list (when its
// auth.users table is in the database) or deleted is account.ErrUserNotFound, with nothing
// created.
func (s *AccountStore) Ensure(ctx context.Context, u account.NewUser) (account.Membership, error) {
	userID, ok := tenant.ParseUUID(u.UserID)
	if !ok {
		return account.Membership{}, errNoUser
	}
	m := account.Membership{UserID: userID}
	var role string
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		err := q.QueryRow(ctx, sqlProvision, userID, nullIfBlank(u.Email), nullIfBlank(u.FullName),
			nullIfBlank(u.AvatarURL), u.SignupBonus.Int64()).
			Scan(&m.AccountID, &role, &m.UserIsAdmin, &m.Suspended, &m.Created)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == sqlStateUserNotFound {
			return account.ErrUserNotFound.WithCause(err)
		}
		if err != nil {
			return fmt.Errorf("provision account: %w", err)
		}
		return nil
	})
	if err != nil {
		return account.Membership{}, err
	}
	m.Role = account.MemberRole(role)
	return m, nil
}

// sqlProfile joins the caller's membership of one account with the user, the account and its
// balance. Under RLS every table only shows the caller's rows; the WHERE clause is the first wall.
// The plan is the subscribed one while its status entitles to it (billing.Status.Entitled),
// else free. Onboarding is completed when one of the account's live (not deleted) business
// profiles has ever completed it (onboarding_completed_at is kept while a later generation runs
// or fails); business_profiles_account_idx serves the probe.
const sqlProfile = `select u.id::text, coalesce(u.email, ''), coalesce(u.full_name, ''),
       a.id::text, a.name, m.role, coalesce(b.balance, 0), a.created_at,
       case when s.status in ('active', 'trialing', 'past_due') then s.plan else 'free' end,
       exists (select 1 from public.business_profiles bp
               where bp.account_id = m.account_id and bp.deleted_at is null
                 and bp.onboarding_completed_at is not null)
from public.account_members m
join public.accounts a on a.id = m.account_id
join public.users u on u.id = m.user_id
left join public.credit_balances b on b.account_id = m.account_id
left join public.subscriptions s on s.account_id = m.account_id
where m.account_id = $1 and m.user_id = $2`

// Profile implements account.Store for p.AccountID, read in the user scope. An account p does not
// belong to is account.ErrNotFound. CreatedAt is when the account was created (accounts.created_at),
// which /v1/me reports as account.created_at.
//
// Plan is the plan in effect, OnboardingCompleted whether a live business profile of the
// account has completed onboarding (see sqlProfile).
func (s *AccountStore) Profile(ctx context.Context, p tenant.Principal) (account.Profile, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return account.Profile{}, account.ErrNotFound
	}
	userID, ok := tenant.ParseUUID(p.UserID)
	if !ok {
		return account.Profile{}, errNoUser
	}
	var (
		pr      account.Profile
		role    string
		balance int64
	)
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		err := q.QueryRow(ctx, sqlProfile, accountID, userID).Scan(&pr.UserID, &pr.Email, &pr.FullName,
			&pr.AccountID, &pr.AccountName, &role, &balance, &pr.CreatedAt, &pr.Plan, &pr.OnboardingCompleted)
		if errors.Is(err, pgx.ErrNoRows) {
			return account.ErrNotFound.WithCause(err)
		}
		if err != nil {
			return fmt.Errorf("read profile: %w", err)
		}
		return nil
	})
	if err != nil {
		return account.Profile{}, err
	}
	if pr.Balance, err = amountFromDB(balance); err != nil {
		return account.Profile{}, MapError(err)
	}
	pr.Role = account.MemberRole(role)
	pr.CreatedAt = pr.CreatedAt.UTC()
	return pr, nil
}

// nullIfBlank maps "" (after trimming) to SQL NULL.
func nullIfBlank(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return &s
}

// sqlAccountOwner reads an account's owner and whether the account may act (not suspended nor
// deleted, the owner's membership enabled).
const sqlAccountOwner = `select a.owner_id::text, coalesce(u.email, ''), m.role, u.is_admin,
       a.is_suspended or a.deleted_at is not null or m.disabled_at is not null
from public.accounts a
join public.users u on u.id = a.owner_id
join public.account_members m on m.account_id = a.id and m.user_id = a.owner_id
where a.id = $1`

// Owner implements account.Store in the admin scope.
func (s *AccountStore) Owner(ctx context.Context, accountID string) (account.Membership, error) {
	id, ok := tenant.ParseUUID(accountID)
	if !ok {
		return account.Membership{}, account.ErrNoAccount
	}
	m := account.Membership{AccountID: id}
	var role string
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		err := q.QueryRow(ctx, sqlAccountOwner, id).Scan(&m.UserID, &m.Email, &role, &m.UserIsAdmin, &m.Suspended)
		if errors.Is(err, pgx.ErrNoRows) {
			return account.ErrNoAccount
		}
		if err != nil {
			return fmt.Errorf("read account owner: %w", err)
		}
		return nil
	})
	if err != nil {
		return account.Membership{}, err
	}
	m.Role = account.MemberRole(role)
	return m, nil
}
