package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/workflow"
)

// enqueueOnly is a definition for a DBOS client that only enqueues runs (the fixture's client
// never executes them): the analysis runs of the HTTP tests wait on their queue, and the tests
// finish them through the store, as the run would.
func enqueueOnly(name, queue string) workflow.Definition {
	return workflow.Definition{Name: name, Queue: queue, Body: func(context.Context, workflow.Run, []byte) ([]byte, error) {
		return nil, nil
	}}
}

// analysisCaller is one user of the analysis tests with a business profile.
type analysisCaller struct {
	user
	account, profile string
}

// newAnalysisCaller provisions a user (25 signup credits) and creates a business profile over
// the API.
func newAnalysisCaller(t *testing.T, f *apiFixture) analysisCaller {
	t.Helper()
	u := newUser(t, false)
	acct := f.me(t, u).Account.ID
	p := decode[businessProfileJSON](t, f.do(t, req{method: http.MethodPost, target: businessPath, token: u.token,
		body: `{"business_name": "Acme"}`}), http.StatusCreated)
	return analysisCaller{user: u, account: acct, profile: p.ID}
}

// post sends a JSON body as c, with an Idempotency-Key when key is set.
func (f *apiFixture) post(t *testing.T, token, target, body, key string) *httptest.ResponseRecorder {
	t.Helper()
	h := map[string]string{}
	if key != "" {
		h[HeaderIdempotencyKey] = key
	}
	return f.do(t, req{method: http.MethodPost, target: target, token: token, body: body, header: h})
}

// get sends a GET as token.
func (f *apiFixture) get(t *testing.T, token, target string) *httptest.ResponseRecorder {
	t.Helper()
	return f.do(t, req{method: http.MethodGet, target: target, token: token})
}

func submitBody(username, profile, typ string) string {
	b, _ := json.Marshal(map[string]string{"username": username, "business_profile_id": profile, "type": typ})
	return string(b)
}

func bulkBody(profile, typ string, usernames ...string) string {
	b, _ := json.Marshal(map[string]any{"usernames": usernames, "business_profile_id": profile, "type": typ})
	return string(b)
}

// submit submits one analysis as c and returns the 202 answer.
func (f *apiFixture) submit(t *testing.T, c analysisCaller, username, typ string) acceptedJSON {
	t.Helper()
	return decode[acceptedJSON](t, f.post(t, c.token, analysesPath, submitBody(username, c.profile, typ), ""), http.StatusAccepted)
}

// balanceOf is the caller's balance over the API.
func (f *apiFixture) balanceOf(t *testing.T, u user) int64 {
	t.Helper()
	return decode[balanceResponse](t, f.get(t, u.token, "/v1/credits/balance"), http.StatusOK).Balance
}

// analysisCount counts the account's analyses in the database.
func (f *apiFixture) analysisCount(t *testing.T, accountID string) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), `select count(*) from public.analyses where account_id = $1`, accountID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// sampleProfile is a public profile with a few dated posts, so its metrics are real figures.
func sampleProfile(username string, followers int64) *lead.ProfileSnapshot {
	now := time.Now().UTC()
	p := &lead.ProfileSnapshot{
		Username: username, FullName: "Name " + username, Biography: "Coach.", FollowersCount: followers,
		FollowingCount: 300, PostsCount: 120, BusinessAccount: true, BusinessCategory: "Fitness",
		ExternalURL: "https://example.test/" + username, ProfilePicURL: "https://cdn.example.test/" + username + ".jpg",
		ScrapedAt: now,
	}
	for i := range 4 {
		p.RecentPosts = append(p.RecentPosts, lead.Post{Type: lead.PostPhoto, Caption: "post #fit",
			Hashtags: []string{"fit"}, Likes: followers / 50, Comments: 10, Timestamp: now.Add(-time.Duration(i*50) * time.Hour)})
	}
	return p
}

