package httpapi

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/identity"
)

// storedRows counts, for the given user ids, the rows provisioning would have written: users,
// accounts they own, memberships, and ledger entries (on those accounts or with their signup
// references).
func (f *apiFixture) storedRows(t *testing.T, ids ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for table, q := range map[string]string{
		"users":           `select count(*) from public.users where id = any($1::uuid[])`,
		"accounts":        `select count(*) from public.accounts where owner_id = any($1::uuid[])`,
		"account_members": `select count(*) from public.account_members where user_id = any($1::uuid[])`,
		"credit_ledger": `select count(*) from public.credit_ledger
		                  where account_id in (select id from public.accounts where owner_id = any($1::uuid[]))
		                     or reference in (select 'signup:' || u from unnest($1::text[]) u)`,
	} {
		var n int
		if err := f.pool.QueryRow(context.Background(), q, ids).Scan(&n); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// authedRoutes returns a request for every route the contract does not mark public (HEAD twins
// of GET routes aside: they run the same handlers).
func (f *apiFixture) authedRoutes(t *testing.T) []req {
	t.Helper()
	var out []req
	for _, r := range f.engine.Routes() {
		if r.Method == http.MethodHead {
			continue
		}
		var op *openapi3.Operation
		if item := f.doc.Paths.Find(openAPIPath(r.Path)); item != nil {
			op = item.GetOperation(r.Method)
		}
		if op == nil {
			t.Fatalf("%s %s is not in the contract", r.Method, r.Path)
		}
		if op.Security != nil && len(*op.Security) == 0 {
			continue
		}
		out = append(out, req{method: r.Method, target: strings.ReplaceAll(r.Path, ":id", uuid.NewString()), body: "{}",
			header: map[string]string{HeaderIdempotencyKey: uuid.NewString()}})
	}
	if len(out) < 7 {
		t.Fatalf("only %d authenticated routes found", len(out))
	}
	return out
}

// TestAnonymousSignInsGetNoAccount is issue 7 item 5: ten Supabase anonymous sign-ins used to be
// provisioned as ten accounts with 25 credits each. Now every authenticated route answers each of
// them 403 auth.anonymous (operator claim or not), nothing is written for them, public routes
// still serve them, and the same user id signing in for real later (Supabase keeps the id when
// an anonymous user links an identity) is provisioned normally, bonus included.
func TestAnonymousSignInsGetNoAccount(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	routes := f.authedRoutes(t)
	var ids []string
	for i := range 10 {
		id := uuid.NewString()
		ids = append(ids, id)
		token := mint(t, jwt.MintClaims{UserID: id, Anonymous: true, Admin: i%2 == 1})
		for _, r := range routes {
			r.token = token
			rec := f.do(t, r)
			p := wantProblem(t, rec, http.StatusForbidden, identity.CodeAnonymous)
			if p.Detail == "" || rec.Header().Get("WWW-Authenticate") != "" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s: detail %q, WWW-Authenticate %q, Cache-Control %q", r.method, r.target, p.Detail,
					rec.Header().Get("WWW-Authenticate"), rec.Header().Get("Cache-Control"))
			}
		}
		if rec := f.do(t, req{method: http.MethodGet, target: "/openapi.json", token: token}); rec.Code != http.StatusOK {
			t.Errorf("a public route with an anonymous token: %d %.300s", rec.Code, rec.Body.String())
		}
	}
	for table, n := range f.storedRows(t, ids...) {
		if n != 0 {
			t.Errorf("%d %s rows for anonymous sign-ins, want 0", n, table)
		}
	}

	linked := user{id: ids[0], email: "linked-" + ids[0][:8] + "@example.test"}
	linked.token = mint(t, jwt.MintClaims{UserID: linked.id, Email: linked.email})
	if me := f.me(t, linked); me.User.ID != linked.id || me.Balance != account.SignupBonus.Int64() {
		t.Errorf("the linked user: %+v", me)
	}
}

// TestOverlongClaimsAre401 is issue 7 item 7 over HTTP on PostgreSQL: a validly signed token with
// a 3,000-octet e-mail ended in a 500 while users.email had a unique index (a B-tree entry holds
// ~2.7 kB), and was stored unbounded once the index went; a NUL in the name (PostgreSQL text
// cannot hold it) is a 500 still without the bounds. Every claim over its bound is now 401
// auth.token-claims with an invalid_token challenge, and no row is written; at the bound, the
// account is provisioned with the values as sent.
func TestOverlongClaimsAre401(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	// email is a plausible address of n octets (n ≥ 90) of random letters and digits, in labels of
	// at most 63 octets: random, because PostgreSQL compresses an index entry before checking its
	// size, and a repetitive 3 kB address would fit where a real one does not.
	email := func(n int) string {
		random := func(k int) string {
			const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
			b := make([]byte, k)
			for i := range b {
				b[i] = alphabet[rand.IntN(len(alphabet))]
			}
			return string(b)
		}
		addr := random(64) + "@" + random(63)
		for len(addr)+len(".test") < n {
			addr += "." + random(min(63, n-len(addr)-len(".test")-1))
		}
		return addr + ".test"
	}
	cases := []struct {
		name string
		c    jwt.MintClaims
	}{
		{"email of 3000 octets", jwt.MintClaims{Email: email(3000)}},
		{"email of 255 octets", jwt.MintClaims{Email: email(identity.MaxEmailBytes + 1)}},
		{"full name of 257 characters", jwt.MintClaims{Email: "n@example.test", FullName: strings.Repeat("é", identity.MaxFullNameChars+1)}},
		{"avatar URL of 2049 octets", jwt.MintClaims{Email: "p@example.test", AvatarURL: "https://cdn.example/" + strings.Repeat("p", identity.MaxAvatarURLBytes-19)}},
		{"NUL in the full name", jwt.MintClaims{Email: "z@example.test", FullName: "Ann\x00"}},
	}
	var refused []string
	for _, tc := range cases {
		tc.c.UserID = uuid.NewString()
		refused = append(refused, tc.c.UserID)
		rec := f.do(t, req{method: http.MethodGet, target: "/v1/me", token: mint(t, tc.c)})
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body.String())
			continue
		}
		wantProblem(t, rec, http.StatusUnauthorized, identity.CodeTokenClaims)
		if ch := rec.Header().Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate %q", tc.name, ch)
		}
	}
	for table, n := range f.storedRows(t, refused...) {
		if n != 0 {
			t.Errorf("%d %s rows for refused tokens, want 0", n, table)
		}
	}

	// At every bound the account is provisioned and the values are stored as sent.
	at := user{id: uuid.NewString(), email: email(identity.MaxEmailBytes)}
	name := strings.Repeat("é", identity.MaxFullNameChars)
	avatar := "https://cdn.example/" + strings.Repeat("p", identity.MaxAvatarURLBytes-20)
	at.token = mint(t, jwt.MintClaims{UserID: at.id, Email: at.email, FullName: name, AvatarURL: avatar})
	if me := f.me(t, at); me.User.Email != at.email || me.Balance != account.SignupBonus.Int64() {
		t.Errorf("at the bounds: %+v", me)
	}
	var gotName, gotAvatar string
	if err := f.pool.QueryRow(context.Background(), `select full_name, avatar_url from public.users where id = $1`, at.id).
		Scan(&gotName, &gotAvatar); err != nil || gotName != name || gotAvatar != avatar {
		t.Errorf("stored name %d chars, avatar %d octets, err %v", len([]rune(gotName)), len(gotAvatar), err)
	}
}
