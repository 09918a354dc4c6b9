package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/oslira/oslira/adapters/dbos"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/workflow"
)

// fixedWriter is the onboarding writer of the HTTP tests: it answers from the context alone,
// like the offline analyzer, and counts its calls.
type fixedWriter struct {
	calls *atomic.Int64 // nil: not counted
	fail  error         // returned by Summary when set
}

func (w fixedWriter) count() {
	if w.calls != nil {
		w.calls.Add(1)
	}
}

func (w fixedWriter) OneLiner(_ context.Context, _ string, c business.Context) (business.Text, error) {
	w.count()
	return business.Text{Text: c.BusinessName + " helps " + c.TargetAudience + " grow.", Provider: "test", Model: "fixed"}, nil
}

func (w fixedWriter) Summary(_ context.Context, _ string, c business.Context) (business.Text, error) {
	w.count()
	if w.fail != nil {
		return business.Text{}, w.fail
	}
	return business.Text{Text: c.BusinessName + " coaches. It specialises. It solves. It teaches. Extra sentence.", Provider: "test", Model: "fixed"}, nil
}

const createBody = `{"business_name": " Acme Strength ", "target_audience": "busy founders", "tone": "friendly",
	"selling_points": ["20-minute sessions", "20-Minute Sessions"],
	"icp": {"min_followers": 5000, "max_followers": 50000, "min_engagement_rate": 0.035,
	        "niches": ["fitness"], "company_sizes": ["startup"]}}`

