package account_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// TestActAsOwner: the owner's principal with the user role only (an admin owner gets no operator
// role through this door); a suspended account is refused like Resolve refuses it; an id that is
// not a UUID never reaches the store; store errors pass through.
func TestActAsOwner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.store.EXPECT().Owner(gomock.Any(), accountID).Return(account.Membership{UserID: userID, AccountID: accountID,
		Email: "ann@example.com", Role: account.RoleOwner, UserIsAdmin: true}, nil)
	p, err := b.svc.ActAsOwner(ctx, accountID)
	if err != nil || p.UserID != userID || p.AccountID != accountID || p.Email != "ann@example.com" ||
		len(p.Roles) != 1 || p.Roles[0] != tenant.RoleUser {
		t.Errorf("ActAsOwner = %+v, %v", p, err)
	}

	b.store.EXPECT().Owner(gomock.Any(), accountID).Return(account.Membership{UserID: userID, AccountID: accountID, Suspended: true}, nil)
	if p, err := b.svc.ActAsOwner(ctx, accountID); !errors.Is(err, identity.ErrAccountSuspended) || p.UserID != "" {
		t.Errorf("suspended: %+v, %v", p, err)
	}

	down := errors.New("database down")
	b.store.EXPECT().Owner(gomock.Any(), accountID).Return(account.Membership{}, down)
	if _, err := b.svc.ActAsOwner(ctx, accountID); !errors.Is(err, down) {
		t.Errorf("store error: %v", err)
	}

	if _, err := b.svc.ActAsOwner(ctx, "acme"); !errors.Is(err, account.ErrNoAccount) {
		t.Errorf("malformed id: %v", err)
	}
}
