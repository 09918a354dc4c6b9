package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/metrics"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/adapters/stripe/stripetest"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/insights"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/workflow"
)

// testJWTSecret signs the tokens of the API tests (HS256, like Supabase's legacy secret).
const testJWTSecret = "httpapi-test-secret-0123456789abcdefghijklmnop"

// apiFixture is the real API: gin engine over the real postgres adapter (a pgtest database), the
// real jwt verifier, the billing use cases over the stripe adapter (pointed at a fake Stripe) and
// a workflow engine, plus a router over the contract to validate every response it gives.
type apiFixture struct {
	engine    *gin.Engine
	pool      *pgxpool.Pool
	db        *postgres.DB
	analyses  *postgres.AnalysisStore // the analysis routes' store (tests finish runs through it)
	api       *API
	live      *testLive // the live routes' hub (running) and ports (events_fixture_test.go)
	stripe    *stripetest.Fake
	workflows workflow.Engine
	logs      *logBuffer
	metrics   *metrics.Metrics // served at /metrics, fed by the metrics middleware
	doc       *openapi3.T
	router    routers.Router
	mu        sync.Mutex
	exercised map[string]bool // "GET /v1/me" (spec path templates) → seen
}

// fixtureConfig chooses what a fixture's API runs on. The zero value: the package's shared
// pgtest database, a DBOS client on it (webhook runs are enqueued, never executed), Stripe's API
// on a fake server with the test key, and the test webhook secret.
type fixtureConfig struct {
	pool      *pgxpool.Pool    // nil: pgtest.Pool
	workflows workflow.Engine  // nil: a DBOS client on pool (migrating its schema first)
	noStripe  bool             // neither an API key nor a webhook secret: billing answers 503
	now       func() time.Time // the idempotency keys' clock; nil: time.Now
	limits    bool             // enforce the rate limits over the postgres limiter (off: unlimited)
}

func newAPIFixture(t *testing.T) *apiFixture { return newAPIFixtureWith(t, fixtureConfig{}) }

