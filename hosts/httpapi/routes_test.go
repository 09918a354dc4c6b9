package httpapi

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/oslira/oslira/core/identity"
)

// engineRoutes returns "METHOD /path/{param}" for every route of e (gin's :id and *rest become
// the contract's {id} and {rest}). HEAD routes are left out: each mirrors a GET (the contract
// says so once, in its description) and TestHeadMirrorsEveryGet checks them.
func engineRoutes(e *gin.Engine) map[string]bool {
	out := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == http.MethodHead {
			continue
		}
		out[r.Method+" "+openAPIPath(r.Path)] = true
	}
	return out
}

func openAPIPath(ginPath string) string {
	segs := strings.Split(ginPath, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// specRoutes returns "METHOD /path/{param}" for every operation of doc.
func specRoutes(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out[strings.ToUpper(method)+" "+path] = true
		}
	}
	return out
}

// routeDrift lists the routes the engine serves that the contract does not describe, and the
// routes the contract describes that the engine does not serve.
func routeDrift(engine, spec map[string]bool) (undocumented, unserved []string) {
	for r := range engine {
		if !spec[r] {
			undocumented = append(undocumented, r)
		}
	}
	for r := range spec {
		if !engine[r] {
			unserved = append(unserved, r)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unserved)
	return undocumented, unserved
}

// TestContractDescribesEveryRoute fails when a route is added to the engine without the contract
// describing it, or the contract describes a route the engine does not serve.
func TestContractDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	b := setup(t)
	undocumented, unserved := routeDrift(engineRoutes(b.engine), specRoutes(specForRouting(t)))
	for _, r := range undocumented {
		t.Errorf("the engine serves %s but contracts/openapi.yaml does not describe it", r)
	}
	for _, r := range unserved {
		t.Errorf("contracts/openapi.yaml describes %s but the engine does not serve it", r)
	}
}

// TestRouteDriftIsDetected proves the check above can fail, in both directions.
func TestRouteDriftIsDetected(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.engine.GET("/v1/undocumented/:id", func(*gin.Context) {})
	doc := specForRouting(t)
	doc.Paths.Delete("/v1/me")
	undocumented, unserved := routeDrift(engineRoutes(b.engine), specRoutes(doc))
	if !slices.Contains(undocumented, "GET /v1/undocumented/{id}") || !slices.Contains(undocumented, "GET /v1/me") {
		t.Errorf("undocumented = %v", undocumented)
	}
	if len(unserved) != 0 {
		t.Errorf("unserved = %v", unserved)
	}
	doc = specForRouting(t)
	doc.Paths.Find("/v1/credits/balance").Post = &openapi3.Operation{Responses: openapi3.NewResponses()}
	if _, unserved := routeDrift(engineRoutes(setup(t).engine), specRoutes(doc)); !slices.Equal(unserved, []string{"POST /v1/credits/balance"}) {
		t.Errorf("unserved = %v", unserved)
	}
}

