package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/tenant"
)

// BusinessStore is the business profiles in PostgreSQL (table business_profiles, migration
// 00014).
//
// As business.Store it acts for a principal through the user scope: row-level security limits
// every statement to the principal's accounts, and the SQL filters by the principal's account
// and by deleted_at as well. As business.ContextStore (the onboarding workflow, which has no
// caller) it writes in the admin scope, filtering by account, profile and run id itself.
//
// List pages are keyset cursors signed with the deployment's CursorKey (the ledger's signing
// mechanism, under a domain of their own, so a ledger cursor is refused here and the reverse).
type BusinessStore struct {
	db      *DB
	cursors CursorKey
}

var (
	_ business.Store        = (*BusinessStore)(nil)
	_ business.ContextStore = (*BusinessStore)(nil)
)

// businessCursorDomain separates business-profile cursors from the ledger's.
const businessCursorDomain = "oslira.business-profile-cursor.v1"

// NewBusinessStore returns a BusinessStore over db that signs cursors with key (at least
// MinCursorKeyBytes; nil makes a random key that lives as long as the store).
func NewBusinessStore(db *DB, key CursorKey) (*BusinessStore, error) {
	key, err := newCursorSigner(key)
	if err != nil {
		return nil, err
	}
	return &BusinessStore{db: db, cursors: key}, nil
}

// NewBusinessContextStore returns a BusinessStore for the onboarding workflow's writes
// (business.ContextStore), which never lists and so needs no deployment key.
func NewBusinessContextStore(db *DB) *BusinessStore {
	s, _ := NewBusinessStore(db, nil) // a random key cannot be refused
	return s
}

// errNoProfile is what every method returns for a profile it cannot see.
var errNoProfile = business.ErrNotFound

// sqlProfileSelect reads profiles with their counts: the profile's live leads and all its
// analyses (both tables are under the same RLS as the profiles; each count is an index scan,
// leads_profile_analyzed_idx and analyses' business_profile_id via the account index).
const sqlProfileSelect = `select p.id::text, p.account_id::text, p.business_name, p.one_liner, p.summary,
       p.target_audience, p.tone, p.selling_points, p.outreach_goals,
       p.icp_min_followers, p.icp_max_followers, p.icp_min_engagement_rate,
       p.icp_content_themes, p.icp_niches, p.icp_geography, p.icp_company_sizes,
       p.onboarding_status, coalesce(p.onboarding_run_id, ''), coalesce(p.onboarding_error_code, ''),
       p.context_generation, p.onboarding_completed_at, p.created_at, p.updated_at,
       c.leads, c.analyses
from public.business_profiles p
cross join lateral (select
  (select count(*) from public.leads l where l.business_profile_id = p.id and l.deleted_at is null) as leads,
  (select count(*) from public.analyses a where a.business_profile_id = p.id and a.account_id = p.account_id) as analyses) c
where p.account_id = $1 and p.deleted_at is null`

// sqlProfileOne and sqlProfileLock read one profile (the second under a row lock).
const (
	sqlProfileOne  = sqlProfileSelect + "\n  and p.id = $2"
	sqlProfileLock = sqlProfileOne + "\nfor update of p"
)

// sqlProfileInsert creates a profile; its columns follow contextArgs.
//
// created_at and updated_at take one reading of the clock (the columns' separate
// clock_timestamp() defaults differ by a microsecond), so a new profile's updated_at equals its
// created_at.
const sqlProfileInsert = `with now as materialized (select clock_timestamp() as at)
insert into public.business_profiles (account_id, business_name, one_liner, summary,
  target_audience, tone, selling_points, outreach_goals, icp_min_followers, icp_max_followers,
  icp_min_engagement_rate, icp_content_themes, icp_niches, icp_geography, icp_company_sizes,
  created_at, updated_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
  (select at from now), (select at from now))
returning id::text`

// sqlProfileUpdate stores a new context; its parameters follow contextArgs after the id.
const sqlProfileUpdate = `update public.business_profiles set business_name = $3, one_liner = $4, summary = $5,
  target_audience = $6, tone = $7, selling_points = $8, outreach_goals = $9, icp_min_followers = $10,
  icp_max_followers = $11, icp_min_engagement_rate = $12, icp_content_themes = $13, icp_niches = $14,
  icp_geography = $15, icp_company_sizes = $16, updated_at = clock_timestamp()
where id = $2 and account_id = $1 and deleted_at is null`

const sqlProfileDelete = `update public.business_profiles set deleted_at = clock_timestamp(), updated_at = clock_timestamp()
where id = $2 and account_id = $1 and deleted_at is null`

const sqlMarkContextRunning = `update public.business_profiles
set onboarding_status = 'running', onboarding_run_id = $4, onboarding_error_code = null,
    context_generation = $3 + 1, updated_at = clock_timestamp()
where id = $2 and account_id = $1 and deleted_at is null and context_generation = $3`

