package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/ratelimit"
)

// limitedAt is the limiter clock of these tests: fixed, so no budget is earned back mid-test.
var limitedAt = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// limitedAPI is the real API (token verifier, account and credit services on the package's
// database) limited by the PostgreSQL limiter at the fixed clock, behind the real handler built
// with cfg. The limiter may be replaced (nil: the PostgreSQL one).
func limitedAPI(t *testing.T, cfg Config, l ratelimit.Limiter) (http.Handler, *API, *logBuffer) {
	t.Helper()
	db := pgtest.DB(t)
	verifier, err := jwt.New(context.Background(), jwt.Config{HS256Secret: testJWTSecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(verifier.Close)
	if l == nil {
		l = postgres.NewRateLimitStore(db)
	}
	ledger := postgres.NewLedgerStore(db)
	logs := &logBuffer{}
	api := NewAPI(verifier, account.NewService(postgres.NewAccountStore(db), nil), credit.NewService(ledger, ledger), Billing{}).
		WithLimiter(l, newTestLogger(logs))
	api.limits.now = func() time.Time { return limitedAt }
	cfg.Version = "ratelimit-test"
	return NewHandler(cfg.WithDefaults(), newTestLogger(logs), NewHealth(nil, "t"), api, mustContract(t), nil), api, logs
}

func call(t *testing.T, h http.Handler, method, target, token, body string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr = "198.51.100.20:4321"
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		if k == "RemoteAddr" {
			r.RemoteAddr = v
			continue
		}
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// TestRateLimitRefusesThe11thCheckout: POST /v1/billing/checkout allows 10 an hour per user;
// each answer shows the tighter budget (checkout's, under the group's General), the 11th is
// 429 rate.limited with Retry-After (one interval, 6 minutes) and the handler does not run;
// General was spent by all 11; another user is unaffected.
func TestRateLimitRefusesThe11thCheckout(t *testing.T) {
	t.Parallel()
	h, _, _ := limitedAPI(t, Config{}, nil)
	u := newUser(t, false)
	for i := range 10 {
		rec := call(t, h, http.MethodPost, "/v1/billing/checkout", u.token, `{"nonsense": 1}`, nil)
		if rec.Code != http.StatusBadRequest { // the handler ran and refused the body
			t.Fatalf("checkout %d: %d %s", i+1, rec.Code, rec.Body)
		}
		if rec.Header().Get(HeaderRateLimitLimit) != "10" || rec.Header().Get(HeaderRateLimitRemaining) != strconv.Itoa(9-i) ||
			rec.Header().Get(HeaderRateLimitReset) != strconv.Itoa((i+1)*360) || rec.Header().Get(HeaderRetryAfter) != "" {
			t.Fatalf("checkout %d headers: %v", i+1, rec.Header())
		}
	}
	rec := call(t, h, http.MethodPost, "/v1/billing/checkout", u.token, `{"nonsense": 1}`, nil)
	p := problem(t, rec)
	if rec.Code != http.StatusTooManyRequests || p.Code != apperr.CodeRateLimited || rec.Header().Get(HeaderRetryAfter) != "360" ||
		rec.Header().Get(HeaderRateLimitRemaining) != "0" || rec.Header().Get(HeaderRateLimitLimit) != "10" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("11th checkout: %d %+v %v", rec.Code, p, rec.Header())
	}
	me := call(t, h, http.MethodGet, "/v1/me", u.token, "", nil)
	if me.Code != http.StatusOK || me.Header().Get(HeaderRateLimitLimit) != "60" || me.Header().Get(HeaderRateLimitRemaining) != "48" {
		t.Errorf("/v1/me after 11 checkouts: %d %v", me.Code, me.Header())
	}
	other := newUser(t, false)
	if rec := call(t, h, http.MethodPost, "/v1/billing/checkout", other.token, `{"nonsense": 1}`, nil); rec.Code != http.StatusBadRequest ||
		rec.Header().Get(HeaderRateLimitRemaining) != "9" {
		t.Errorf("another user: %d %v", rec.Code, rec.Header())
	}
}

// TestRateLimitGeneralRefusesThe61stRead: the authenticated group's General budget, 60 a minute.
func TestRateLimitGeneralRefusesThe61stRead(t *testing.T) {
	t.Parallel()
	h, _, _ := limitedAPI(t, Config{}, nil)
	u := newUser(t, false)
	for i := range 60 {
		if rec := call(t, h, http.MethodGet, "/v1/credits/balance", u.token, "", nil); rec.Code != http.StatusOK {
			t.Fatalf("read %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := call(t, h, http.MethodGet, "/v1/credits/balance", u.token, "", nil)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get(HeaderRetryAfter) != "1" || rec.Header().Get(HeaderRateLimitReset) != "60" {
		t.Fatalf("61st read: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// TestClientIPTrustsOnlyConfiguredProxies: the public price list is limited per client IP. From
// an untrusted peer a forged X-Forwarded-For changes nothing (one budget: 59 then 58 left); from
// a trusted proxy the header names the client (two clients, 59 each); CLIENT_IP_HEADER replaces
// X-Forwarded-For and is believed only from the trusted proxy.
func TestClientIPTrustsOnlyConfiguredProxies(t *testing.T) {
	t.Parallel()
	proxy := "10.9." + strconv.Itoa(int(uuid.New()[0])) + ".7"
	remaining := func(h http.Handler, peer, header, value string) string {
		rec := call(t, h, http.MethodGet, "/v1/credits/pricing?credits=100", "", "", map[string]string{"RemoteAddr": peer + ":5555", header: value})
		if rec.Code != http.StatusOK {
			t.Fatalf("pricing: %d %s", rec.Code, rec.Body)
		}
		return rec.Header().Get(HeaderRateLimitRemaining)
	}
	forged := func() string { return "203.0.113." + strconv.Itoa(int(uuid.New()[0])) }

	untrusted, _, _ := limitedAPI(t, Config{}, nil)
	peer := "192.0.2." + strconv.Itoa(int(uuid.New()[0]))
	if a, b := remaining(untrusted, peer, "X-Forwarded-For", forged()), remaining(untrusted, peer, "X-Forwarded-For", forged()); a != "59" || b != "58" {
		t.Errorf("untrusted peer with forged X-Forwarded-For: %s then %s, want 59 then 58 (one key)", a, b)
	}

	trusted, _, _ := limitedAPI(t, Config{TrustedProxies: []string{proxy}}, nil)
	if a, b := remaining(trusted, proxy, "X-Forwarded-For", forged()), remaining(trusted, proxy, "X-Forwarded-For", forged()); a != "59" || b != "59" {
		t.Errorf("trusted proxy: %s and %s, want 59 each (two clients)", a, b)
	}
	client := forged()
	if a, b := remaining(trusted, proxy, "X-Forwarded-For", client), remaining(trusted, proxy, "X-Forwarded-For", client); a != "59" || b != "58" {
		t.Errorf("trusted proxy, one client twice: %s then %s", a, b)
	}

	cf, _, _ := limitedAPI(t, Config{TrustedProxies: []string{"10.0.0.0/8"}, ClientIPHeader: "CF-Connecting-IP"}, nil)
	if a, b := remaining(cf, proxy, "CF-Connecting-IP", forged()), remaining(cf, proxy, "CF-Connecting-IP", forged()); a != "59" || b != "59" {
		t.Errorf("CF-Connecting-IP from the trusted range: %s and %s, want 59 each", a, b)
	}
	outsider := "198.51.100." + strconv.Itoa(int(uuid.New()[0]))
	if a, b := remaining(cf, outsider, "CF-Connecting-IP", forged()), remaining(cf, outsider, "CF-Connecting-IP", forged()); a != "59" || b != "58" {
		t.Errorf("CF-Connecting-IP from outside the range: %s then %s, want one key", a, b)
	}
	// With CLIENT_IP_HEADER set, X-Forwarded-For is no longer read, even from the proxy.
	if a, b := remaining(cf, proxy, "X-Forwarded-For", forged()), remaining(cf, proxy, "X-Forwarded-For", forged()); a != "59" || b != "58" {
		t.Errorf("X-Forwarded-For beside CLIENT_IP_HEADER: %s then %s, want one key (the proxy)", a, b)
	}
}

// brokenLimiter fails every call, like a limiter whose database is down.
type brokenLimiter struct{ releases int }

func (b *brokenLimiter) Allow(context.Context, ratelimit.Policy, string, time.Time) (ratelimit.Decision, error) {
	return ratelimit.Decision{}, apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "database down")
}

func (b *brokenLimiter) Release(context.Context, ratelimit.Policy, string, time.Time) error {
	b.releases++
	return apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "database down")
}

// miniEngine serves POST /x under api.limit(policies...) with handler, behind the recovery and
// error middleware, as client 192.0.2.1.
func miniEngine(api *API, logs *logBuffer, handler gin.HandlerFunc, policies ...ratelimit.Policy) *gin.Engine {
	r := gin.New()
	log := newTestLogger(logs)
	r.Use(recovery(log), errorMiddleware(log))
	r.POST("/x", append([]gin.HandlerFunc{api.limit(policies...)}, handler)...)
	return r
}

func ok(c *gin.Context) { c.Status(http.StatusNoContent) }

// TestRateLimiterFailureOpenOrClosed: with the limiter down, a FailOpen policy lets the request
// through without headers and logs a WARN line; the anonymous policies answer 503.
func TestRateLimiterFailureOpenOrClosed(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	api := (&API{}).WithLimiter(&brokenLimiter{}, newTestLogger(logs))

	open := miniEngine(api, logs, ok, ratelimit.General)
	rec := call(t, open, http.MethodPost, "/x", "", "", nil)
	if rec.Code != http.StatusNoContent || rec.Header().Get(HeaderRateLimitLimit) != "" {
		t.Fatalf("fail-open: %d %v", rec.Code, rec.Header())
	}
	line := logs.find(t, "rate limiter failed; request let through")
	if line["level"] != "WARN" || line["policy"] != "general" {
		t.Errorf("warning: %v", line)
	}

	for _, p := range []ratelimit.Policy{ratelimit.Anonymous, ratelimit.AnonymousDaily} {
		closed := miniEngine(api, logs, func(c *gin.Context) { t.Error("the handler ran"); ok(c) }, p)
		rec = call(t, closed, http.MethodPost, "/x", "", "", nil)
		if pr := problem(t, rec); rec.Code != http.StatusServiceUnavailable || pr.Code != apperr.CodeUnavailable {
			t.Errorf("%s fail-closed: %d %+v", p.Name, rec.Code, pr)
		}
	}

	// No limiter: nothing is limited, no header.
	rec = call(t, miniEngine(&API{}, logs, ok, ratelimit.Anonymous), http.MethodPost, "/x", "", "", nil)
	if rec.Code != http.StatusNoContent || rec.Header().Get(HeaderRateLimitLimit) != "" {
		t.Errorf("no limiter: %d %v", rec.Code, rec.Header())
	}
}

// TestDailyQuotaRefundsFailuresNotTheCallers: the anonymous chain (5 an hour, then 1 per UTC
// day) on the PostgreSQL limiter. An analysis failing because a provider is down (or a panic)
// gives the day's unit back; one failing because of the caller's input does not; the refusal is
// 429 rate.daily-quota with Retry-After to midnight UTC (8 h 50 min 34 s after limitedAt).
func TestDailyQuotaRefundsFailuresNotTheCallers(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	api := (&API{}).WithLimiter(postgres.NewRateLimitStore(pgtest.DB(t)), newTestLogger(logs))
	api.limits.now = func() time.Time { return limitedAt }
	var next func(c *gin.Context)
	h := miniEngine(api, logs, func(c *gin.Context) { next(c) }, ratelimit.Anonymous, ratelimit.AnonymousDaily)
	peer := map[string]string{"RemoteAddr": "192.0.2." + strconv.Itoa(int(uuid.New()[0])) + ":1"}
	send := func(handler func(*gin.Context)) *httptest.ResponseRecorder {
		next = handler
		return call(t, h, http.MethodPost, "/x", "", "", peer)
	}

	providerDown := func(c *gin.Context) {
		_ = c.Error(apperr.New(apperr.Unavailable, "lead.scraper-unavailable", "down"))
	}
	if rec := send(providerDown); rec.Code != http.StatusServiceUnavailable || rec.Header().Get(HeaderRateLimitLimit) != "1" {
		t.Fatalf("provider down: %d %v", rec.Code, rec.Header())
	}
	if rec := send(func(*gin.Context) { panic("boom") }); rec.Code != http.StatusInternalServerError {
		t.Fatalf("panic: %d", rec.Code)
	}
	badInput := func(c *gin.Context) { _ = c.Error(apperr.New(apperr.Invalid, "lead.username-invalid", "bad")) }
	if rec := send(badInput); rec.Code != http.StatusBadRequest { // refunded twice before: still allowed
		t.Fatalf("bad input: %d %s", rec.Code, rec.Body)
	}
	rec := send(ok)
	pr := problem(t, rec)
	if rec.Code != http.StatusTooManyRequests || pr.Code != ratelimit.CodeDailyQuota ||
		rec.Header().Get(HeaderRetryAfter) != "31834" || rec.Header().Get(HeaderRateLimitRemaining) != "0" {
		t.Fatalf("after a failure of the caller's: %d %+v %v", rec.Code, pr, rec.Header())
	}
	if rec := send(ok); rec.Code != http.StatusTooManyRequests || problem(t, rec).Code != ratelimit.CodeDailyQuota {
		t.Fatalf("fifth request: %d %s", rec.Code, rec.Body)
	}
	// Five requests reached the chain: the hourly rate (5) is spent too and now refuses first,
	// without touching the quota.
	rec = send(ok)
	if pr := problem(t, rec); rec.Code != http.StatusTooManyRequests || pr.Code != apperr.CodeRateLimited || rec.Header().Get(HeaderRetryAfter) != "720" {
		t.Fatalf("sixth request: %d %+v %v", rec.Code, pr, rec.Header())
	}
}

func TestConfigValidatesProxiesAndClientIPHeader(t *testing.T) {
	t.Parallel()
	good := Config{TrustedProxies: []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}, ClientIPHeader: "CF-Connecting-IP"}.WithDefaults()
	if err := good.Validate(); err != nil {
		t.Fatalf("valid: %v", err)
	}
	for _, bad := range []Config{
		{TrustedProxies: []string{"proxy.internal"}},
		{TrustedProxies: []string{"10.0.0.0/33"}},
		{ClientIPHeader: "X Real IP"},
		{ClientIPHeader: "X-Real-IP:"},
		{ClientIPHeader: strings.Repeat("X", 65)},
	} {
		if err := bad.WithDefaults().Validate(); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if !ValidHeaderName(strings.Repeat("X", 64)) || ValidHeaderName("") {
		t.Error("header name bounds")
	}
}