// score finishes analysis id as its run would: running, then scored with the profile saved as
// its lead. It returns the lead id.
func (f *apiFixture) score(t *testing.T, c analysisCaller, id string, score int, p *lead.ProfileSnapshot) string {
	t.Helper()
	ctx := context.Background()
	if _, running, err := f.analyses.MarkRunning(ctx, id); err != nil || !running {
		t.Fatalf("mark running %s: %v %v", id, running, err)
	}
	m := lead.ExtractMetrics(*p)
	done, err := f.analyses.Finish(ctx, analyze.Finish{
		ID: id, Outcome: analysis.Scored, Score: &score, Summary: "A strong fit.", Metrics: &m, Profile: p,
		Result: &analyze.Result{Summary: "A strong fit.", Niche: "fitness", NicheConfidence: "high",
			Qualification: &analyze.Qualification{LeadTier: "hot", Strengths: []string{"reach"}, Weaknesses: []string{},
				Opportunities: []string{"collab"}, RecommendedActions: []string{"dm"}, RiskFactors: []string{}, FitReasoning: "fits"},
			ICP:    &analyze.ICPFit{Matched: true, Score: 90, Reasons: []analyze.ICPReason{{Criterion: "followers", Verdict: "pass", Detail: "in range"}}},
			Models: map[string]string{"assessment": "offline"}},
	})
	if err != nil || !done {
		t.Fatalf("finish %s: %v %v", id, done, err)
	}
	a := decode[analysisJSON](t, f.get(t, c.token, analysesPath+"/"+id), http.StatusOK)
	if a.LeadID == nil {
		t.Fatalf("scored analysis has no lead: %+v", a)
	}
	return *a.LeadID
}

// testAnalysisRoutes drives the analysis, batch and lead routes over the real stack, the
// contract validating every answer (TestContract runs it).
func testAnalysisRoutes(t *testing.T, f *apiFixture) {
	t.Run("submit", func(t *testing.T) { testSubmit(t, f) })
	t.Run("bulk and batches", func(t *testing.T) { testBulk(t, f) })
	t.Run("reads and pagination", func(t *testing.T) { testAnalysisReads(t, f) })
	t.Run("leads", func(t *testing.T) { testLeads(t, f) })
	t.Run("anonymous", func(t *testing.T) { testAnonymous(t, f) })
}

