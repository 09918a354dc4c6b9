package account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// TestResolveRefusesAnonymousSignIns: a Supabase anonymous sign-in is refused with auth.anonymous
// (403) before the store is asked anything — no user, no account, no bonus (issue 7 item 5: ten
// anonymous sign-ins used to mint 250 credits). The mock store fails the test on any call, even
// for an anonymous token that also claims to be an operator.
func TestResolveRefusesAnonymousSignIns(t *testing.T) {
	t.Parallel()
	b := setup(t) // no EXPECT: any store call fails the test
	for _, c := range []identity.Claims{
		{UserID: userID, IsAnonymous: true},
		{UserID: userID, IsAnonymous: true, Email: "ann@example.com", Operator: true},
	} {
		for range 2 {
			p, err := b.svc.Resolve(context.Background(), c)
			if !errors.Is(err, identity.ErrAnonymous) || apperr.KindOf(err) != apperr.Forbidden {
				t.Fatalf("Resolve(%+v) = %v, want %s", c, err, identity.CodeAnonymous)
			}
			if p.UserID != "" || p.AccountID != "" || p.Has(tenant.RoleUser) {
				t.Errorf("principal %+v for an anonymous caller", p)
			}
		}
	}
}
