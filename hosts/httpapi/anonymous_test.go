package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/adapters/offline"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/adapters/samplescraper"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/ratelimit"
)

// newTestAnonymous is the anonymous analysis of the embedded default: the sample scraper's
// bundled profiles, the offline analyzer behind the real gateway (schema validation
// included) and the postgres result cache.
func newTestAnonymous(t *testing.T, db *postgres.DB) *analyze.Anonymous {
	t.Helper()
	scraper, err := samplescraper.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	llm, err := ai.NewGateway(ai.GatewayConfig{
		Routes:  []ai.Route{{Provider: offline.New(), Small: offline.Model, Strong: offline.Model}},
		Schemas: contracts.AISchemas(),
	}, ai.GatewayPorts{Validator: jsonschema.New()})
	if err != nil {
		t.Fatal(err)
	}
	return analyze.NewAnonymous(scraper, llm, postgres.NewAnonymousCache(db), nil)
}

// testAnonymous drives POST /v1/analyses/anonymous without a token (TestContract runs it): a
// light analysis of a bundled profile, then the same answer from the cache; the handle's
// errors. Nothing is stored for an account.
func testAnonymous(t *testing.T, f *apiFixture) {
	anon := func(body string) req {
		return req{method: http.MethodPost, target: analysesPath + "/anonymous", body: body}
	}
	rec := f.do(t, anon(`{"username": "instagram.com/FitWithMaya"}`))
	first := decode[analyze.AnonymousResult](t, rec, http.StatusOK)
	if first.Profile.Username != "fitwithmaya" || first.Cached || first.Model != offline.Model || first.Profile.FollowersCount == 0 ||
		first.Summary == "" || first.AnalyzedAt.IsZero() || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("first = %+v (%v)", first, rec.Header())
	}
	again := decode[analyze.AnonymousResult](t, f.do(t, anon(`{"username": "@fitwithmaya"}`)), http.StatusOK)
	if !again.Cached || again.Score != first.Score || again.Summary != first.Summary || !again.AnalyzedAt.Equal(first.AnalyzedAt) {
		t.Errorf("second = %+v, want the cached first %+v", again, first)
	}
	var stored int
	if err := f.pool.QueryRow(context.Background(), `select (select count(*) from public.analyses where username = 'fitwithmaya')
		+ (select count(*) from public.leads where username = 'fitwithmaya')`).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("an anonymous analysis stored %d analyses or leads (%v)", stored, err)
	}

	for name, tc := range map[string]struct {
		body   string
		status int
		code   string
		field  string
	}{
		"not found":  {`{"username": "no_such_profile"}`, http.StatusNotFound, analyze.CodeProfileNotFound, ""},
		"private":    {`{"username": "quiet.studio"}`, http.StatusBadRequest, analyze.CodeProfilePrivate, "username"},
		"not handle": {`{"username": "not a handle"}`, http.StatusBadRequest, lead.CodeInvalidUsername, "username"},
		"missing":    {`{}`, http.StatusBadRequest, lead.CodeInvalidUsername, "username"},
		"extra":      {`{"username": "fitwithmaya", "type": "deep"}`, http.StatusBadRequest, apperr.CodeInvalidRequest, "type"},
	} {
		p := wantProblem(t, f.do(t, anon(tc.body)), tc.status, tc.code)
		if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
			t.Errorf("%s: field errors %+v", name, p.Errors)
		}
	}
	form := anon("username=fitwithmaya")
	form.header = map[string]string{"Content-Type": "text/plain"}
	wantProblem(t, f.do(t, form), http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType)
}

// TestAnalysesOptional: fx may build the API without the analysis services (newAPI's optional
// parameters); their routes then answer 503 service.unavailable instead of panicking on nil,
// and a nil *analyze.Anonymous counts as none. A given one is used.
func TestAnalysesOptional(t *testing.T) {
	t.Parallel()
	api := newAPI(apiParams{})
	if api.analyses != nil || api.anonymous != nil {
		t.Fatalf("analyses %v, anonymous %v: want none", api.analyses, api.anonymous)
	}
	cfg := Config{Version: "test"}.WithDefaults()
	h := NewHandler(cfg, discardLogger(), NewHealth(nil, cfg.Version), api, mustContract(t), nil)
	hr := httptest.NewRequest(http.MethodPost, analysesPath+"/anonymous", strings.NewReader(`{"username": "nasa"}`))
	hr.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hr)
	if p := problem(t, rec); rec.Code != http.StatusServiceUnavailable || p.Code != apperr.CodeUnavailable {
		t.Errorf("anonymous without the use case = %d %+v", rec.Code, p)
	}
	an := &analyze.Anonymous{}
	if got := newAPI(apiParams{Anonymous: an}).anonymous; got != an {
		t.Errorf("anonymous = %v, want the given one", got)
	}
}

// TestAnonymousDailyLimit: with the real limiter, a client IP gets one anonymous analysis per
// UTC day; the next is 429 rate.daily-quota with Retry-After (contract-checked), and a forged
// X-Forwarded-For does not make it another client (no proxy is trusted).
func TestAnonymousDailyLimit(t *testing.T) {
	t.Parallel()
	f := newAPIFixtureWith(t, fixtureConfig{pool: pgtest.IsolatedPool(t), limits: true})
	anon := func(username string, header map[string]string) *httptest.ResponseRecorder {
		return f.do(t, req{method: http.MethodPost, target: analysesPath + "/anonymous", body: `{"username": "` + username + `"}`, header: header})
	}
	rec := anon("fitwithmaya", nil)
	decode[analyze.AnonymousResult](t, rec, http.StatusOK)
	if rec.Header().Get(HeaderRateLimitLimit) == "" || rec.Header().Get(HeaderRateLimitRemaining) != "0" {
		t.Errorf("first answer's rate-limit headers: %v", rec.Header())
	}
	for _, h := range []map[string]string{nil, {"X-Forwarded-For": "203.0.113.9"}} {
		rec := anon("lumen.coffee", h)
		wantProblem(t, rec, http.StatusTooManyRequests, ratelimit.CodeDailyQuota)
		if s, err := strconv.Atoi(rec.Header().Get(HeaderRetryAfter)); err != nil || s < 1 || s > 86400 {
			t.Errorf("Retry-After %q", rec.Header().Get(HeaderRetryAfter))
		}
	}
}
