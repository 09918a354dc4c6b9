package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

// newBusiness returns the business use cases over a BusinessStore on the shared test database
// (no workflow engine: these tests do not start onboarding runs).
func newBusiness(t *testing.T) (*business.Service, *postgres.BusinessStore, *postgres.DB) {
	t.Helper()
	db := postgres.NewDB(pgtest.Pool(t))
	store, err := postgres.NewBusinessStore(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return business.NewService(store, nil), store, db
}

// fullContext fills every field.
func fullContext(name string) business.Context {
	return business.Context{
		BusinessName:   name,
		OneLiner:       "Strength coaching for busy founders.",
		Summary:        "We coach founders. We focus on strength. We fix back pain. We train online.",
		TargetAudience: "Founders of seed-stage startups",
		Tone:           business.ToneFriendly,
		SellingPoints:  []string{"20-minute sessions", "No gym needed"},
		OutreachGoals:  []string{"book a call"},
		ICP: business.ICP{
			MinFollowers:      5_000,
			MaxFollowers:      business.Int64(50_000),
			MinEngagementRate: business.Float64(0.035),
			ContentThemes:     []string{"strength training"},
			Niches:            []string{"fitness"},
			Geography:         []string{"Berlin", "Germany"},
			CompanySizes:      []business.CompanySize{business.SizeStartup, business.SizeSMB},
		},
	}
}

func TestBusinessProfileCreateAndGetRoundTripEveryField(t *testing.T) {
	t.Parallel()
	svc, _, db := newBusiness(t)
	m := provision(t, db, 0)
	before := time.Now().Add(-time.Minute)

	want := fullContext("Acme Strength")
	created, err := svc.Create(t.Context(), m.principal(), want)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tenant.ParseUUID(created.ID); !ok || created.AccountID != m.account {
		t.Fatalf("created id %q account %q, want a UUID of account %s", created.ID, created.AccountID, m.account)
	}
	if created.CreatedAt.Before(before) || !created.UpdatedAt.Equal(created.CreatedAt) || created.CreatedAt.Location() != time.UTC {
		t.Errorf("created_at %v updated_at %v", created.CreatedAt, created.UpdatedAt)
	}
	got, err := svc.Get(t.Context(), m.principal(), strings.ToUpper(created.ID))
	if err != nil {
		t.Fatal(err)
	}
	assertContext(t, got.Context, want)
	if got.Onboarding != (business.Onboarding{Status: business.OnboardingNotStarted}) || got.LeadsCount != 0 || got.AnalysesCount != 0 {
		t.Errorf("onboarding %+v counts %d/%d, want not_started and 0/0", got.Onboarding, got.LeadsCount, got.AnalysesCount)
	}

	// Unset optional values come back unset (nil), not as zeroes.
	bare, err := svc.Create(t.Context(), m.principal(), business.Context{BusinessName: "  Bare  "})
	if err != nil {
		t.Fatal(err)
	}
	if bare.BusinessName != "Bare" || bare.ICP.MaxFollowers != nil || bare.ICP.MinEngagementRate != nil ||
		bare.SellingPoints == nil || len(bare.SellingPoints) != 0 || len(bare.ICP.CompanySizes) != 0 || bare.Tone != "" {
		t.Errorf("bare profile = %+v", bare)
	}
}

// assertContext compares every field of a stored context with what was sent.
func assertContext(t *testing.T, got, want business.Context) {
	t.Helper()
	if got.BusinessName != want.BusinessName || got.OneLiner != want.OneLiner || got.Summary != want.Summary ||
		got.TargetAudience != want.TargetAudience || got.Tone != want.Tone ||
		!slices.Equal(got.SellingPoints, want.SellingPoints) || !slices.Equal(got.OutreachGoals, want.OutreachGoals) {
		t.Errorf("context = %+v\nwant %+v", got, want)
	}
	g, w := got.ICP, want.ICP
	if g.MinFollowers != w.MinFollowers || !equalPtr(g.MaxFollowers, w.MaxFollowers) || !equalPtr(g.MinEngagementRate, w.MinEngagementRate) ||
		!slices.Equal(g.ContentThemes, w.ContentThemes) || !slices.Equal(g.Niches, w.Niches) ||
		!slices.Equal(g.Geography, w.Geography) || !slices.Equal(g.CompanySizes, w.CompanySizes) {
		t.Errorf("icp = %+v\nwant %+v", g, w)
	}
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func TestBusinessProfileValidationNamesTheFields(t *testing.T) {
	t.Parallel()
	svc, _, db := newBusiness(t)
	m := provision(t, db, 0)
	c := fullContext("")
	c.ICP.MaxFollowers = business.Int64(10)
	c.ICP.MinEngagementRate = business.Float64(3.5)
	_, err := svc.Create(t.Context(), m.principal(), c)
	e, ok := apperr.As(err)
	if !ok || e.Code != business.CodeInvalidProfile {
		t.Fatalf("err = %v, want %s", err, business.CodeInvalidProfile)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	if want := []string{"business_name", "icp.max_followers", "icp.min_engagement_rate"}; !slices.Equal(fields, want) {
		t.Errorf("fields = %v, want %v", fields, want)
	}
	if n := count(t, pgtest.Pool(t), "select count(*) from public.business_profiles where account_id = $1", m.account); n != 0 {
		t.Errorf("%d rows stored after a refused create", n)
	}

	// The database holds the same rules: a write that skipped the use case is refused.
	_, store, _ := newBusiness(t)
	bad := fullContext("Direct")
	bad.ICP.MaxFollowers = business.Int64(1)
	if _, err := store.Create(t.Context(), m.principal(), bad); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("min > max written directly: %v, want Invalid (check constraint)", err)
	}
}

func TestBusinessProfilePatchMergesTheContext(t *testing.T) {
	t.Parallel()
	svc, _, db := newBusiness(t)
	m := provision(t, db, 0)
	p, err := svc.Create(t.Context(), m.principal(), fullContext("Acme"))
	if err != nil {
		t.Fatal(err)
	}

	// Absent members keep, values replace, null clears; ICP members merge one by one.
	updated, err := svc.Update(t.Context(), m.principal(), p.ID, business.Patch{
		Tone:          business.To(business.ToneCasual),
		OutreachGoals: business.Clear[[]string](),
		ICP: business.To(business.ICPPatch{
			MaxFollowers: business.Clear[int64](),
			Niches:       business.To([]string{"yoga", "Yoga", " pilates "}),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fullContext("Acme")
	want.Tone = business.ToneCasual
	want.OutreachGoals = []string{}
	want.ICP.MaxFollowers = nil
	want.ICP.Niches = []string{"yoga", "pilates"}
	assertContext(t, updated.Context, want)
	if !updated.UpdatedAt.After(p.UpdatedAt) || !updated.CreatedAt.Equal(p.CreatedAt) {
		t.Errorf("updated_at %v (was %v), created_at %v (was %v)", updated.UpdatedAt, p.UpdatedAt, updated.CreatedAt, p.CreatedAt)
	}
	again, err := svc.Get(t.Context(), m.principal(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertContext(t, again.Context, want)

	// The merged result is validated as a whole: a new minimum above the kept maximum is refused,
	// and nothing is written.
	if _, err := svc.Update(t.Context(), m.principal(), p.ID, business.Patch{ICP: business.To(business.ICPPatch{
		MaxFollowers: business.To[int64](100), MinFollowers: business.To[int64](200),
	})}); apperr.CodeOf(err) != business.CodeInvalidProfile {
		t.Errorf("min above max: %v", err)
	}
	if _, err := svc.Update(t.Context(), m.principal(), p.ID, business.Patch{BusinessName: business.Clear[string]()}); apperr.CodeOf(err) != business.CodeInvalidProfile {
		t.Errorf("clearing the name: %v", err)
	}
	after, _ := svc.Get(t.Context(), m.principal(), p.ID)
	assertContext(t, after.Context, want)

	// A null ICP clears all of it.
	cleared, err := svc.Update(t.Context(), m.principal(), p.ID, business.Patch{ICP: business.Clear[business.ICPPatch]()})
	if err != nil {
		t.Fatal(err)
	}
	if cleared.ICP.MinFollowers != 0 || cleared.ICP.MinEngagementRate != nil || len(cleared.ICP.Niches) != 0 || cleared.BusinessName != "Acme" {
		t.Errorf("after icp null: %+v", cleared.Context)
	}
}

func TestBusinessProfileConcurrentUpdatesBothSurvive(t *testing.T) {
	t.Parallel()
	svc, store, db := newBusiness(t)
	m := provision(t, db, 0)
	p, err := svc.Create(t.Context(), m.principal(), business.Context{BusinessName: "Race"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// Each appends its own goal to the list it read: without the row lock, edits get lost.
			_, err := store.Update(context.Background(), m.principal(), p.ID, func(cur business.Profile) (business.Context, error) {
				c := cur.Context
				c.OutreachGoals = append(slices.Clone(c.OutreachGoals), "goal "+strconv.Itoa(i))
				return c, nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := svc.Get(t.Context(), m.principal(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.OutreachGoals) != n {
		t.Errorf("goals = %v, want %d (an edit was lost)", got.OutreachGoals, n)
	}
}

func TestBusinessProfileSoftDelete(t *testing.T) {
	t.Parallel()
	svc, store, db := newBusiness(t)
	m := provision(t, db, 0)
	keep, _ := svc.Create(t.Context(), m.principal(), business.Context{BusinessName: "Keep"})
	gone, err := svc.Create(t.Context(), m.principal(), business.Context{BusinessName: "Gone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(t.Context(), m.principal(), gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(t.Context(), m.principal(), gone.ID); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Get after delete: %v", err)
	}
	if _, err := svc.Update(t.Context(), m.principal(), gone.ID, business.Patch{Tone: business.To(business.ToneCasual)}); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Update after delete: %v", err)
	}
	if err := svc.Delete(t.Context(), m.principal(), gone.ID); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("second Delete: %v", err)
	}
	if won, err := store.MarkContextRunning(t.Context(), m.principal(), gone.ID, 0, "r"); won || err != nil {
		t.Errorf("MarkContextRunning after delete = %v, %v", won, err)
	}
	page, err := svc.List(t.Context(), m.principal(), "", 0)
	if err != nil || len(page.Profiles) != 1 || page.Profiles[0].ID != keep.ID {
		t.Errorf("List after delete = %+v, %v; want only %s", page, err, keep.ID)
	}
	// Soft: the row is still there, marked.
	if n := count(t, pgtest.Pool(t), "select count(*) from public.business_profiles where id = $1 and deleted_at is not null", gone.ID); n != 1 {
		t.Errorf("deleted row count %d, want 1 (kept, marked deleted)", n)
	}
}

func TestBusinessProfileListPages(t *testing.T) {
	t.Parallel()
	svc, _, db := newBusiness(t)
	m, other := provision(t, db, 0), provision(t, db, 0)
	var created []string
	for i := range 7 {
		p, err := svc.Create(t.Context(), m.principal(), business.Context{BusinessName: "P" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, p.ID)
	}
	if _, err := svc.Create(t.Context(), other.principal(), business.Context{BusinessName: "Other"}); err != nil {
		t.Fatal(err)
	}

	var seen []string
	cursor, pages := "", 0
	for {
		page, err := svc.List(t.Context(), m.principal(), cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, p := range page.Profiles {
			seen = append(seen, p.ID)
		}
		if page.NextCursor == "" {
			break
		}
		if len(page.Profiles) != 3 {
			t.Fatalf("page %d has %d profiles and a next cursor", pages, len(page.Profiles))
		}
		cursor = page.NextCursor
	}
	slices.Reverse(created) // newest first
	if pages != 3 || !slices.Equal(seen, created) {
		t.Errorf("%d pages %v, want 3 pages %v", pages, seen, created)
	}

	// A cursor is bound to its account and listing, and refused when altered.
	first, _ := svc.List(t.Context(), m.principal(), "", 3)
	for name, c := range map[string]string{
		"other account": first.NextCursor,
		"altered":       "x" + first.NextCursor[1:],
		"garbage":       "not-a-cursor",
	} {
		who := m.principal()
		if name == "other account" {
			who = other.principal()
		}
		if _, err := svc.List(t.Context(), who, c, 3); apperr.CodeOf(err) != apperr.CodeInvalidCursor {
			t.Errorf("%s cursor: %v, want %s", name, err, apperr.CodeInvalidCursor)
		}
	}
	if _, err := svc.List(t.Context(), m.principal(), "", business.MaxPageSize+1); apperr.CodeOf(err) != business.CodeInvalidPageSize {
		t.Errorf("limit above max: %v", err)
	}
}

func TestBusinessCursorIsNotALedgerCursor(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	db := postgres.NewDB(pool)
	key := postgres.CursorKey(strings.Repeat("k", 32))
	ledger, err := postgres.NewLedgerReader(db, key)
	if err != nil {
		t.Fatal(err)
	}
	store, err := postgres.NewBusinessStore(db, key)
	if err != nil {
		t.Fatal(err)
	}
	svc := business.NewService(store, nil)
	m := provision(t, db, 25)
	for i := range 2 {
		if _, err := svc.Create(t.Context(), m.principal(), business.Context{BusinessName: "C" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := svc.List(t.Context(), m.principal(), "", 1)
	if err != nil || page.NextCursor == "" {
		t.Fatalf("first page %+v, %v", page, err)
	}
	// Same key, same account: the ledger still refuses a business cursor (domains differ).
	if _, err := ledger.Entries(t.Context(), m.principal(), credit.EntryFilter{Cursor: page.NextCursor, Limit: 10}); apperr.CodeOf(err) != apperr.CodeInvalidCursor {
		t.Errorf("a business cursor on the ledger: %v, want %s", err, apperr.CodeInvalidCursor)
	}
	if _, err := postgres.NewBusinessStore(db, postgres.CursorKey("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestBusinessProfilesAreIsolatedBetweenAccounts(t *testing.T) {
	t.Parallel()
	svc, store, db := newBusiness(t)
	a, b := provision(t, db, 0), provision(t, db, 0)
	pa, err := svc.Create(t.Context(), a.principal(), business.Context{BusinessName: "A's"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(t.Context(), b.principal(), business.Context{BusinessName: "B's"}); err != nil {
		t.Fatal(err)
	}

	// B cannot see or touch A's profile: NotFound, never Forbidden.
	if _, err := svc.Get(t.Context(), b.principal(), pa.ID); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Get as B: %v", err)
	}
	if _, err := svc.Update(t.Context(), b.principal(), pa.ID, business.Patch{Tone: business.To(business.ToneCasual)}); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Update as B: %v", err)
	}
	if err := svc.Delete(t.Context(), b.principal(), pa.ID); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Delete as B: %v", err)
	}
	if won, err := store.MarkContextRunning(t.Context(), b.principal(), pa.ID, 0, "r"); won || err != nil {
		t.Errorf("MarkContextRunning as B = %v, %v", won, err)
	}

	// A forged principal (B's user acting for A's account): the SQL filter alone would let it
	// through, RLS does not.
	forged := tenant.Principal{UserID: b.user, AccountID: a.account, Roles: []tenant.Role{tenant.RoleUser}}
	if _, err := svc.Get(t.Context(), forged, pa.ID); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Get forged: %v", err)
	}
	if page, err := svc.List(t.Context(), forged, "", 0); err != nil || len(page.Profiles) != 0 {
		t.Errorf("List forged = %+v, %v; want empty", page, err)
	}
	if _, err := svc.Create(t.Context(), forged, business.Context{BusinessName: "Intruder"}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Create forged: %v, want Forbidden (RLS with check)", err)
	}
	if err := svc.Delete(t.Context(), forged, pa.ID); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Delete forged: %v", err)
	}
	got, err := svc.Get(t.Context(), a.principal(), pa.ID)
	if err != nil || got.BusinessName != "A's" {
		t.Errorf("A's profile after the attempts: %+v, %v", got, err)
	}

	// In the user scope, a query without any WHERE returns only the caller's rows.
	err = db.UserScope(t.Context(), a.principal(), func(ctx context.Context, q postgres.Querier) error {
		if got := ids(t, ctx, q, "select account_id::text from public.business_profiles"); !slices.Equal(got, []string{a.account}) {
			t.Errorf("business_profiles as A = %v, want only [%s]", got, a.account)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A principal without an account sees nothing and creates nothing.
	none := tenant.Principal{UserID: a.user}
	if page, err := svc.List(t.Context(), none, "", 0); err != nil || len(page.Profiles) != 0 {
		t.Errorf("List without account = %+v, %v", page, err)
	}
	if _, err := svc.Create(t.Context(), none, business.Context{BusinessName: "X"}); !errors.Is(err, business.ErrNotFound) {
		t.Errorf("Create without account: %v", err)
	}
}

func TestBusinessContextRunBookkeeping(t *testing.T) {
	t.Parallel()
	svc, store, db := newBusiness(t)
	m := provision(t, db, 0)
	writer := postgres.NewBusinessContextStore(db) // the workflow's store, as fx binds it
	p, err := svc.Create(t.Context(), m.principal(), business.Context{BusinessName: "Onboard", OneLiner: "old"})
	if err != nil {
		t.Fatal(err)
	}
	run1 := business.ContextRunID(p.ID, 1)
	if won, err := store.MarkContextRunning(t.Context(), m.principal(), p.ID, 0, run1); !won || err != nil {
		t.Fatalf("first mark = %v, %v", won, err)
	}
	// The generation moved: a second request from the same starting point loses.
	if won, err := store.MarkContextRunning(t.Context(), m.principal(), p.ID, 0, run1); won || err != nil {
		t.Fatalf("second mark from 0 = %v, %v; want false", won, err)
	}
	got, _ := svc.Get(t.Context(), m.principal(), p.ID)
	if got.Onboarding != (business.Onboarding{Status: business.OnboardingRunning, RunID: run1, Generation: 1}) {
		t.Errorf("onboarding = %+v", got.Onboarding)
	}

	// Only the latest run writes.
	w := business.Written{OneLiner: "New one-liner.", Summary: "One. Two. Three. Four."}
	if ok, err := writer.SaveContext(t.Context(), m.account, p.ID, "business-context:stale", w); ok || err != nil {
		t.Errorf("save by a stale run = %v, %v", ok, err)
	}
	if ok, err := writer.SaveContext(t.Context(), m.account, "not-a-uuid", run1, w); ok || err != nil {
		t.Errorf("save of a malformed id = %v, %v", ok, err)
	}
	if ok, err := writer.SaveContext(t.Context(), m.account, p.ID, run1, w); !ok || err != nil {
		t.Fatalf("save = %v, %v", ok, err)
	}
	got, _ = svc.Get(t.Context(), m.principal(), p.ID)
	if got.OneLiner != w.OneLiner || got.Summary != w.Summary || got.Onboarding.Status != business.OnboardingCompleted ||
		got.Onboarding.CompletedAt.IsZero() || got.Onboarding.ErrorCode != "" {
		t.Errorf("after save: %+v", got)
	}

	// The next generation fails: its code is recorded, the saved texts stay.
	run2 := business.ContextRunID(p.ID, 2)
	if won, err := store.MarkContextRunning(t.Context(), m.principal(), p.ID, 1, run2); !won || err != nil {
		t.Fatalf("mark 2 = %v, %v", won, err)
	}
	if ok, err := writer.MarkContextFailed(t.Context(), m.account, p.ID, run1, "x"); ok || err != nil {
		t.Errorf("fail by the older run = %v, %v", ok, err)
	}
	if ok, err := writer.MarkContextFailed(t.Context(), m.account, p.ID, run2, "service.unavailable"); !ok || err != nil {
		t.Fatalf("fail = %v, %v", ok, err)
	}
	got, _ = svc.Get(t.Context(), m.principal(), p.ID)
	if got.Onboarding.Status != business.OnboardingFailed || got.Onboarding.ErrorCode != "service.unavailable" ||
		got.Onboarding.Generation != 2 || got.OneLiner != w.OneLiner {
		t.Errorf("after failure: %+v", got)
	}

	// Nothing is written to a deleted profile.
	if err := svc.Delete(t.Context(), m.principal(), p.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := writer.SaveContext(t.Context(), m.account, p.ID, run2, w); ok || err != nil {
		t.Errorf("save after delete = %v, %v", ok, err)
	}
}

// TestBusinessProfileCountsLeadsAndAnalyses: a profile reports its live leads (a deleted one
// does not count) and all its analyses, in reads, listings and under the row lock of an update;
// another profile's rows are not counted.
func TestBusinessProfileCountsLeadsAndAnalyses(t *testing.T) {
	t.Parallel()
	svc, _, db := newBusiness(t)
	m := provision(t, db, 0)
	ctx := t.Context()
	counted, err := svc.Create(ctx, m.principal(), fullContext("Counted"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.Create(ctx, m.principal(), fullContext("Other"))
	if err != nil {
		t.Fatal(err)
	}
	pool := db.Pool()
	for i, deleted := range []bool{false, false, true} {
		if _, err := pool.Exec(ctx, `insert into public.leads (account_id, business_profile_id, username, deleted_at)
			values ($1, $2, $3, case when $4 then now() end)`, m.account, counted.ID, fmt.Sprintf("lead.%d", i), deleted); err != nil {
			t.Fatal(err)
		}
	}
	for i, profile := range []string{counted.ID, counted.ID, counted.ID, other.ID} {
		if _, err := pool.Exec(ctx, `insert into public.analyses (account_id, business_profile_id, username, type, credits)
			values ($1, $2, $3, 'light', 1)`, m.account, profile, fmt.Sprintf("handle.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.Get(ctx, m.principal(), counted.ID)
	if err != nil || got.LeadsCount != 2 || got.AnalysesCount != 3 {
		t.Errorf("Get: leads %d analyses %d, %v; want 2 and 3", got.LeadsCount, got.AnalysesCount, err)
	}
	page, err := svc.List(ctx, m.principal(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Profiles {
		want := map[string][2]int64{counted.ID: {2, 3}, other.ID: {0, 1}}[p.ID]
		if p.LeadsCount != want[0] || p.AnalysesCount != want[1] {
			t.Errorf("List: %s has %d leads, %d analyses; want %v", p.BusinessName, p.LeadsCount, p.AnalysesCount, want)
		}
	}
	updated, err := svc.Update(ctx, m.principal(), counted.ID, business.Patch{BusinessName: business.To("Counted again")})
	if err != nil || updated.LeadsCount != 2 || updated.AnalysesCount != 3 {
		t.Errorf("Update: leads %d analyses %d, %v", updated.LeadsCount, updated.AnalysesCount, err)
	}
}