// testBusinessRoutes drives /v1/business-profiles* over the real stack, the contract
// validating every answer (TestContract runs it). The onboarding run is only enqueued here
// (the fixture's engine is a client); TestBusinessOnboardingOverHTTP executes it.
func testBusinessRoutes(t *testing.T, f *apiFixture) {
	u := newUser(t, false)
	acct := f.me(t, u).Account.ID

	// Create, with an Idempotency-Key: the retry replays the same profile.
	key := map[string]string{HeaderIdempotencyKey: "biz-" + uuid.NewString()}
	create := req{method: http.MethodPost, target: "/v1/business-profiles", token: u.token, body: createBody, header: key}
	rec := f.do(t, create)
	p := decode[businessProfileJSON](t, rec, http.StatusCreated)
	if rec.Header().Get("Location") != "/v1/business-profiles/"+p.ID || p.AccountID != acct || p.BusinessName != "Acme Strength" ||
		!slices.Equal(p.SellingPoints, []string{"20-minute sessions"}) || p.Tone == nil || *p.Tone != "friendly" ||
		p.ICP.MaxFollowers == nil || *p.ICP.MaxFollowers != 50000 || p.ICP.MinEngagementRate == nil || *p.ICP.MinEngagementRate != 0.035 ||
		p.Onboarding.Status != "not_started" || p.Onboarding.RunID != nil || p.LeadsCount != 0 || p.AnalysesCount != 0 {
		t.Errorf("created = %+v (Location %q)", p, rec.Header().Get("Location"))
	}
	replay := f.do(t, create)
	if again := decode[businessProfileJSON](t, replay, http.StatusCreated); again.ID != p.ID || replay.Header().Get(HeaderIdempotentReplayed) != "true" {
		t.Errorf("replay created %s (replayed %q), want %s", again.ID, replay.Header().Get(HeaderIdempotentReplayed), p.ID)
	}
	other := create
	other.body = `{"business_name": "Other"}`
	wantProblem(t, f.do(t, other), http.StatusUnprocessableEntity, "request.idempotency-mismatch")

	// Validation: field errors name the JSON fields.
	for name, tc := range map[string]struct{ body, code, field string }{
		"no name":        {`{"tone": "casual"}`, business.CodeInvalidProfile, "business_name"},
		"max below min":  {`{"business_name": "x", "icp": {"min_followers": 10, "max_followers": 5}}`, business.CodeInvalidProfile, "icp.max_followers"},
		"percent rate":   {`{"business_name": "x", "icp": {"min_engagement_rate": 3.5}}`, business.CodeInvalidProfile, "icp.min_engagement_rate"},
		"unknown tone":   {`{"business_name": "x", "tone": "loud"}`, business.CodeInvalidProfile, "tone"},
		"blank item":     {`{"business_name": "x", "outreach_goals": ["ok", " "]}`, business.CodeInvalidProfile, "outreach_goals[1]"},
		"unknown size":   {`{"business_name": "x", "icp": {"company_sizes": ["huge"]}}`, business.CodeInvalidProfile, "icp.company_sizes[0]"},
		"unknown field":  {`{"business_name": "x", "website": "https://x.test"}`, apperr.CodeInvalidRequest, "website"},
		"nested unknown": {`{"business_name": "x", "icp": {"followers": 1}}`, apperr.CodeInvalidRequest, "icp.followers"},
		"wrong type":     {`{"business_name": "x", "icp": {"min_followers": "many"}}`, apperr.CodeInvalidRequest, "icp.min_followers"},
	} {
		pr := wantProblem(t, f.do(t, postJSON("/v1/business-profiles", u.token, tc.body)), http.StatusBadRequest, tc.code)
		if len(pr.Errors) == 0 || pr.Errors[0].Field != tc.field {
			t.Errorf("%s: field errors %+v, want %s", name, pr.Errors, tc.field)
		}
	}
	wantProblem(t, f.do(t, postJSON("/v1/business-profiles", u.token, `{"business_name": "`+strings.Repeat("x", MaxBodyBytes)+`"}`)),
		http.StatusRequestEntityTooLarge, apperr.CodeBodyTooLarge)
	form := postJSON("/v1/business-profiles", u.token, `{"business_name": "x"}`)
	form.header = map[string]string{"Content-Type": "text/plain"}
	wantProblem(t, f.do(t, form), http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType)

	// Read one, list.
	one := "/v1/business-profiles/" + p.ID
	if got := decode[businessProfileJSON](t, f.do(t, req{method: http.MethodGet, target: one, token: u.token}), http.StatusOK); got.ID != p.ID || got.BusinessName != p.BusinessName {
		t.Errorf("get = %+v", got)
	}
	second := decode[businessProfileJSON](t, f.do(t, postJSON("/v1/business-profiles", u.token, `{"business_name": "Second"}`)), http.StatusCreated)
	page := decode[businessPageResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/business-profiles?limit=1", token: u.token}), http.StatusOK)
	if len(page.Data) != 1 || page.Data[0].ID != second.ID || page.NextCursor == nil {
		t.Fatalf("first page = %+v", page)
	}
	page = decode[businessPageResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/business-profiles?limit=1&cursor=" + *page.NextCursor, token: u.token}), http.StatusOK)
	if len(page.Data) != 1 || page.Data[0].ID != p.ID || page.NextCursor != nil {
		t.Errorf("second page = %+v", page)
	}
	for _, q := range []string{"limit=0", "limit=51", "limit=x"} {
		wantProblem(t, f.do(t, req{method: http.MethodGet, target: "/v1/business-profiles?" + q, token: u.token}), http.StatusBadRequest, business.CodeInvalidPageSize)
	}
	wantProblem(t, f.do(t, req{method: http.MethodGet, target: "/v1/business-profiles?cursor=forged", token: u.token}), http.StatusBadRequest, apperr.CodeInvalidCursor)

	// PATCH: merge-patch semantics over HTTP (absent keeps, null clears, values replace).
	patch := func(body string) req { return req{method: http.MethodPatch, target: one, token: u.token, body: body} }
	got := decode[businessProfileJSON](t, f.do(t, patch(`{"tone": null, "icp": {"max_followers": null, "niches": ["yoga"]}}`)), http.StatusOK)
	if got.Tone != nil || got.ICP.MaxFollowers != nil || got.ICP.MinFollowers != 5000 || !slices.Equal(got.ICP.Niches, []string{"yoga"}) ||
		got.ICP.MinEngagementRate == nil || got.TargetAudience != "busy founders" || !slices.Equal(got.SellingPoints, []string{"20-minute sessions"}) {
		t.Errorf("after patch = %+v", got)
	}
	mp := patch(`{"icp": null}`)
	mp.header = map[string]string{"Content-Type": "application/merge-patch+json"}
	if got := decode[businessProfileJSON](t, f.do(t, mp), http.StatusOK); got.ICP.MinFollowers != 0 || got.ICP.MinEngagementRate != nil || len(got.ICP.Niches) != 0 {
		t.Errorf("after icp null = %+v", got.ICP)
	}
	pr := wantProblem(t, f.do(t, patch(`{"business_name": null}`)), http.StatusBadRequest, business.CodeInvalidProfile)
	if len(pr.Errors) != 1 || pr.Errors[0].Field != "business_name" {
		t.Errorf("clearing the name: %+v", pr.Errors)
	}
	wantProblem(t, f.do(t, patch(`{"icp": {"min_followers": -1}}`)), http.StatusBadRequest, business.CodeInvalidProfile)
	wantProblem(t, f.do(t, patch(`{"id": "x"}`)), http.StatusBadRequest, apperr.CodeInvalidRequest)
	wantProblem(t, f.do(t, patch(`{"business_name": "`+strings.Repeat("x", MaxBodyBytes)+`"}`)), http.StatusRequestEntityTooLarge, apperr.CodeBodyTooLarge)
	plain := patch(`{}`)
	plain.header = map[string]string{"Content-Type": "text/plain"}
	wantProblem(t, f.do(t, plain), http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType)

	// Onboarding: 202 with the run; a second request while it is enqueued returns the same run.
	ctxURL := one + "/context"
	rec = f.do(t, req{method: http.MethodPost, target: ctxURL, token: u.token})
	run := decode[contextRunJSON](t, rec, http.StatusAccepted)
	wantRun := business.ContextRunID(p.ID, 1)
	if run.RunID == nil || *run.RunID != wantRun || run.Status != "running" || run.State == nil || *run.State != "enqueued" ||
		rec.Header().Get("Location") != ctxURL {
		t.Errorf("started = %+v (Location %q)", run, rec.Header().Get("Location"))
	}
	if again := decode[contextRunJSON](t, f.do(t, req{method: http.MethodPost, target: ctxURL, token: u.token}), http.StatusAccepted); again.RunID == nil || *again.RunID != wantRun {
		t.Errorf("second start = %+v, want the same run", again)
	}
	status := decode[contextRunJSON](t, f.do(t, req{method: http.MethodGet, target: ctxURL, token: u.token}), http.StatusOK)
	if status.Status != "running" || status.State == nil || *status.State != "enqueued" || status.ProfileID != p.ID {
		t.Errorf("status = %+v", status)
	}
	never := decode[contextRunJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/business-profiles/" + second.ID + "/context", token: u.token}), http.StatusOK)
	if never.RunID != nil || never.State != nil || never.Status != "not_started" {
		t.Errorf("status of a profile never generated = %+v", never)
	}
	badKey := req{method: http.MethodPost, target: ctxURL, token: u.token, header: map[string]string{HeaderIdempotencyKey: strings.Repeat("k", 201)}}
	wantProblem(t, f.do(t, badKey), http.StatusBadRequest, apperr.CodeInvalidRequest)

	// Delete: 204, then 404 everywhere; another account's profile is 404 too.
	if rec := f.do(t, req{method: http.MethodDelete, target: "/v1/business-profiles/" + second.ID, token: u.token}); rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Errorf("delete: %d %s", rec.Code, rec.Body.String())
	}
	stranger := newUser(t, false)
	for _, r := range []req{
		{method: http.MethodGet, target: "/v1/business-profiles/" + second.ID, token: u.token},
		{method: http.MethodDelete, target: "/v1/business-profiles/" + second.ID, token: u.token},
		{method: http.MethodGet, target: "/v1/business-profiles/not-a-uuid", token: u.token},
		{method: http.MethodGet, target: one, token: stranger.token},
		{method: http.MethodPatch, target: one, token: stranger.token, body: `{"tone": "casual"}`},
		{method: http.MethodDelete, target: one, token: stranger.token},
		{method: http.MethodPost, target: ctxURL, token: stranger.token},
		{method: http.MethodGet, target: ctxURL, token: stranger.token},
	} {
		wantProblem(t, f.do(t, r), http.StatusNotFound, apperr.CodeNotFound)
	}
	if got := decode[businessPageResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/business-profiles", token: stranger.token}), http.StatusOK); len(got.Data) != 0 {
		t.Errorf("a stranger lists %d profiles", len(got.Data))
	}
	// The owner's profile survived the stranger's attempts.
	if got := decode[businessProfileJSON](t, f.do(t, req{method: http.MethodGet, target: one, token: u.token}), http.StatusOK); got.BusinessName != "Acme Strength" {
		t.Errorf("after the stranger: %+v", got)
	}
	for _, r := range []req{
		{method: http.MethodGet, target: "/v1/business-profiles"},
		{method: http.MethodPost, target: "/v1/business-profiles", body: `{"business_name": "x"}`},
		{method: http.MethodGet, target: one},
		{method: http.MethodPatch, target: one, body: `{}`},
		{method: http.MethodDelete, target: one},
		{method: http.MethodPost, target: ctxURL},
		{method: http.MethodGet, target: ctxURL},
	} {
		wantProblem(t, f.do(t, r), http.StatusUnauthorized, "auth.token-missing")
	}
}

// newBusinessExecutorFixture is the API over a database of its own with a real DBOS executor
// running business.context.v1 (writing with w) in this process.
func newBusinessExecutorFixture(t *testing.T, w business.ContextWriter) *apiFixture {
	t.Helper()
	pool := pgtest.IsolatedPool(t)
	migrateWorkflows(t, pool)
	db := postgres.NewDB(pool)
	store, err := postgres.NewBusinessStore(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defs := []workflow.Definition{
		billing.EventDefinition(billing.NewProcessor(postgres.NewBillingStore(db))),
		business.ContextDefinition(w, store),
	}
	x, err := dbos.NewExecutor(pool, testDBOSConfig("httpapi-"+uniqueID("b")), defs, nil, discardLogger())
	if err != nil {
		t.Fatalf("dbos executor: %v", err)
	}
	if err := x.Launch(context.Background()); err != nil {
		_ = x.Shutdown(context.Background())
		t.Fatalf("launch: %v", err)
	}
	t.Cleanup(func() { _ = x.Shutdown(context.Background()) })
	return newAPIFixtureWith(t, fixtureConfig{pool: pool, workflows: x})
}

// TestBusinessOnboardingOverHTTP runs onboarding end to end on the real engine: POST starts the
// run, the executor writes and saves the texts, GET shows the run succeeded and the profile
// completed; a second generation is a new run; a failing writer leaves the profile failed with
// the error's code and the earlier texts.
func TestBusinessOnboardingOverHTTP(t *testing.T) {
	t.Parallel()
	calls := &atomic.Int64{}
	f := newBusinessExecutorFixture(t, fixedWriter{calls: calls})
	u := newUser(t, false)
	p := decode[businessProfileJSON](t, f.do(t, postJSON("/v1/business-profiles", u.token, createBody)), http.StatusCreated)
	ctxURL := "/v1/business-profiles/" + p.ID + "/context"
	onboarded := func() bool {
		t.Helper()
		return decode[meResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/me", token: u.token}), http.StatusOK).OnboardingCompleted
	}
	if onboarded() {
		t.Error("/v1/me onboarding_completed before the run")
	}

	run := decode[contextRunJSON](t, f.do(t, req{method: http.MethodPost, target: ctxURL, token: u.token}), http.StatusAccepted)
	st := f.waitRun(t, *run.RunID, workflow.StateSucceeded)
	if !onboarded() {
		t.Error("/v1/me onboarding_completed false after the run")
	}
	if !strings.Contains(string(st.Output), `"saved":true`) {
		t.Errorf("run output %s", st.Output)
	}
	done := decode[contextRunJSON](t, f.do(t, req{method: http.MethodGet, target: ctxURL, token: u.token}), http.StatusOK)
	wantLiner := "Acme Strength helps busy founders grow."
	wantSummary := "Acme Strength coaches. It specialises. It solves. It teaches."
	if done.Status != "completed" || done.State == nil || *done.State != "succeeded" || done.OneLiner != wantLiner ||
		done.Summary != wantSummary || done.CompletedAt == nil {
		t.Errorf("after the run = %+v", done)
	}
	prof := decode[businessProfileJSON](t, f.do(t, req{method: http.MethodGet, target: "/v1/business-profiles/" + p.ID, token: u.token}), http.StatusOK)
	if prof.OneLiner != wantLiner || prof.Summary != wantSummary || prof.Onboarding.Status != "completed" || prof.Onboarding.Generation != 1 {
		t.Errorf("profile after the run = %+v", prof)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("writer called %d times, want 2 (one-liner and summary once each)", n)
	}

	// A finished generation: the next request starts generation 2.
	run2 := decode[contextRunJSON](t, f.do(t, req{method: http.MethodPost, target: ctxURL, token: u.token}), http.StatusAccepted)
	if *run2.RunID != business.ContextRunID(p.ID, 2) {
		t.Fatalf("second generation run %s", *run2.RunID)
	}
	f.waitRun(t, *run2.RunID, workflow.StateSucceeded)
	if n := calls.Load(); n != 4 {
		t.Errorf("writer called %d times after two generations, want 4", n)
	}
}

func TestBusinessOnboardingFailureOverHTTP(t *testing.T) {
	t.Parallel()
	refused := apperr.New(apperr.Internal, "ai.refused", "internal error")
	f := newBusinessExecutorFixture(t, fixedWriter{fail: refused})
	u := newUser(t, false)
	p := decode[businessProfileJSON](t, f.do(t, postJSON("/v1/business-profiles", u.token, `{"business_name": "Nope", "one_liner": "kept"}`)), http.StatusCreated)
	ctxURL := "/v1/business-profiles/" + p.ID + "/context"
	run := decode[contextRunJSON](t, f.do(t, req{method: http.MethodPost, target: ctxURL, token: u.token}), http.StatusAccepted)
	f.waitRun(t, *run.RunID, workflow.StateFailed)
	got := decode[contextRunJSON](t, f.do(t, req{method: http.MethodGet, target: ctxURL, token: u.token}), http.StatusOK)
	if got.Status != "failed" || got.ErrorCode == nil || *got.ErrorCode != "ai.refused" || got.State == nil || *got.State != "failed" || got.OneLiner != "kept" {
		t.Errorf("after a failed run = %+v", got)
	}
	// A failed generation can be started again: generation 2.
	again := decode[contextRunJSON](t, f.do(t, req{method: http.MethodPost, target: ctxURL, token: u.token}), http.StatusAccepted)
	if *again.RunID != business.ContextRunID(p.ID, 2) || again.Status != "running" {
		t.Errorf("restart = %+v", again)
	}
	f.waitRun(t, *again.RunID, workflow.StateFailed)
}