// TestDefaultDeny requests every route without a token: a route the contract marks public
// (security: []) must not ask for one, every other route must answer 401 auth.token-missing with
// a bare challenge — so a route added to the public group by mistake, or a public route the
// contract forgot to mark, fails here.
func TestDefaultDeny(t *testing.T) {
	t.Parallel()
	b := setup(t)
	doc := specForRouting(t)
	public := 0
	for _, r := range b.engine.Routes() {
		if r.Method == http.MethodHead {
			continue // a GET's twin: TestHeadMirrorsEveryGet checks it answers as the GET does
		}
		path := openAPIPath(r.Path)
		var op *openapi3.Operation
		if item := doc.Paths.Find(path); item != nil {
			op = item.GetOperation(r.Method)
		}
		if op == nil {
			t.Errorf("%s %s is not in the contract", r.Method, path)
			continue
		}
		isPublic := op.Security != nil && len(*op.Security) == 0
		target := strings.ReplaceAll(r.Path, ":id", "00000000-0000-4000-8000-000000000000")
		rec := b.do(t, r.Method, target, strings.NewReader("{}"), nil)
		switch {
		case isPublic:
			public++
			if rec.Code == http.StatusUnauthorized {
				t.Errorf("public %s %s answered 401", r.Method, r.Path)
			}
		default:
			p := problem(t, rec)
			if rec.Code != http.StatusUnauthorized || p.Code != identity.CodeTokenMissing ||
				rec.Header().Get("WWW-Authenticate") != `Bearer realm="oslira"` || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s without a token: %d %s, WWW-Authenticate %q", r.Method, r.Path, rec.Code, p.Code, rec.Header().Get("WWW-Authenticate"))
			}
		}
	}
	if want := []string{"/health/live", "/health/ready", "/health", "/openapi.json", "/metrics", "/v1/credits/pricing", "/v1/webhooks/stripe", "/v1/analyses/anonymous"}; public != len(want) {
		t.Errorf("%d public routes, want %d (%v): is a new public route intended?", public, len(want), want)
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header, token string
		presented     bool
	}{
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer   ", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer abc.def.ghi", "abc.def.ghi", true},
		{"bearer abc", "abc", true},
		{"  BEARER   abc  ", "abc", true},
		{"Bearerabc", "", false},
	}
	for _, tc := range cases {
		if tok, ok := bearerToken(tc.header); tok != tc.token || ok != tc.presented {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tc.header, tok, ok, tc.token, tc.presented)
		}
	}
}

func TestChallenge(t *testing.T) {
	t.Parallel()
	if got := challenge(identity.ErrTokenMissing, false); got != `Bearer realm="oslira"` {
		t.Errorf("missing: %s", got)
	}
	want := `Bearer realm="oslira", error="invalid_token", error_description="the token has expired"`
	if got := challenge(identity.ErrTokenExpired, true); got != want {
		t.Errorf("expired: %s", got)
	}
	weird := identity.ErrTokenInvalid.WithMessage("bad \"quote\" \\ and\nnewline é")
	if got := challenge(weird, true); !strings.HasSuffix(got, `error_description="bad quote  andnewline "`) {
		t.Errorf("unsafe characters kept: %s", got)
	}
}

func TestDollars4(t *testing.T) {
	t.Parallel()
	for micros, want := range map[int64]string{921500: "0.9215", 970000: "0.9700", 0: "0.0000", 12_345_678: "12.3457", 49: "0.0000", 50: "0.0001"} {
		if got := dollars4(micros); got != want {
			t.Errorf("dollars4(%d) = %s, want %s", micros, got, want)
		}
	}
}

// TestHeadMirrorsEveryGet walks every GET route of the engine and asks it with HEAD, as an
// operator and anonymously: the status and content type are the GET's, and there is no body.
func TestHeadMirrorsEveryGet(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	op := newUser(t, true)
	f.me(t, op)
	gets := 0
	for _, r := range f.engine.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		gets++
		target := strings.ReplaceAll(r.Path, ":id", uuid.NewString())
		if target == "/v1/credits/pricing" {
			target += "?credits=100"
		}
		for _, token := range []string{op.token, ""} {
			send := func(method string) *httptest.ResponseRecorder {
				hr := httptest.NewRequest(method, target, nil)
				if token != "" {
					hr.Header.Set("Authorization", "Bearer "+token)
				}
				rec := httptest.NewRecorder()
				f.engine.ServeHTTP(rec, hr)
				return rec
			}
			g, h := send(http.MethodGet), send(http.MethodHead)
			if h.Code != g.Code || h.Header().Get("Content-Type") != g.Header().Get("Content-Type") ||
				h.Header().Get("Cache-Control") != g.Header().Get("Cache-Control") || h.Body.Len() != 0 || g.Body.Len() == 0 {
				t.Errorf("HEAD %s (token %v): %d %q, %d body bytes; GET: %d %q", target, token != "",
					h.Code, h.Header().Get("Content-Type"), h.Body.Len(), g.Code, g.Header().Get("Content-Type"))
			}
		}
	}
	if gets < 8 {
		t.Fatalf("only %d GET routes", gets)
	}
}