func testSubmit(t *testing.T, f *apiFixture) {
	c := newAnalysisCaller(t, f)

	// 202: the analysis is pending, its run enqueued, its credits debited once.
	key := "an-" + uuid.NewString()
	body := submitBody(" @NatGeo ", c.profile, "deep")
	rec := f.post(t, c.token, analysesPath, body, key)
	a := decode[acceptedJSON](t, rec, http.StatusAccepted)
	if rec.Header().Get("Location") != analysesPath+"/"+a.ID || a.RunID != "analysis:"+a.ID || a.Username != "natgeo" ||
		a.Type != "deep" || a.Credits != 2 || a.Status != "pending" || a.BusinessProfileID != c.profile ||
		a.Links.Self != analysesPath+"/"+a.ID || a.Links.Events != analysesPath+"/"+a.ID+"/events" {
		t.Errorf("accepted = %+v (Location %q)", a, rec.Header().Get("Location"))
	}
	if b := f.balanceOf(t, c.user); b != 23 {
		t.Errorf("balance after a deep analysis = %d, want 23", b)
	}
	if d := f.ledgerEntries(t, c.account, string(credit.AnalysisDebit), a.RunID); !slices.Equal(d, []int64{-2}) {
		t.Errorf("debits of %s = %v, want [-2]", a.RunID, d)
	}
	if st, err := f.workflows.Status(context.Background(), a.RunID); err != nil || st.Definition != analyze.Workflow || st.Queue != analyze.Queue {
		t.Errorf("run %s: %+v %v", a.RunID, st, err)
	}

	// The same key and body replay the answer: no second analysis, no second debit.
	replay := f.post(t, c.token, analysesPath, body, key)
	if replay.Code != http.StatusAccepted || replay.Body.String() != rec.Body.String() || replay.Header().Get(HeaderIdempotentReplayed) != "true" ||
		replay.Header().Get("Location") != rec.Header().Get("Location") {
		t.Errorf("replay = %d %s (%v)", replay.Code, replay.Body, replay.Header())
	}
	wantProblem(t, f.post(t, c.token, analysesPath, submitBody("natgeo", c.profile, "light"), key), http.StatusUnprocessableEntity, idempotency.CodeMismatch)
	if b, n := f.balanceOf(t, c.user), f.analysisCount(t, c.account); b != 23 || n != 1 {
		t.Errorf("after replay and mismatch: balance %d, %d analyses; want 23, 1", b, n)
	}

	// Another submit of the handle in flight: 409 naming it, nothing charged.
	p := wantProblem(t, f.post(t, c.token, analysesPath, submitBody("instagram.com/natgeo", c.profile, "light"), ""), http.StatusConflict, analyze.CodeDuplicate)
	if p.ExistingID != a.ID || p.RunID != a.RunID || len(p.Existing) != 1 ||
		p.Existing[0] != (InFlightProblem{Username: "natgeo", AnalysisID: a.ID, RunID: a.RunID}) {
		t.Errorf("duplicate problem = %+v, want existing %s", p, a.ID)
	}
	if b := f.balanceOf(t, c.user); b != 23 {
		t.Errorf("balance after the duplicate = %d", b)
	}

	// Another account's profile, and a profile that does not exist: 404, nothing charged.
	other := newAnalysisCaller(t, f)
	for _, profile := range []string{other.profile, uuid.NewString()} {
		wantProblem(t, f.post(t, c.token, analysesPath, submitBody("nasa", profile, "light"), ""), http.StatusNotFound, apperr.CodeNotFound)
	}
	// A deleted profile of one's own is gone too.
	gone := decode[businessProfileJSON](t, f.post(t, c.token, businessPath, `{"business_name": "Gone"}`, ""), http.StatusCreated)
	if rec := f.do(t, req{method: http.MethodDelete, target: businessPath + "/" + gone.ID, token: c.token}); rec.Code != http.StatusNoContent {
		t.Fatalf("delete profile: %d", rec.Code)
	}
	wantProblem(t, f.post(t, c.token, analysesPath, submitBody("nasa", gone.ID, "light"), ""), http.StatusNotFound, apperr.CodeNotFound)
	if b, n := f.balanceOf(t, c.user), f.analysisCount(t, c.account); b != 23 || n != 1 || f.balanceOf(t, other.user) != 25 {
		t.Errorf("after the 404s: balance %d, %d analyses", b, n)
	}

	// 400: field errors name the JSON fields; malformed bodies are request.invalid.
	for name, tc := range map[string]struct{ body, code string }{
		"bad handle":      {submitBody("not a handle!", c.profile, "light"), apperr.CodeInvalidRequest + " username"},
		"instagram page":  {submitBody("instagram.com/p/abc", c.profile, "light"), apperr.CodeInvalidRequest + " username"},
		"unknown type":    {submitBody("nasa", c.profile, "ultra"), apperr.CodeInvalidRequest + " type"},
		"profile id":      {submitBody("nasa", "acme", "light"), apperr.CodeInvalidRequest + " business_profile_id"},
		"unknown field":   {`{"username": "nasa", "business_profile_id": "` + c.profile + `", "type": "light", "x": 1}`, apperr.CodeInvalidRequest + " x"},
		"old field names": {`{"username": "nasa", "businessProfileId": "` + c.profile + `", "analysisType": "light"}`, apperr.CodeInvalidRequest + " businessProfileId"},
		"wrong type":      {`{"username": 5, "business_profile_id": "` + c.profile + `", "type": "light"}`, apperr.CodeInvalidRequest + " username"},
		"null":            {`null`, apperr.CodeInvalidRequest + " body"},
	} {
		code, field, _ := strings.Cut(tc.code, " ")
		p := wantProblem(t, f.post(t, c.token, analysesPath, tc.body, ""), http.StatusBadRequest, code)
		if len(p.Errors) == 0 || p.Errors[0].Field != field {
			t.Errorf("%s: field errors %+v, want %s", name, p.Errors, field)
		}
	}
	all := wantProblem(t, f.post(t, c.token, analysesPath, submitBody("", "x", "x"), ""), http.StatusBadRequest, apperr.CodeInvalidRequest)
	if len(all.Errors) != 3 {
		t.Errorf("every invalid field is named: %+v", all.Errors)
	}
	form := req{method: http.MethodPost, target: analysesPath, token: c.token, body: "username=nasa", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
	wantProblem(t, f.do(t, form), http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType)
	huge := `{"username": "` + strings.Repeat("a", MaxBodyBytes) + `"}`
	wantProblem(t, f.post(t, c.token, analysesPath, huge, ""), http.StatusRequestEntityTooLarge, apperr.CodeBodyTooLarge)
	if n := f.analysisCount(t, c.account); n != 1 {
		t.Errorf("%d analyses after the 400s, want 1", n)
	}

	// 402: the balance cannot pay; nothing is kept. 25 = 8 xray (24) + 1.
	poor := newAnalysisCaller(t, f)
	for i := range 8 {
		f.submit(t, poor, "spend"+string(rune('a'+i)), "xray")
	}
	wantProblem(t, f.post(t, poor.token, analysesPath, submitBody("nasa", poor.profile, "deep"), ""), http.StatusPaymentRequired, credit.CodeInsufficient)
	if b, n := f.balanceOf(t, poor.user), f.analysisCount(t, poor.account); b != 1 || n != 8 {
		t.Errorf("after the 402: balance %d, %d analyses; want 1, 8", b, n)
	}
	if last := f.submit(t, poor, "nasa", "light"); last.Credits != 1 || f.balanceOf(t, poor.user) != 0 {
		t.Errorf("the last credit buys a light analysis: %+v", last)
	}
}

func testBulk(t *testing.T, f *apiFixture) {
	c := newAnalysisCaller(t, f)
	bulk := analysesPath + "/bulk"

	// 202: a batch, one analysis per handle in request order, every one debited.
	key := "bulk-" + uuid.NewString()
	body := bulkBody(c.profile, "light", "alpha", "@Beta", "instagram.com/gamma")
	rec := f.post(t, c.token, bulk, body, key)
	got := decode[bulkAcceptedJSON](t, rec, http.StatusAccepted)
	b := got.Batch
	if rec.Header().Get("Location") != batchesPath+"/"+b.ID || got.Links.Self != batchesPath+"/"+b.ID || b.Total != 3 ||
		b.Type != "light" || b.BusinessProfileID != c.profile || b.CancelledAt != nil || len(got.Analyses) != 3 {
		t.Fatalf("bulk = %+v (Location %q)", got, rec.Header().Get("Location"))
	}
	for i, want := range []string{"alpha", "beta", "gamma"} {
		if a := got.Analyses[i]; a.Username != want || a.Status != "pending" || a.Credits != 1 || a.RunID != "analysis:"+a.ID {
			t.Errorf("analyses[%d] = %+v", i, a)
		}
	}
	if bal := f.balanceOf(t, c.user); bal != 22 {
		t.Errorf("balance after a bulk of 3 light = %d, want 22", bal)
	}
	replay := f.post(t, c.token, bulk, body, key)
	if replay.Body.String() != rec.Body.String() || replay.Header().Get(HeaderIdempotentReplayed) != "true" || f.balanceOf(t, c.user) != 22 {
		t.Errorf("bulk replay = %d %s", replay.Code, replay.Body)
	}
	wantProblem(t, f.post(t, c.token, bulk, bulkBody(c.profile, "light", "alpha"), key), http.StatusUnprocessableEntity, idempotency.CodeMismatch)

	// 400s name each offending entry; nothing is charged.
	for name, tc := range map[string]struct {
		body, code string
		fields     []string
	}{
		"repeats":   {bulkBody(c.profile, "light", "x1", "@X1", "y1", "instagram.com/y1"), analyze.CodeDuplicateUsernames, []string{"usernames[1]", "usernames[3]"}},
		"invalid":   {bulkBody(c.profile, "light", "ok1", "not ok", "p"), lead.CodeInvalidUsername, []string{"usernames[1]", "usernames[2]"}},
		"over plan": {bulkBody(c.profile, "light", "a1", "a2", "a3", "a4", "a5", "a6"), analyze.CodeBulkLimit, []string{"usernames"}},
		"empty":     {bulkBody(c.profile, "light"), apperr.CodeInvalidRequest, []string{"usernames"}},
		"type":      {bulkBody(c.profile, "mega", "z1"), apperr.CodeInvalidRequest, []string{"type"}},
		"string":    {`{"usernames": "a", "business_profile_id": "` + c.profile + `", "type": "light"}`, apperr.CodeInvalidRequest, []string{"usernames"}},
	} {
		p := wantProblem(t, f.post(t, c.token, bulk, tc.body, ""), http.StatusBadRequest, tc.code)
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, tc.fields) {
			t.Errorf("%s: fields %v, want %v", name, fields, tc.fields)
		}
	}
	// 409: one handle already in flight fails the whole batch and names it.
	p := wantProblem(t, f.post(t, c.token, bulk, bulkBody(c.profile, "light", "delta", "beta"), ""), http.StatusConflict, analyze.CodeDuplicate)
	if len(p.Existing) != 1 || p.Existing[0].Username != "beta" || p.Existing[0].AnalysisID != got.Analyses[1].ID || p.ExistingID != got.Analyses[1].ID {
		t.Errorf("bulk duplicate problem = %+v", p)
	}
	wantProblem(t, f.post(t, c.token, bulk, bulkBody(newAnalysisCaller(t, f).profile, "light", "delta"), ""), http.StatusNotFound, apperr.CodeNotFound)
	if bal, n := f.balanceOf(t, c.user), f.analysisCount(t, c.account); bal != 22 || n != 3 {
		t.Errorf("after the failed bulks: balance %d, %d analyses; want 22, 3", bal, n)
	}
	// 402: 22 credits cannot pay 5 xray (15) twice.
	f.post(t, c.token, bulk, bulkBody(c.profile, "xray", "x1", "x2", "x3", "x4", "x5"), "")
	wantProblem(t, f.post(t, c.token, bulk, bulkBody(c.profile, "xray", "y1", "y2", "y3"), ""), http.StatusPaymentRequired, credit.CodeInsufficient)
	if bal := f.balanceOf(t, c.user); bal != 7 {
		t.Errorf("balance = %d, want 7", bal)
	}

	// The batch's progress.
	view := decode[batchViewJSON](t, f.get(t, c.token, batchesPath+"/"+b.ID), http.StatusOK)
	if view.ID != b.ID || view.Total != 3 || view.Counts != (batchCountsJSON{Pending: 3}) || view.Percent != 0 || len(view.Items) != 3 {
		t.Errorf("batch = %+v", view)
	}
	for _, it := range view.Items {
		if it.BatchID == nil || *it.BatchID != b.ID || it.Status != "pending" {
			t.Errorf("item = %+v", it)
		}
	}
	// One item finishes; then the batch is cancelled: the other two are cancelled and refunded.
	f.score(t, c, got.Analyses[0].ID, 70, sampleProfile("alpha", 20000))
	cancel := decode[cancelBatchJSON](t, f.post(t, c.token, batchesPath+"/"+b.ID+"/cancel", "", ""), http.StatusOK)
	if cancel.Cancelled != 2 || cancel.Batch.Counts != (batchCountsJSON{Completed: 1, Cancelled: 2}) || cancel.Batch.CancelledAt == nil ||
		cancel.Batch.Percent != 100 {
		t.Errorf("cancel = %+v", cancel)
	}
	for _, it := range cancel.Batch.Items {
		if cancelled := it.Status == "cancelled"; cancelled != it.Refunded || (it.Username == "alpha") == cancelled {
			t.Errorf("item after cancel = %+v", it)
		}
	}
	if bal := f.balanceOf(t, c.user); bal != 9 {
		t.Errorf("balance after cancel = %d, want 9 (two light refunds)", bal)
	}
	if r := f.ledgerEntries(t, c.account, string(credit.AnalysisRefund), got.Analyses[1].RunID); !slices.Equal(r, []int64{1}) {
		t.Errorf("refunds of beta = %v", r)
	}
	again := decode[cancelBatchJSON](t, f.post(t, c.token, batchesPath+"/"+b.ID+"/cancel", "", ""), http.StatusOK)
	if again.Cancelled != 0 || f.balanceOf(t, c.user) != 9 {
		t.Errorf("second cancel = %+v", again)
	}
	// The cancelled handles are no longer in flight.
	f.submit(t, c, "beta", "light")

	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		wantProblem(t, f.get(t, c.token, batchesPath+"/"+id), http.StatusNotFound, apperr.CodeNotFound)
		wantProblem(t, f.post(t, c.token, batchesPath+"/"+id+"/cancel", "", ""), http.StatusNotFound, apperr.CodeNotFound)
	}
}

