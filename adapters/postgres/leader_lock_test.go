package postgres_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
)

func TestLeaderLockOneLeaderAndTakeoverWhenItsSessionDies(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	ctx := t.Context()
	key := rand.Int64() // this test's own lock
	a := postgres.NewLeaderLock(pool, key, "leader-a")
	b := postgres.NewLeaderLock(pool, key, "leader-b")
	t.Cleanup(func() { _ = a.Release(ctx); _ = b.Release(ctx) })

	if ok, err := a.TryLead(ctx); !ok || err != nil {
		t.Fatalf("a.TryLead = %v, %v", ok, err)
	}
	for range 2 { // repeated calls keep (and do not stack) the lock
		if ok, err := a.TryLead(ctx); !ok || err != nil {
			t.Fatalf("a.TryLead again = %v, %v", ok, err)
		}
		if ok, err := b.TryLead(ctx); ok || err != nil {
			t.Fatalf("b.TryLead while a leads = %v, %v", ok, err)
		}
	}
	var app string
	if err := pool.QueryRow(ctx, "select application_name from pg_stat_activity where pid = $1", a.BackendPID()).Scan(&app); err != nil || app != "leader-a" {
		t.Errorf("leader session application_name = %q, %v", app, err)
	}

	// The server drops a's session: the lock goes with it, and b takes over.
	var killed bool
	if err := pool.QueryRow(ctx, "select pg_terminate_backend($1, 5000)", a.BackendPID()).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate a's session: %v, %v", killed, err)
	}
	if ok, err := b.TryLead(ctx); !ok || err != nil {
		t.Fatalf("b.TryLead after a's session died = %v, %v", ok, err)
	}
	ok, err := a.TryLead(ctx)
	if ok || !errors.Is(err, postgres.ErrLeadershipLost) || a.Held() {
		t.Fatalf("a.TryLead after losing its session = %v, %v (held %v)", ok, err, a.Held())
	}
	if ok, err := a.TryLead(ctx); ok || err != nil { // a reconnects and finds b leading
		t.Fatalf("a.TryLead while b leads = %v, %v", ok, err)
	}

	// Release hands the lock on.
	if err := b.Release(ctx); err != nil || b.Held() || b.BackendPID() != 0 {
		t.Fatalf("b.Release = %v (held %v)", err, b.Held())
	}
	if ok, err := a.TryLead(ctx); !ok || err != nil {
		t.Fatalf("a.TryLead after b released = %v, %v", ok, err)
	}
}

// A caller that is stopping (its context already cancelled) must not drop the lock by closing
// the session: the server frees a closed session's lock only some time later, so the next leader
// would wait. The lock stays held until Release unlocks it, and then it is free at once.
func TestLeaderLockSurvivesACancelledCallerUntilRelease(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	key := rand.Int64()
	a := postgres.NewLeaderLock(pool, key, "leader-a")
	b := postgres.NewLeaderLock(pool, key, "leader-b")
	t.Cleanup(func() { _ = a.Release(context.Background()); _ = b.Release(context.Background()) })
	if ok, err := a.TryLead(t.Context()); !ok || err != nil {
		t.Fatalf("a.TryLead = %v, %v", ok, err)
	}
	stopping, cancel := context.WithCancel(t.Context())
	cancel()
	if ok, err := a.TryLead(stopping); !ok || err != nil || !a.Held() {
		t.Fatalf("a.TryLead with a cancelled context = %v, %v, held %v; want the lock kept", ok, err, a.Held())
	}
	if err := a.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.TryLead(t.Context()); !ok || err != nil {
		t.Fatalf("b.TryLead right after a's Release = %v, %v", ok, err)
	}
}
