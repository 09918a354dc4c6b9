package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

// TestAnalysisIsolation: account A has analyses, a batch and a lead; account B, with the same
// handles in flight on its own profile, reaches none of A's through any analysis, batch or
// lead route (404, as for ids that do not exist), cannot spend on A's profile, and B's
// attempts change nothing of A's. A's own reads still work, and each listing shows its own.
func TestAnalysisIsolation(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	a, b := newAnalysisCaller(t, f), newAnalysisCaller(t, f)

	single := f.submit(t, a, "shared.handle", "light")
	scored := f.submit(t, a, "scored.lead", "light")
	leadA := f.score(t, a, scored.ID, 77, sampleProfile("scored.lead", 5000))
	bulk := decode[bulkAcceptedJSON](t, f.post(t, a.token, analysesPath+"/bulk", bulkBody(a.profile, "light", "b1", "b2"), ""), http.StatusAccepted)
	batchA := bulk.Batch.ID
	// B analyses the same handle on its own profile: no duplicate across accounts.
	own := f.submit(t, b, "shared.handle", "light")
	balanceA, balanceB := f.balanceOf(t, a.user), f.balanceOf(t, b.user)

	// Every route, with A's ids, as B: 404 resource.not-found.
	notFound := []req{
		{method: http.MethodGet, target: analysesPath + "/" + single.ID},
		{method: http.MethodGet, target: batchesPath + "/" + batchA},
		{method: http.MethodPost, target: batchesPath + "/" + batchA + "/cancel"},
		{method: http.MethodGet, target: leadsPath + "?business_profile_id=" + a.profile},
		{method: http.MethodGet, target: leadsPath + "/" + leadA},
		{method: http.MethodGet, target: leadsPath + "/" + leadA + "/analyses"},
		{method: http.MethodDelete, target: leadsPath + "/" + leadA},
		{method: http.MethodPost, target: analysesPath, body: submitBody("other.handle", a.profile, "light")},
		{method: http.MethodPost, target: analysesPath + "/bulk", body: bulkBody(a.profile, "light", "c1", "c2")},
	}
	for _, r := range notFound {
		r.token = b.token
		if rec := f.do(t, r); rec.Code != http.StatusNotFound || problem(t, rec).Code != apperr.CodeNotFound {
			t.Errorf("B: %s %s = %d %s, want 404 %s", r.method, r.target, rec.Code, rec.Body, apperr.CodeNotFound)
		}
	}

	// Listings filtered by A's profile or lead show B nothing; B's own listing shows only B's.
	for _, query := range []string{"", "?business_profile_id=" + a.profile, "?lead_id=" + leadA} {
		page := decode[analysisPageResponse](t, f.get(t, b.token, analysesPath+query), http.StatusOK)
		for _, x := range page.Data {
			if x.AccountID != b.account || x.ID != own.ID {
				t.Errorf("B's listing %q shows %+v", query, x)
			}
		}
		if query == "" && len(page.Data) != 1 {
			t.Errorf("B's listing has %d analyses, want its own 1", len(page.Data))
		}
	}
	// A's cursor is not B's.
	page := decode[analysisPageResponse](t, f.get(t, a.token, analysesPath+"?limit=1"), http.StatusOK)
	if page.NextCursor == nil {
		t.Fatal("A's first page has no cursor")
	}
	wantProblem(t, f.get(t, b.token, analysesPath+"?limit=1&cursor="+url.QueryEscape(*page.NextCursor)), http.StatusBadRequest, apperr.CodeInvalidCursor)

	// Nothing of A's changed, and B spent nothing: A's batch is not cancelled, its lead not
	// deleted, no refund was made.
	if got, want := f.balanceOf(t, a.user), balanceA; got != want {
		t.Errorf("A's balance = %d, want %d", got, want)
	}
	if got, want := f.balanceOf(t, b.user), balanceB; got != want {
		t.Errorf("B's balance = %d, want %d", got, want)
	}
	if r := f.ledgerEntries(t, a.account, string(credit.AnalysisRefund), bulk.Analyses[0].RunID); len(r) != 0 {
		t.Errorf("A's batch item was refunded: %v", r)
	}
	view := decode[batchViewJSON](t, f.get(t, a.token, batchesPath+"/"+batchA), http.StatusOK)
	if view.CancelledAt != nil || view.Counts.Pending != 2 {
		t.Errorf("A's batch after B's cancel = %+v", view)
	}
	leads := decode[leadPageResponse](t, f.get(t, a.token, leadsPath+"?business_profile_id="+a.profile), http.StatusOK)
	if len(leads.Data) != 1 || leads.Data[0].ID != leadA {
		t.Errorf("A's leads after B's delete = %+v", leads)
	}
	if got := decode[analysisJSON](t, f.get(t, a.token, analysesPath+"/"+single.ID), http.StatusOK); got.AccountID != a.account {
		t.Errorf("A's analysis = %+v", got)
	}
	if n := f.analysisCount(t, b.account); n != 1 {
		t.Errorf("B has %d analyses, want 1", n)
	}
	// And A sees none of B's.
	wantProblem(t, f.get(t, a.token, analysesPath+"/"+own.ID), http.StatusNotFound, apperr.CodeNotFound)
	mine := decode[analysisPageResponse](t, f.get(t, a.token, analysesPath+"?limit=100"), http.StatusOK)
	if slices.ContainsFunc(mine.Data, func(x analysisJSON) bool { return x.AccountID != a.account }) || len(mine.Data) != 4 {
		t.Errorf("A's listing = %d items, some foreign?", len(mine.Data))
	}
}
