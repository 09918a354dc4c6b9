package account_test

import (
	"context"
	"fmt"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/identity"
)

// TestResolveCacheHoldsUpToItsBoundThenStartsOver: the resolution cache keeps every user until it
// holds exactly MaxCached of them — all of them are still answered from memory — and the next new
// user clears it, so each earlier user costs one store call again. This pins both the bound
// (clearing one entry early or late changes which users hit the store) and that remembering a user
// keeps the others.
func TestResolveCacheHoldsUpToItsBoundThenStartsOver(t *testing.T) {
	t.Parallel()
	b := setup(t)
	calls := map[string]int{}
	b.store.EXPECT().Ensure(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, u account.NewUser) (account.Membership, error) {
			calls[u.UserID]++
			return account.Membership{UserID: u.UserID, AccountID: accountID}, nil
		}).AnyTimes()
	user := func(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
	resolve := func(i int) {
		t.Helper()
		if _, err := b.svc.Resolve(context.Background(), identity.Claims{UserID: user(i)}); err != nil {
			t.Fatal(err)
		}
	}

	for i := range account.MaxCached {
		resolve(i)
	}
	for i := range account.MaxCached { // the cache is full, not over: everyone is still remembered
		resolve(i)
	}
	for i := range account.MaxCached {
		if calls[user(i)] != 1 {
			t.Fatalf("user %d: %d store calls with %d users cached, want 1", i, calls[user(i)], account.MaxCached)
		}
	}

	resolve(account.MaxCached) // one more user: the full cache starts over
	resolve(0)
	resolve(1)
	if calls[user(0)] != 2 || calls[user(1)] != 2 || calls[user(account.MaxCached)] != 1 {
		t.Fatalf("after user %d: store calls for users 0, 1 = %d, %d (want 2, 2: the cache was cleared), for the new user %d (want 1)",
			account.MaxCached, calls[user(0)], calls[user(1)], calls[user(account.MaxCached)])
	}
}