const sqlSaveContext = `update public.business_profiles
set one_liner = $4, summary = $5, onboarding_status = 'completed', onboarding_error_code = null,
    context_generated_at = clock_timestamp(), onboarding_completed_at = clock_timestamp(),
    updated_at = clock_timestamp()
where id = $2 and account_id = $1 and onboarding_run_id = $3 and deleted_at is null`

const sqlMarkContextFailed = `update public.business_profiles
set onboarding_status = 'failed', onboarding_error_code = $4, updated_at = clock_timestamp()
where id = $2 and account_id = $1 and onboarding_run_id = $3 and deleted_at is null`

// contextArgs are a Context's column values in the order of sqlProfileInsert.
func contextArgs(c business.Context) []any {
	sizes := make([]string, 0, len(c.ICP.CompanySizes))
	for _, s := range c.ICP.CompanySizes {
		sizes = append(sizes, string(s))
	}
	return []any{c.BusinessName, c.OneLiner, c.Summary, c.TargetAudience, string(c.Tone),
		nonNil(c.SellingPoints), nonNil(c.OutreachGoals), c.ICP.MinFollowers, c.ICP.MaxFollowers,
		c.ICP.MinEngagementRate, nonNil(c.ICP.ContentThemes), nonNil(c.ICP.Niches), nonNil(c.ICP.Geography), sizes}
}

// nonNil sends an empty array for a nil list (the columns are not null).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Create implements business.Store.
func (s *BusinessStore) Create(ctx context.Context, p tenant.Principal, c business.Context) (business.Profile, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return business.Profile{}, errNoAccountScope
	}
	var out business.Profile
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var id string
		if err := q.QueryRow(ctx, sqlProfileInsert, append([]any{accountID}, contextArgs(c)...)...).Scan(&id); err != nil {
			return fmt.Errorf("insert business profile: %w", err)
		}
		var err error
		out, err = readProfile(ctx, q, sqlProfileOne, accountID, id)
		return err
	})
	return out, err
}

// ids returns the principal's account id and the profile id in canonical form; ok is false when
// either is not a UUID (nothing can match then).
func ids(p tenant.Principal, id string) (accountID, profileID string, ok bool) {
	accountID, okA := tenant.ParseUUID(p.AccountID)
	profileID, okP := tenant.ParseUUID(id)
	return accountID, profileID, okA && okP
}

// errNoAccountScope: the principal has no account (not provisioned), so nothing is visible and
// nothing may be created.
var errNoAccountScope = errNoProfile.WithMessage("the caller has no account")

// Get implements business.Store.
func (s *BusinessStore) Get(ctx context.Context, p tenant.Principal, id string) (business.Profile, error) {
	accountID, id, ok := ids(p, id)
	if !ok {
		return business.Profile{}, errNoProfile
	}
	var out business.Profile
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var err error
		out, err = readProfile(ctx, q, sqlProfileOne, accountID, id)
		return err
	})
	return out, err
}

// List implements business.Store. It reads limit+1 rows to learn whether another page exists.
func (s *BusinessStore) List(ctx context.Context, p tenant.Principal, f business.ListFilter) (business.Page, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return business.Page{Profiles: []business.Profile{}}, nil
	}
	args := []any{accountID}
	var b strings.Builder
	b.WriteString(sqlProfileSelect)
	if f.Cursor != "" {
		c, err := s.cursors.decodeIn(businessCursorDomain, accountID, f.Cursor)
		if err != nil {
			return business.Page{}, err
		}
		args = append(args, c.T, c.ID)
		b.WriteString("\n  and (p.created_at, p.id) < ($2::timestamptz, $3::uuid)")
	}
	limit := min(max(f.Limit, 1), business.MaxPageSize)
	args = append(args, limit+1)
	b.WriteString("\norder by p.created_at desc, p.id desc\nlimit $" + strconv.Itoa(len(args)))

	var profiles []business.Profile
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		rows, err := q.Query(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("list business profiles: %w", err)
		}
		profiles, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (business.Profile, error) { return scanProfile(r) })
		if err != nil {
			return fmt.Errorf("list business profiles: %w", err)
		}
		return nil
	})
	if err != nil {
		return business.Page{}, err
	}
	page := business.Page{Profiles: profiles}
	if len(profiles) > limit {
		page.Profiles = profiles[:limit]
		last := page.Profiles[limit-1]
		page.NextCursor = s.cursors.encodeIn(businessCursorDomain, accountID, ledgerCursor{T: last.CreatedAt, ID: last.ID})
	}
	return page, nil
}