func testAnalysisReads(t *testing.T, f *apiFixture) {
	c := newAnalysisCaller(t, f)
	second := decode[businessProfileJSON](t, f.post(t, c.token, businessPath, `{"business_name": "Second"}`, ""), http.StatusCreated).ID
	var ids []string // newest last
	for i, typ := range []string{"light", "deep", "light", "xray", "light"} {
		ids = append(ids, f.submit(t, c, "read"+string(rune('a'+i)), typ).ID)
	}
	ids = append(ids, decode[acceptedJSON](t, f.post(t, c.token, analysesPath, submitBody("reada", second, "light"), ""), http.StatusAccepted).ID)
	f.score(t, c, ids[1], 55, sampleProfile("readb", 9000))

	// One analysis, in full.
	a := decode[analysisJSON](t, f.get(t, c.token, analysesPath+"/"+ids[0]), http.StatusOK)
	if a.ID != ids[0] || a.AccountID != c.account || a.BusinessProfileID != c.profile || a.Status != "pending" || a.Outcome != nil ||
		a.Score != nil || a.Result != nil || a.Metrics != nil || a.LeadID != nil || a.BatchID != nil || a.StartedAt != nil ||
		a.CompletedAt != nil || a.Refunded || a.Credits != 1 || a.Type != "light" {
		t.Errorf("pending analysis = %+v", a)
	}
	done := decode[analysisJSON](t, f.get(t, c.token, analysesPath+"/"+ids[1]), http.StatusOK)
	if done.Status != "completed" || done.Outcome == nil || *done.Outcome != "scored" || done.Score == nil || *done.Score != 55 ||
		done.Tier == nil || done.Result == nil || done.Result.Niche != "fitness" || done.Metrics == nil || done.Metrics.SampleSize != 4 ||
		done.StartedAt == nil || done.CompletedAt == nil || done.Refunded {
		t.Errorf("scored analysis = %+v", done)
	}
	for _, id := range []string{uuid.NewString(), "42"} {
		wantProblem(t, f.get(t, c.token, analysesPath+"/"+id), http.StatusNotFound, apperr.CodeNotFound)
	}

	// The listing: newest first, every page within the limit, no repeats.
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		target := analysesPath + "?limit=2"
		if cursor != "" {
			target += "&cursor=" + url.QueryEscape(cursor)
		}
		page := decode[analysisPageResponse](t, f.get(t, c.token, target), http.StatusOK)
		if len(page.Data) > 2 || pages > 4 {
			t.Fatalf("page %d: %d items", pages, len(page.Data))
		}
		for _, x := range page.Data {
			seen = append(seen, x.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Errorf("listing = %v, want %v", seen, want)
	}
	// Filters.
	for query, want := range map[string][]string{
		"type=light":                       {ids[5], ids[4], ids[2], ids[0]},
		"status=completed":                 {ids[1]},
		"status=pending&type=xray":         {ids[3]},
		"business_profile_id=" + second:    {ids[5]},
		"business_profile_id=" + c.profile: {ids[4], ids[3], ids[2], ids[1], ids[0]},
		"status=&type=&unknown=1":          want,
	} {
		page := decode[analysisPageResponse](t, f.get(t, c.token, analysesPath+"?"+query), http.StatusOK)
		var got []string
		for _, x := range page.Data {
			got = append(got, x.ID)
		}
		if !slices.Equal(got, want) || page.NextCursor != nil {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	for query, tc := range map[string]struct{ code, field string }{
		"limit=0":               {analyze.CodeInvalidPageSize, "limit"},
		"limit=101":             {analyze.CodeInvalidPageSize, "limit"},
		"limit=-3":              {analyze.CodeInvalidPageSize, "limit"},
		"limit=ten":             {analyze.CodeInvalidPageSize, "limit"},
		"status=done":           {apperr.CodeInvalidRequest, "status"},
		"type=mega":             {apperr.CodeInvalidRequest, "type"},
		"business_profile_id=x": {apperr.CodeInvalidRequest, "business_profile_id"},
		"lead_id=x":             {apperr.CodeInvalidRequest, "lead_id"},
		"cursor=garbage!!":      {apperr.CodeInvalidCursor, "cursor"},
	} {
		p := wantProblem(t, f.get(t, c.token, analysesPath+"?"+query), http.StatusBadRequest, tc.code)
		if len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
			t.Errorf("%s: field errors %+v", query, p.Errors)
		}
	}
}

func testLeads(t *testing.T, f *apiFixture) {
	c := newAnalysisCaller(t, f)
	small, big := f.submit(t, c, "small.shop", "deep"), f.submit(t, c, "big_brand", "light")
	smallLead := f.score(t, c, small.ID, 90, sampleProfile("small.shop", 2000))
	bigLead := f.score(t, c, big.ID, 40, sampleProfile("big_brand", 800000))
	// A second analysis of the same handle updates the same lead.
	again := f.submit(t, c, "small.shop", "light")
	if id := f.score(t, c, again.ID, 85, sampleProfile("small.shop", 2100)); id != smallLead {
		t.Errorf("second analysis of a handle made lead %s, want %s", id, smallLead)
	}
	f.submit(t, c, "pending.one", "light") // no lead until it finishes

	list := func(query string) []string {
		t.Helper()
		page := decode[leadPageResponse](t, f.get(t, c.token, leadsPath+"?business_profile_id="+c.profile+query), http.StatusOK)
		var out []string
		for _, l := range page.Data {
			if l.BusinessProfileID != c.profile || l.AccountID != c.account {
				t.Errorf("foreign lead %+v", l)
			}
			out = append(out, l.ID)
		}
		return out
	}
	for query, want := range map[string][]string{
		"":                    {smallLead, bigLead},
		"&sort=followers":     {bigLead, smallLead},
		"&sort=score":         {smallLead, bigLead},
		"&sort=last_analyzed": {smallLead, bigLead},
		"&search=BIG":         {bigLead},
		"&search=nomatch":     nil,
	} {
		if got := list(query); !slices.Equal(got, want) {
			t.Errorf("leads%s = %v, want %v", query, got, want)
		}
	}
	if p1 := decode[leadPageResponse](t, f.get(t, c.token, leadsPath+"?limit=1&sort=followers&business_profile_id="+c.profile), http.StatusOK); len(p1.Data) != 1 || p1.NextCursor == nil {
		t.Errorf("first page = %+v", p1)
	} else {
		p2 := decode[leadPageResponse](t, f.get(t, c.token, leadsPath+"?limit=1&sort=followers&business_profile_id="+c.profile+"&cursor="+url.QueryEscape(*p1.NextCursor)), http.StatusOK)
		if len(p2.Data) != 1 || p2.Data[0].ID != smallLead || p2.NextCursor != nil {
			t.Errorf("second page = %+v", p2)
		}
	}

	// One lead, with its latest completed analysis.
	l := decode[leadDetailJSON](t, f.get(t, c.token, leadsPath+"/"+smallLead), http.StatusOK)
	if l.Username != "small.shop" || l.DisplayName != "Name small.shop" || l.FollowersCount != 2100 || l.AnalysesCount != 2 ||
		l.LastScore == nil || *l.LastScore != 85 || l.LastTier == nil || l.LastAnalysisID == nil || *l.LastAnalysisID != again.ID ||
		l.LatestAnalysis == nil || l.LatestAnalysis.ID != again.ID || l.FirstAnalyzedAt == nil || l.LastAnalyzedAt == nil {
		t.Errorf("lead = %+v", l)
	}
	// Its analyses, newest first, paged; and the analysis listing's lead filter agrees.
	p := decode[analysisPageResponse](t, f.get(t, c.token, leadsPath+"/"+smallLead+"/analyses?limit=1"), http.StatusOK)
	if len(p.Data) != 1 || p.Data[0].ID != again.ID || p.NextCursor == nil {
		t.Fatalf("lead analyses = %+v", p)
	}
	p = decode[analysisPageResponse](t, f.get(t, c.token, leadsPath+"/"+smallLead+"/analyses?limit=1&cursor="+url.QueryEscape(*p.NextCursor)), http.StatusOK)
	if len(p.Data) != 1 || p.Data[0].ID != small.ID || p.NextCursor != nil {
		t.Errorf("lead analyses, page 2 = %+v", p)
	}
	if byLead := decode[analysisPageResponse](t, f.get(t, c.token, analysesPath+"?lead_id="+bigLead), http.StatusOK); len(byLead.Data) != 1 || byLead.Data[0].ID != big.ID {
		t.Errorf("analyses?lead_id = %+v", byLead)
	}

	// 400s and 404s of the lead reads.
	for query, field := range map[string]string{
		"":                         "business_profile_id",
		"?business_profile_id=abc": "business_profile_id",
		"?business_profile_id=" + c.profile + "&sort=x":                            "sort",
		"?business_profile_id=" + c.profile + "&search=" + strings.Repeat("a", 31): "search",
	} {
		if p := wantProblem(t, f.get(t, c.token, leadsPath+query), http.StatusBadRequest, apperr.CodeInvalidRequest); len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%q: %+v", query, p.Errors)
		}
	}
	wantProblem(t, f.get(t, c.token, leadsPath+"?limit=0&business_profile_id="+c.profile), http.StatusBadRequest, analyze.CodeInvalidPageSize)
	wantProblem(t, f.get(t, c.token, leadsPath+"?cursor=nope&business_profile_id="+c.profile), http.StatusBadRequest, apperr.CodeInvalidCursor)
	wantProblem(t, f.get(t, c.token, leadsPath+"/"+smallLead+"/analyses?limit=500"), http.StatusBadRequest, analyze.CodeInvalidPageSize)
	wantProblem(t, f.get(t, c.token, leadsPath+"?business_profile_id="+uuid.NewString()), http.StatusNotFound, apperr.CodeNotFound)
	for _, id := range []string{uuid.NewString(), "x"} {
		wantProblem(t, f.get(t, c.token, leadsPath+"/"+id), http.StatusNotFound, apperr.CodeNotFound)
		wantProblem(t, f.get(t, c.token, leadsPath+"/"+id+"/analyses"), http.StatusNotFound, apperr.CodeNotFound)
		wantProblem(t, f.do(t, req{method: http.MethodDelete, target: leadsPath + "/" + id, token: c.token}), http.StatusNotFound, apperr.CodeNotFound)
	}

	// Delete: the lead leaves reads and listings, its analyses stay.
	del := req{method: http.MethodDelete, target: leadsPath + "/" + bigLead, token: c.token}
	if rec := f.do(t, del); rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("delete = %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, f.do(t, del), http.StatusNotFound, apperr.CodeNotFound)
	wantProblem(t, f.get(t, c.token, leadsPath+"/"+bigLead), http.StatusNotFound, apperr.CodeNotFound)
	if got := list(""); !slices.Equal(got, []string{smallLead}) {
		t.Errorf("leads after delete = %v", got)
	}
	if a := decode[analysisJSON](t, f.get(t, c.token, analysesPath+"/"+big.ID), http.StatusOK); a.Status != "completed" {
		t.Errorf("the deleted lead's analysis = %+v", a)
	}
}

// TestDuplicateProblem: a 409 analysis.duplicate names every handle in flight, sorted, and only
// a single one is repeated as existing_id and run_id; a wrapped DuplicateError is seen too, and
// other conflicts carry none of it.
func TestDuplicateProblem(t *testing.T) {
	t.Parallel()
	two := NewProblem(&analyze.DuplicateError{Existing: map[string]string{"zed": "id-z", "abe": "id-a"}}, "r1")
	want := []InFlightProblem{{"abe", "id-a", "analysis:id-a"}, {"zed", "id-z", "analysis:id-z"}}
	if two.Status != http.StatusConflict || two.Code != analyze.CodeDuplicate || !slices.Equal(two.Existing, want) ||
		two.ExistingID != "" || two.RunID != "" {
		t.Errorf("two in flight = %+v", two)
	}
	one := NewProblem(fmt.Errorf("submit: %w", &analyze.DuplicateError{Existing: map[string]string{"abe": "id-a"}}), "r2")
	if one.ExistingID != "id-a" || one.RunID != "analysis:id-a" || len(one.Existing) != 1 {
		t.Errorf("one in flight = %+v", one)
	}
	if other := NewProblem(apperr.New(apperr.Conflict, apperr.CodeConflict, "x"), "r3"); other.Existing != nil || other.ExistingID != "" {
		t.Errorf("another conflict = %+v", other)
	}
}