func newAPIFixtureWith(t *testing.T, fc fixtureConfig) *apiFixture {
	t.Helper()
	pool := fc.pool
	if pool == nil {
		pool = pgtest.Pool(t)
	}
	db := postgres.NewDB(pool)
	verifier, err := jwt.New(context.Background(), jwt.Config{HS256Secret: testJWTSecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(verifier.Close)
	ledger := postgres.NewLedgerStore(db)
	store := postgres.NewBillingStore(db)
	businesses, err := postgres.NewBusinessStore(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	analyses, err := postgres.NewAnalysisStore(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	engine := fc.workflows
	if engine == nil {
		engine = newWorkflowClient(t, pool, billing.EventDefinition(billing.NewProcessor(store)),
			business.ContextDefinition(fixedWriter{}, businesses), enqueueOnly(analyze.Workflow, analyze.Queue))
	}
	fake := stripetest.New(t, testStripeKey)
	var payments billing.Payments
	whsec := testWhsec
	if fc.noStripe {
		whsec = ""
	} else {
		client, err := stripe.New(stripe.Config{SecretKey: testStripeKey, APIURL: fake.URL, MaxNetworkRetries: -1, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		payments = client
	}
	bill := Billing{
		Service: billing.NewService(store, payments, billing.Config{
			SuccessURL: "https://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}", CancelURL: "https://app.test/billing/cancel",
			PortalReturnURL: "https://app.test/billing",
		}),
		Inbox:         billing.NewInbox(store, engine),
		VerifyWebhook: testVerifier(whsec),
	}
	api := NewAPI(verifier, account.NewService(postgres.NewAccountStore(db), nil), credit.NewService(ledger, ledger), bill).
		WithBusiness(business.NewService(businesses, engine)).
		WithAnalyses(analyze.NewService(analyses, engine, nil), newTestAnonymous(t, db)).
		WithInsights(insights.NewService(postgres.NewInsightsStore(db), nil))
	lv := newTestLive(t, pool, db)
	api.WithLive(lv.hub, lv.source, lv.tickets)

	if fc.limits {
		api.WithLimiter(postgres.NewRateLimitStore(db), nil)
	}

	logs := &logBuffer{}
	cfg := Config{Version: "contract-test"}.WithDefaults()
	health := NewHealth([]observe.HealthChecker{postgres.NewHealthCheck(pool)}, cfg.Version)
	keys := idempotency.NewService(postgres.NewIdempotencyStore(db), fc.now)
	m := metrics.New()
	h := NewHandlerWith(cfg, newTestLogger(logs), health, api, mustContract(t), keys, []Middleware{MetricsMiddleware(m.HTTP())})
	routeMetrics(h.(*gin.Engine), m.Handler())

	doc := specForRouting(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apiFixture{engine: h.(*gin.Engine), pool: pool, db: db, analyses: analyses, api: api, live: lv, stripe: fake, workflows: engine, logs: logs, metrics: m,
		doc: doc, router: router, exercised: map[string]bool{}}
}

// testVerifier verifies with stripe.VerifyWebhook and whsec, like bootstrap's verifier over the
// secret provider: no secret is billing.ErrNotConfigured.
func testVerifier(whsec string) WebhookVerifier {
	return func(_ context.Context, payload []byte, sig string) (billing.Event, error) {
		if whsec == "" {
			return billing.Event{}, billing.ErrNotConfigured
		}
		ev, _, err := stripe.VerifyWebhook(payload, sig, whsec, time.Now())
		return ev, err
	}
}

// specForRouting loads a private copy of the contract without servers, so routes match on the
// path alone whatever host a test request names.
func specForRouting(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(contracts.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil
	return doc
}

// user is a caller of the API tests: a fresh user id with a token.
type user struct {
	id, email, token string
}

// newUser mints a token for a new random user (operator when admin).
func newUser(t *testing.T, admin bool) user {
	t.Helper()
	id := uuid.NewString()
	u := user{id: id, email: "u-" + id[:8] + "@example.test"}
	u.token = mint(t, jwt.MintClaims{UserID: id, Email: u.email, FullName: "Test " + id[:4], Admin: admin})
	return u
}

func mint(t *testing.T, c jwt.MintClaims) string {
	t.Helper()
	tok, err := jwt.MintHS256(testJWTSecret, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// req describes one API call.
type req struct {
	method, target, token, body string
	header                      map[string]string
}

// do sends r, validates the response against the contract and returns it.
func (f *apiFixture) do(t *testing.T, r req) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, "http://localhost:8080"+r.target, body)
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.engine.ServeHTTP(rec, hr)
	f.validate(t, hr, rec)
	return rec
}

// validate checks one real response against the contract: the status is documented for the
// route, declared headers are present and match, the body matches the schema (formats included);
// for a problem document, its code is listed in errors.md and in the response's description,
// status and request_id agree with the response.
func (f *apiFixture) validate(t *testing.T, hr *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	what := hr.Method + " " + hr.URL.RequestURI() + " → " + http.StatusText(rec.Code)
	route, params, err := f.router.FindRoute(hr)
	if err != nil {
		t.Errorf("%s: the contract has no route for it: %v", what, err)
		return
	}
	f.mu.Lock()
	f.exercised[hr.Method+" "+route.Path] = true
	f.mu.Unlock()

	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.EnableFormatValidation(),
				openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
			},
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("%s: response does not match the contract: %v\nheaders: %v\nbody: %s", what, err, rec.Header(), rec.Body.String())
	}
	if rec.Header().Get("Content-Type") != "application/problem+json" {
		return
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Errorf("%s: problem body: %v", what, err)
		return
	}
	if !strings.Contains(contracts.ErrorsMarkdown, "| `"+p.Code+"` |") {
		t.Errorf("%s: code %q is not listed in contracts/errors.md", what, p.Code)
	}
	if resp := route.Operation.Responses.Status(rec.Code); resp != nil && resp.Value.Description != nil &&
		!strings.Contains(*resp.Value.Description, "`"+p.Code+"`") {
		t.Errorf("%s: code %q is not listed in the contract's %d response of %s %s", what, p.Code, rec.Code, hr.Method, route.Path)
	}
	if p.Status != rec.Code || p.RequestID == "" || p.RequestID != rec.Header().Get(HeaderRequestID) {
		t.Errorf("%s: problem status %d request_id %q (header %q)", what, p.Status, p.RequestID, rec.Header().Get(HeaderRequestID))
	}
}

// wantProblem asserts the status and code of a problem response.
func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) Problem {
	t.Helper()
	p := problem(t, rec)
	if rec.Code != status || p.Code != code {
		t.Fatalf("status %d code %q, want %d %q; body %s", rec.Code, p.Code, status, code, rec.Body.String())
	}
	return p
}

// decode decodes a JSON success response, failing on another status.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode: %v; body %s", err, rec.Body.String())
	}
	return v
}

// grant makes operator op grant credits to accountID under key.
func (f *apiFixture) grant(t *testing.T, op user, accountID string, credits int64, key string) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(grantRequest{Credits: credits, Reason: "test grant " + key})
	return f.do(t, req{method: http.MethodPost, target: "/v1/admin/accounts/" + accountID + "/credits",
		token: op.token, body: string(body), header: map[string]string{HeaderIdempotencyKey: key}})
}

// me calls GET /v1/me (provisioning u's account on first use) and returns the profile.
func (f *apiFixture) me(t *testing.T, u user) meResponse {
	t.Helper()
	return decode[meResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/me", token: u.token}), http.StatusOK)
}

// expiredClaims are claims whose token expired an hour ago.
func expiredClaims(id string) jwt.MintClaims {
	return jwt.MintClaims{UserID: id, Email: "x@example.test", TTL: time.Hour, Now: time.Now().Add(-2 * time.Hour)}
}