// Update implements business.Store: SELECT … FOR UPDATE, change, UPDATE, read back, in one
// user-scope transaction.
func (s *BusinessStore) Update(ctx context.Context, p tenant.Principal, id string, change func(business.Profile) (business.Context, error)) (business.Profile, error) {
	accountID, id, ok := ids(p, id)
	if !ok {
		return business.Profile{}, errNoProfile
	}
	var out business.Profile
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		cur, err := readProfile(ctx, q, sqlProfileLock, accountID, id)
		if err != nil {
			return err
		}
		c, err := change(cur)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, sqlProfileUpdate, append([]any{accountID, id}, contextArgs(c)...)...); err != nil {
			return fmt.Errorf("update business profile: %w", err)
		}
		out, err = readProfile(ctx, q, sqlProfileOne, accountID, id)
		return err
	})
	return out, err
}

// Delete implements business.Store (soft delete).
func (s *BusinessStore) Delete(ctx context.Context, p tenant.Principal, id string) error {
	accountID, id, ok := ids(p, id)
	if !ok {
		return errNoProfile
	}
	return s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		return execOne(ctx, q, "delete business profile", sqlProfileDelete, accountID, id)
	})
}

// MarkContextRunning implements business.Store.
func (s *BusinessStore) MarkContextRunning(ctx context.Context, p tenant.Principal, id string, from int, runID string) (bool, error) {
	accountID, id, ok := ids(p, id)
	if !ok {
		return false, errNoProfile
	}
	var won bool
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		tag, err := q.Exec(ctx, sqlMarkContextRunning, accountID, id, from, runID)
		if err != nil {
			return fmt.Errorf("mark business context running: %w", err)
		}
		won = tag.RowsAffected() == 1
		return nil
	})
	return won, err
}

// SaveContext implements business.ContextStore (admin scope).
func (s *BusinessStore) SaveContext(ctx context.Context, accountID, id, runID string, w business.Written) (bool, error) {
	return s.adminUpdate(ctx, "save business context", sqlSaveContext, accountID, id, runID, w.OneLiner, w.Summary)
}

// MarkContextFailed implements business.ContextStore (admin scope).
func (s *BusinessStore) MarkContextFailed(ctx context.Context, accountID, id, runID, code string) (bool, error) {
	return s.adminUpdate(ctx, "mark business context failed", sqlMarkContextFailed, accountID, id, runID, code)
}

// adminUpdate runs one UPDATE of a profile in the admin scope and reports whether it matched.
// Ids that are not UUIDs match nothing.
func (s *BusinessStore) adminUpdate(ctx context.Context, what, sql, accountID, id string, args ...any) (bool, error) {
	accountID, okA := tenant.ParseUUID(accountID)
	id, okP := tenant.ParseUUID(id)
	if !okA || !okP {
		return false, nil
	}
	var done bool
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		tag, err := q.Exec(ctx, sql, append([]any{accountID, id}, args...)...)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		done = tag.RowsAffected() == 1
		return nil
	})
	return done, err
}

// execOne runs a statement that must change exactly one visible profile, else errNoProfile.
func execOne(ctx context.Context, q Querier, what, sql string, args ...any) error {
	tag, err := q.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return errNoProfile
	}
	return nil
}

// readProfile reads one profile with sql (sqlProfileOne or sqlProfileLock).
func readProfile(ctx context.Context, q Querier, sql, accountID, id string) (business.Profile, error) {
	rows, err := q.Query(ctx, sql, accountID, id)
	if err != nil {
		return business.Profile{}, fmt.Errorf("read business profile: %w", err)
	}
	prof, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (business.Profile, error) { return scanProfile(r) })
	if errors.Is(err, pgx.ErrNoRows) {
		return business.Profile{}, errNoProfile.WithCause(err)
	}
	if err != nil {
		return business.Profile{}, fmt.Errorf("read business profile: %w", err)
	}
	return prof, nil
}

// scanProfile reads one row of sqlProfileSelect.
func scanProfile(r pgx.Row) (business.Profile, error) {
	var (
		p         business.Profile
		tone      string
		sizes     []string
		status    string
		completed *time.Time
	)
	err := r.Scan(&p.ID, &p.AccountID, &p.BusinessName, &p.OneLiner, &p.Summary, &p.TargetAudience, &tone,
		&p.SellingPoints, &p.OutreachGoals, &p.ICP.MinFollowers, &p.ICP.MaxFollowers, &p.ICP.MinEngagementRate,
		&p.ICP.ContentThemes, &p.ICP.Niches, &p.ICP.Geography, &sizes,
		&status, &p.Onboarding.RunID, &p.Onboarding.ErrorCode, &p.Onboarding.Generation, &completed,
		&p.CreatedAt, &p.UpdatedAt, &p.LeadsCount, &p.AnalysesCount)
	if err != nil {
		return business.Profile{}, err
	}
	p.Tone = business.Tone(tone)
	p.ICP.CompanySizes = make([]business.CompanySize, 0, len(sizes))
	for _, s := range sizes {
		p.ICP.CompanySizes = append(p.ICP.CompanySizes, business.CompanySize(s))
	}
	p.Onboarding.Status = business.OnboardingStatus(status)
	if completed != nil {
		p.Onboarding.CompletedAt = completed.UTC()
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, nil
}
