package account_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/accountmock"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

const (
	userID    = "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"
	accountID = "5d7e1f2a-8b3c-4d9e-a0f1-2b3c4d5e6f70"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type testBundle struct {
	store *accountmock.MockStore
	clock *clock
	svc   *account.Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	b := &testBundle{store: accountmock.NewMockStore(gomock.NewController(t)), clock: &clock{now: time.Unix(1_800_000_000, 0)}}
	b.svc = account.NewService(b.store, b.clock.Now)
	return b
}

func TestResolveProvisionsWithTheSignupBonusAndCaches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.store.EXPECT().Ensure(gomock.Any(), account.NewUser{
		UserID: userID, Email: "ann@example.com", FullName: "Ann", SignupBonus: account.SignupBonus,
	}).Return(account.Membership{UserID: userID, AccountID: accountID, Role: account.RoleOwner, Created: true}, nil).Times(1)

	claims := identity.Claims{UserID: userID, Email: " Ann@Example.com ", FullName: " Ann "}
	for range 3 { // one store call, then the cache answers
		p, err := b.svc.Resolve(context.Background(), claims)
		if err != nil {
			t.Fatal(err)
		}
		if p.AccountID != accountID || p.UserID != userID || p.IsOperator() || !p.Has(tenant.RoleUser) {
			t.Fatalf("principal = %+v", p)
		}
	}
	if account.SignupBonus.Int64() != 25 {
		t.Fatalf("signup bonus = %v, want 25", account.SignupBonus)
	}
}

func TestResolveCacheExpiresAndCanBeForgotten(t *testing.T) {
	t.Parallel()
	b := setup(t)
	m := account.Membership{UserID: userID, AccountID: accountID}
	b.store.EXPECT().Ensure(gomock.Any(), gomock.Any()).Return(m, nil).Times(3)
	claims := identity.Claims{UserID: userID}
	resolve := func() {
		t.Helper()
		if _, err := b.svc.Resolve(context.Background(), claims); err != nil {
			t.Fatal(err)
		}
	}
	resolve() // 1: miss
	b.clock.Advance(account.CacheTTL - time.Second)
	resolve() // cached
	b.clock.Advance(time.Second)
	resolve() // 2: expired
	b.svc.Forget(userID)
	resolve() // 3: forgotten
}

func TestResolveOperatorFromTokenOrDatabase(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		tokenSays, dbSays, want bool
	}{
		"neither": {false, false, false}, "token": {true, false, true}, "database": {false, true, true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.store.EXPECT().Ensure(gomock.Any(), gomock.Any()).Return(account.Membership{UserID: userID, AccountID: accountID, UserIsAdmin: tc.dbSays}, nil)
			p, err := b.svc.Resolve(context.Background(), identity.Claims{UserID: userID, Operator: tc.tokenSays})
			if err != nil || p.IsOperator() != tc.want {
				t.Fatalf("operator = %v (err %v), want %v", p.IsOperator(), err, tc.want)
			}
		})
	}
}

func TestResolveRefusesSuspendedAndPassesStoreErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.store.EXPECT().Ensure(gomock.Any(), gomock.Any()).Return(account.Membership{Suspended: true}, nil)
	if _, err := b.svc.Resolve(context.Background(), identity.Claims{UserID: userID}); !errors.Is(err, identity.ErrAccountSuspended) {
		t.Fatalf("suspended err = %v", err)
	}
	b2 := setup(t)
	down := apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "db down")
	b2.store.EXPECT().Ensure(gomock.Any(), gomock.Any()).Return(account.Membership{}, down).Times(2)
	for range 2 { // a failure is not cached
		if _, err := b2.svc.Resolve(context.Background(), identity.Claims{UserID: userID}); !errors.Is(err, down) {
			t.Fatalf("err = %v", err)
		}
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := b.svc.Profile(context.Background(), tenant.Principal{UserID: userID}); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("no account err = %v", err)
	}
	p := tenant.Principal{UserID: userID, AccountID: accountID}
	b.store.EXPECT().Profile(gomock.Any(), p).Return(account.Profile{AccountID: accountID, Plan: "free"}, nil)
	got, err := b.svc.Profile(context.Background(), p)
	if err != nil || got.AccountID != accountID {
		t.Fatalf("Profile = %+v, %v", got, err)
	}
}
