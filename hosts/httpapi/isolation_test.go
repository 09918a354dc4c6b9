package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/oslira/oslira/core/identity"
)

// TestHTTPIsolation: two accounts over the real stack. Neither sees the other's balance or
// ledger, a user cannot grant credits (to themselves or anyone), and an operator's grant to B
// shows up in B's balance and ledger only.
func TestHTTPIsolation(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	a, b, op := newUser(t, false), newUser(t, false), newUser(t, true)
	acctA, acctB := f.me(t, a).Account.ID, f.me(t, b).Account.ID
	if acctA == acctB {
		t.Fatal("two users share an account")
	}

	balance := func(u user) balanceResponse {
		t.Helper()
		return decode[balanceResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/credits/balance", token: u.token}), http.StatusOK)
	}
	ledger := func(u user) []entryJSON {
		t.Helper()
		page := decode[entryPageResponse](t, f.do(t, req{method: http.MethodGet, target: "/v1/credits/transactions?limit=100", token: u.token}), http.StatusOK)
		return page.Data
	}
	// only asserts that every entry u sees belongs to u's account and none carries another
	// account's reference.
	only := func(u user, acct string, foreign ...string) []entryJSON {
		t.Helper()
		entries := ledger(u)
		for _, e := range entries {
			if e.AccountID != acct {
				t.Errorf("%s sees entry %s of account %s", u.email, e.ID, e.AccountID)
			}
			for _, ref := range foreign {
				if strings.Contains(e.Reference, ref) {
					t.Errorf("%s sees an entry referring to %s: %+v", u.email, ref, e)
				}
			}
		}
		return entries
	}

	// A user cannot grant: not to B, not to themselves; nothing changes.
	for _, target := range []string{acctB, acctA} {
		wantProblem(t, f.grant(t, a, target, 1000, "a-"+uuid.NewString()), http.StatusForbidden, identity.CodeOperatorOnly)
	}

	// The operator grants to B.
	key := "iso-" + uuid.NewString()
	granted := decode[grantResponse](t, f.grant(t, op, acctB, 70, key), http.StatusCreated)
	if granted.Entry.AccountID != acctB {
		t.Fatalf("grant went to %s", granted.Entry.AccountID)
	}

	if got := balance(a); got.AccountID != acctA || got.Balance != 25 {
		t.Errorf("A's balance = %+v, want 25 on %s", got, acctA)
	}
	if got := balance(b); got.AccountID != acctB || got.Balance != 95 {
		t.Errorf("B's balance = %+v, want 95 on %s", got, acctB)
	}
	if n := len(only(a, acctA, key, b.id)); n != 1 {
		t.Errorf("A sees %d entries, want 1 (its signup bonus)", n)
	}
	entriesB := only(b, acctB, a.id)
	if len(entriesB) != 2 || entriesB[0].ID != granted.Entry.ID {
		t.Errorf("B's ledger = %+v, want the grant then the bonus", entriesB)
	}
	if n := len(only(op, f.me(t, op).Account.ID, key)); n != 1 {
		t.Errorf("the operator's own ledger has %d entries, want 1: the grant is B's, not theirs", n)
	}
	// B's profile never shows A, and the other way round.
	if me := f.me(t, a); me.Account.ID != acctA || me.User.ID != a.id || me.Balance != 25 {
		t.Errorf("A's profile = %+v", me)
	}
	if me := f.me(t, b); me.Account.ID != acctB || me.User.ID != b.id || me.Balance != 95 {
		t.Errorf("B's profile = %+v", me)
	}
}
