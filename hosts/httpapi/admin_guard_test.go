package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/oslira/oslira/core/identity"
)

// TestEveryAdminRouteRefusesUsers walks every /v1/admin route the engine serves with a signed-in
// user who is not an operator. The group's requireOperator must answer 403 before the handler
// reads anything, so even a malformed body gets 403 (not 400) and nothing else in the handler
// runs: the use cases' own operator checks are a second wall, not the first.
func TestEveryAdminRouteRefusesUsers(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	u := newUser(t, false)
	target := f.me(t, u).Account.ID
	admin := 0
	for _, r := range f.engine.Routes() {
		if !strings.HasPrefix(r.Path, "/v1/admin/") || r.Method == http.MethodHead {
			continue
		}
		admin++
		path := strings.ReplaceAll(r.Path, ":id", target)
		for name, body := range map[string]string{"malformed": `{"credits":`, "valid": `{"credits":5,"reason":"x"}`} {
			rec := f.do(t, req{method: r.Method, target: path, token: u.token, body: body,
				header: map[string]string{HeaderIdempotencyKey: "guard-" + uuid.NewString()}})
			if p := problem(t, rec); rec.Code != http.StatusForbidden || p.Code != identity.CodeOperatorOnly {
				t.Errorf("%s %s with a %s body as a user: %d %q, want 403 %q", r.Method, r.Path, name, rec.Code, p.Code, identity.CodeOperatorOnly)
			}
		}
	}
	if admin == 0 {
		t.Fatal("no /v1/admin routes found")
	}
	if got := f.me(t, u).Balance; got != 25 {
		t.Errorf("balance %d after the refused grants, want the 25 of the signup bonus", got)
	}
}
