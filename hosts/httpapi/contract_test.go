package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/idempotency"
	"github.com/oslira/oslira/core/identity"
)

// TestContract drives every route over the real adapters — success and error cases — and
// validates each real response (status, headers, body) against contracts/openapi.yaml (see
// apiFixture.validate). It ends by checking that every route of the engine was exercised.
func TestContract(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	ann, op := newUser(t, false), newUser(t, true)
	get := func(target, token string) req { return req{method: http.MethodGet, target: target, token: token} }

	t.Run("health and contract", func(t *testing.T) {
		for _, path := range []string{"/health/live", "/health/ready", "/health"} {
			if rec := f.do(t, get(path, "")); rec.Code != http.StatusOK {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
			}
		}
		served := decode[map[string]any](t, f.do(t, get("/openapi.json", "")), http.StatusOK)
		paths, _ := served["paths"].(map[string]any)
		if len(paths) != f.doc.Paths.Len() || paths["/v1/admin/accounts/{id}/credits"] == nil {
			t.Errorf("/openapi.json serves %d paths, the contract has %d", len(paths), f.doc.Paths.Len())
		}
		if rec := f.do(t, get("/metrics", "")); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `http_request_duration_seconds_count{method="GET",route="/health/live",status="200"} 1`) {
			t.Errorf("/metrics: %d, without the probes' requests:\n%s", rec.Code, rec.Body.String())
		}
	})

	t.Run("me provisions the account with the signup bonus", func(t *testing.T) {
		me := f.me(t, ann)
		if me.User.ID != ann.id || me.User.Email != ann.email || me.User.IsOperator || me.Balance != 25 ||
			me.Role != "owner" || me.Plan != "free" || me.OnboardingCompleted || me.Account.ID == "" {
			t.Errorf("me = %+v", me)
		}
		if !f.me(t, op).User.IsOperator {
			t.Error("an app_metadata.role=admin token is not an operator")
		}
		line := f.logs.find(t, "http request")
		for _, l := range f.logs.lines(t) {
			if l["msg"] == "http request" && l["route"] == "/v1/me" && l["user_id"] == ann.id {
				line = l
			}
		}
		if line["user_id"] != ann.id || line["account_id"] != me.Account.ID {
			t.Errorf("access log line lacks the user and account: %v", line)
		}
	})

	t.Run("401 for missing and rejected tokens", func(t *testing.T) {
		forged := []byte(ann.token)
		i := strings.LastIndex(ann.token, ".") + 10 // a character inside the signature
		forged[i] = map[bool]byte{true: 'B', false: 'A'}[forged[i] == 'A']
		otherSecret, _ := jwt.MintHS256(strings.Repeat("z", 40), jwt.MintClaims{UserID: ann.id, Email: ann.email})
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + strings.Split(ann.token, ".")[1] + "."
		cases := []struct {
			name, header, code string
			rejected           bool
		}{
			{"missing", "", identity.CodeTokenMissing, false},
			{"other scheme", "Basic dXNlcjpwYXNz", identity.CodeTokenMissing, false},
			{"malformed", "Bearer not-a-jwt", identity.CodeTokenMalformed, true},
			{"forged signature", "Bearer " + string(forged), identity.CodeTokenInvalid, true},
			{"other secret", "Bearer " + otherSecret, identity.CodeTokenInvalid, true},
			{"expired", "Bearer " + mint(t, expiredClaims(ann.id)), identity.CodeTokenExpired, true},
			{"alg none", "Bearer " + none, identity.CodeTokenAlgorithm, true},
		}
		for _, tc := range cases {
			for _, target := range []string{"/v1/me", "/v1/credits/balance", "/v1/credits/transactions"} {
				rec := f.do(t, req{method: http.MethodGet, target: target, header: map[string]string{"Authorization": tc.header}})
				wantProblem(t, rec, http.StatusUnauthorized, tc.code)
				challenge := rec.Header().Get("WWW-Authenticate")
				if tc.rejected != strings.Contains(challenge, `error="invalid_token"`) || !strings.HasPrefix(challenge, `Bearer realm="oslira"`) {
					t.Errorf("%s %s: WWW-Authenticate %q", tc.name, target, challenge)
				}
			}
		}
	})

	t.Run("403 for a suspended account", func(t *testing.T) {
		q := pgtest.Pool(t)
		id := pgtest.InsertUser(t, q)
		acct := pgtest.InsertAccount(t, q, id)
		if _, err := q.Exec(t.Context(), `update public.accounts set is_suspended = true where id = $1`, acct); err != nil {
			t.Fatal(err)
		}
		tok := mint(t, jwt.MintClaims{UserID: id, Email: "suspended@example.test"})
		for _, target := range []string{"/v1/me", "/v1/credits/balance", "/v1/credits/transactions"} {
			wantProblem(t, f.do(t, get(target, tok)), http.StatusForbidden, identity.CodeAccountSuspended)
		}
	})

	t.Run("balance", func(t *testing.T) {
		b := decode[balanceResponse](t, f.do(t, get("/v1/credits/balance", ann.token)), http.StatusOK)
		if b.AccountID != f.me(t, ann).Account.ID || b.Balance != 25 || b.UpdatedAt.IsZero() {
			t.Errorf("balance = %+v", b)
		}
	})

	t.Run("transactions and their 400s", func(t *testing.T) {
		page := decode[entryPageResponse](t, f.do(t, get("/v1/credits/transactions", ann.token)), http.StatusOK)
		if len(page.Data) != 1 || page.NextCursor != nil {
			t.Fatalf("page = %+v", page)
		}
		e := page.Data[0]
		if e.Kind != string(credit.SignupBonus) || e.Delta != 25 || e.BalanceAfter != 25 || e.CreatedBy == nil || *e.CreatedBy != ann.id {
			t.Errorf("signup entry = %+v", e)
		}
		for query, code := range map[string]string{
			"limit=abc":         apperr.CodeInvalidRequest,
			"limit=0":           credit.CodeInvalidPageSize,
			"limit=101":         credit.CodeInvalidPageSize,
			"limit=-1":          credit.CodeInvalidPageSize,
			"kind=bogus":        credit.CodeUnknownEntryKind,
			"cursor=garbage!!!": apperr.CodeInvalidCursor,
			"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{"t":"x","id":"y"}`)): apperr.CodeInvalidCursor,
		} {
			p := wantProblem(t, f.do(t, get("/v1/credits/transactions?"+query, ann.token)), http.StatusBadRequest, code)
			if len(p.Errors) != 1 || !strings.HasPrefix(query, p.Errors[0].Field+"=") {
				t.Errorf("%s: field errors %+v", query, p.Errors)
			}
		}
	})

	t.Run("pagination", func(t *testing.T) {
		bob := newUser(t, false)
		acct := f.me(t, bob).Account.ID
		for i := range 5 {
			decode[grantResponse](t, f.grant(t, op, acct, int64(i+1), "page-"+uuid.NewString()), http.StatusCreated)
		}
		var all []entryJSON
		cursor := ""
		for pages := 0; ; pages++ {
			target := "/v1/credits/transactions?limit=2"
			if cursor != "" {
				target += "&cursor=" + url.QueryEscape(cursor)
			}
			page := decode[entryPageResponse](t, f.do(t, get(target, bob.token)), http.StatusOK)
			if len(page.Data) > 2 || pages > 5 {
				t.Fatalf("page %d has %d entries", pages, len(page.Data))
			}
			all = append(all, page.Data...)
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		if len(all) != 6 || all[5].Kind != string(credit.SignupBonus) || all[0].Delta != 5 || all[0].BalanceAfter != 25+15 {
			t.Fatalf("entries = %+v", all)
		}
		if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].CreatedAt.After(all[j].CreatedAt) }) {
			t.Error("entries are not newest first")
		}
		seen := map[string]bool{}
		for _, e := range all {
			if seen[e.ID] || e.AccountID != acct {
				t.Errorf("duplicate or foreign entry %+v", e)
			}
			seen[e.ID] = true
		}
		grants := decode[entryPageResponse](t, f.do(t, get("/v1/credits/transactions?kind=admin_grant&limit=100", bob.token)), http.StatusOK)
		if len(grants.Data) != 5 || grants.NextCursor != nil || *grants.Data[0].CreatedBy != op.id {
			t.Errorf("admin grants = %+v", grants)
		}
	})

	t.Run("pricing", func(t *testing.T) {
		q := decode[quoteResponse](t, f.do(t, get("/v1/credits/pricing?credits=100", "")), http.StatusOK)
		want := quoteResponse{Credits: 100, DiscountPercent: 5, SubtotalCents: 9700, DiscountCents: 485, TotalCents: 9215, UnitPrice: "0.9215", Currency: "usd"}
		if q != want {
			t.Errorf("quote = %+v, want %+v", q, want)
		}
		for query, code := range map[string]string{
			"":                              apperr.CodeInvalidRequest,
			"?amount=100":                   apperr.CodeInvalidRequest, // the old name: credits is required
			"?credits=":                     apperr.CodeInvalidRequest,
			"?credits=ten":                  apperr.CodeInvalidRequest,
			"?credits=1.5":                  apperr.CodeInvalidRequest,
			"?credits=9":                    credit.CodePackOutOfRange,
			"?credits=10001":                credit.CodePackOutOfRange,
			"?credits=-50":                  credit.CodePackOutOfRange,
			"?credits=99999999999999999999": credit.CodePackOutOfRange,
		} {
			p := wantProblem(t, f.do(t, get("/v1/credits/pricing"+query, "")), http.StatusBadRequest, code)
			if len(p.Errors) != 1 || p.Errors[0].Field != "credits" {
				t.Errorf("%q: field errors %+v", query, p.Errors)
			}
		}
	})

	t.Run("admin grant", func(t *testing.T) {
		acct := f.me(t, ann).Account.ID
		key := "grant-" + uuid.NewString()
		firstRec := f.grant(t, op, acct, 40, key)
		first := decode[grantResponse](t, firstRec, http.StatusCreated)
		if !first.Applied || first.Entry.Kind != string(credit.AdminGrant) || first.Entry.Delta != 40 ||
			first.Entry.BalanceAfter != 65 || first.Entry.AccountID != acct || *first.Entry.CreatedBy != op.id {
			t.Errorf("grant = %+v", first)
		}
		// The same request again is the same answer, replayed; another body with the key is 422.
		rec := f.grant(t, op, acct, 40, key)
		if rec.Code != http.StatusCreated || rec.Body.String() != firstRec.Body.String() || rec.Header().Get(HeaderIdempotentReplayed) != "true" {
			t.Errorf("replay = %d %s (%s), first %s", rec.Code, rec.Body, rec.Header(), firstRec.Body)
		}
		wantProblem(t, f.grant(t, op, acct, 999, key), http.StatusUnprocessableEntity, idempotency.CodeMismatch)
		if b := decode[balanceResponse](t, f.do(t, get("/v1/credits/balance", ann.token)), http.StatusOK); b.Balance != 65 {
			t.Errorf("balance after grant, replay and mismatch = %d, want 65", b.Balance)
		}
		// Another operator's key of the same name is another key; the ledger reference still
		// grants once and answers with the original entry.
		op2 := newUser(t, true)
		again := decode[grantResponse](t, f.grant(t, op2, acct, 40, key), http.StatusOK)
		if again.Applied || again.Entry.ID != first.Entry.ID || again.Entry.Description != first.Entry.Description {
			t.Errorf("other operator's grant = %+v, first %+v", again, first)
		}

		post := func(token, id, body, key string) req {
			h := map[string]string{}
			if key != "" {
				h[HeaderIdempotencyKey] = key
			}
			return req{method: http.MethodPost, target: "/v1/admin/accounts/" + id + "/credits", token: token, body: body, header: h}
		}
		ok := `{"credits": 5, "reason": "support"}`
		wantProblem(t, f.do(t, post(ann.token, acct, ok, "k1")), http.StatusForbidden, identity.CodeOperatorOnly)
		wantProblem(t, f.do(t, post("", acct, ok, "k1")), http.StatusUnauthorized, identity.CodeTokenMissing)
		wantProblem(t, f.do(t, post(op.token, uuid.NewString(), ok, "k1")), http.StatusNotFound, apperr.CodeNotFound)
		for name, tc := range map[string]struct{ id, body, key, code, field string }{
			"id not a uuid":  {"not-a-uuid", ok, "k2", credit.CodeInvalidGrant, "account_id"},
			"no key":         {acct, ok, "", credit.CodeInvalidGrant, "Idempotency-Key"},
			"zero credits":   {acct, `{"credits": 0, "reason": "x"}`, "k3", credit.CodeInvalidGrant, "credits"},
			"blank reason":   {acct, `{"credits": 1, "reason": "  "}`, "k4", credit.CodeInvalidGrant, "reason"},
			"old name":       {acct, `{"amount": 1, "reason": "x"}`, "k5", apperr.CodeInvalidRequest, "amount"},
			"string credits": {acct, `{"credits": "ten", "reason": "x"}`, "k6", apperr.CodeInvalidRequest, "credits"},
			"not json":       {acct, `credits=1`, "k7", apperr.CodeInvalidRequest, "body"},
			"trailing data":  {acct, ok + ` {}`, "k8", apperr.CodeInvalidRequest, "body"},
			"duplicate key":  {acct, `{"credits": 1, "reason": "x", "credits": 2}`, "k10", apperr.CodeInvalidRequest, "credits"},
			"other case":     {acct, `{"Credits": 1, "reason": "x"}`, "k11", apperr.CodeInvalidRequest, "Credits"},
			"null":           {acct, `null`, "k12", apperr.CodeInvalidRequest, "body"},
			"key too long":   {acct, ok, strings.Repeat("k", 201), apperr.CodeInvalidRequest, "Idempotency-Key"},
		} {
			p := wantProblem(t, f.do(t, post(op.token, tc.id, tc.body, tc.key)), http.StatusBadRequest, tc.code)
			if len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Errorf("%s: field errors %+v", name, p.Errors)
			}
		}
		huge, _ := json.Marshal(grantRequest{Credits: 1, Reason: strings.Repeat("x", MaxBodyBytes)})
		wantProblem(t, f.do(t, post(op.token, acct, string(huge), "k9")), http.StatusRequestEntityTooLarge, apperr.CodeBodyTooLarge)
		form := post(op.token, acct, ok, "k13")
		form.header["Content-Type"] = "application/x-www-form-urlencoded"
		wantProblem(t, f.do(t, form), http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType)
	})

	t.Run("billing: subscription, checkout, portal", func(t *testing.T) {
		testBillingRoutes(t, f)
	})

	t.Run("stripe webhook", func(t *testing.T) {
		testWebhookRoute(t, f)
	})

	t.Run("business profiles", func(t *testing.T) {
		testBusinessRoutes(t, f)
	})

	t.Run("analyses, batches and leads", func(t *testing.T) {
		testAnalysisRoutes(t, f)
	})

	t.Run("live events", func(t *testing.T) {
		testEventRoutes(t, f)
	})

	t.Run("admin analytics", func(t *testing.T) {
		testAnalyticsRoutes(t, f, op, ann)
	})

	// Every route the engine serves has been driven at least once by the subtests above.
	for r := range engineRoutes(f.engine) {
		if !f.exercised[r] {
			t.Errorf("route %s was not exercised by the contract test", r)
		}
	}
}
