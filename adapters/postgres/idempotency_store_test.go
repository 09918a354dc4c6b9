package postgres_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/idempotency"
)

// clock is a settable time for the idempotency tests.
type clock struct{ ns atomic.Int64 }

func newClock() *clock { return clockAt(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) }

func clockAt(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func idemKey(scope string) idempotency.Key {
	return idempotency.Key{Scope: scope, Route: "POST /v1/things/:id", Key: "key-" + newUUID()}
}

// TestIdempotencyKeyLifecycle runs the core rules over the real table: claim, in flight,
// replay, mismatch, release, takeover after the lease, expiry, and per-caller scoping.
func TestIdempotencyKeyLifecycle(t *testing.T) {
	t.Parallel()
	store := postgres.NewIdempotencyStore(pgtest.DB(t))
	clk := newClock()
	svc := idempotency.NewService(store, clk.now)
	ctx := t.Context()
	k := idemKey("user:" + newUUID())

	first, err := svc.Begin(ctx, k, "fp-1")
	if err != nil || first.Token == "" {
		t.Fatalf("first Begin = %+v, %v", first, err)
	}
	if _, err := svc.Begin(ctx, k, "fp-1"); !errors.Is(err, idempotency.ErrInFlight) {
		t.Fatalf("same request in flight: %v", err)
	}
	if _, err := svc.Begin(ctx, k, "fp-2"); !errors.Is(err, idempotency.ErrMismatch) {
		t.Fatalf("other request in flight: %v", err)
	}
	resp := idempotency.Response{Status: 201, Header: map[string]string{"Content-Type": "application/json"}, Body: []byte(`{"ok":true}`)}
	if err := svc.Complete(ctx, k, first.Token, resp); err != nil {
		t.Fatal(err)
	}
	again, err := svc.Begin(ctx, k, "fp-1")
	if err != nil || again.Replay == nil || again.Replay.Status != 201 || string(again.Replay.Body) != `{"ok":true}` ||
		again.Replay.Header["Content-Type"] != "application/json" {
		t.Fatalf("replay = %+v, %v", again.Replay, err)
	}
	if _, err := svc.Begin(ctx, k, "fp-2"); !errors.Is(err, idempotency.ErrMismatch) {
		t.Fatalf("other request after completion: %v", err)
	}

	// Another caller with the same key and route is a different key.
	other := k
	other.Scope = "user:" + newUUID()
	if b, err := svc.Begin(ctx, other, "fp-2"); err != nil || b.Token == "" {
		t.Fatalf("another caller's Begin = %+v, %v", b, err)
	}

	// After 24 hours the key is new again, even with another body.
	clk.advance(idempotency.TTL)
	if b, err := svc.Begin(ctx, k, "fp-2"); err != nil || b.Token == "" || b.Replay != nil {
		t.Fatalf("Begin after expiry = %+v, %v", b, err)
	}
}

func TestIdempotencyKeyReleaseAndTakeover(t *testing.T) {
	t.Parallel()
	store := postgres.NewIdempotencyStore(pgtest.DB(t))
	clk := newClock()
	svc := idempotency.NewService(store, clk.now)
	ctx := t.Context()
	k := idemKey("user:" + newUUID())

	// A failure releases the key: a corrected request runs.
	b, err := svc.Begin(ctx, k, "bad-body")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Complete(ctx, k, b.Token, idempotency.Response{Status: 400, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	crashed, err := svc.Begin(ctx, k, "good-body")
	if err != nil || crashed.Token == "" {
		t.Fatalf("Begin after a released failure = %+v, %v", crashed, err)
	}

	// The holder "crashes": within the lease the key stays in flight, after it a retry of the
	// same request takes over, and the old holder can no longer complete.
	clk.advance(idempotency.Lease - time.Second)
	if _, err := svc.Begin(ctx, k, "good-body"); !errors.Is(err, idempotency.ErrInFlight) {
		t.Fatalf("within the lease: %v", err)
	}
	clk.advance(time.Second)
	if _, err := svc.Begin(ctx, k, "other-body"); !errors.Is(err, idempotency.ErrMismatch) {
		t.Fatalf("another body after the lease: %v", err)
	}
	retry, err := svc.Begin(ctx, k, "good-body")
	if err != nil || retry.Token == "" || retry.Token == crashed.Token {
		t.Fatalf("takeover = %+v, %v", retry, err)
	}
	if ok, err := store.Complete(ctx, k, crashed.Token, idempotency.Response{Status: 201, Body: []byte(`"late"`)}); err != nil || ok {
		t.Fatalf("the old holder completed: %v, %v", ok, err)
	}
	if err := svc.Complete(ctx, k, retry.Token, idempotency.Response{Status: 201, Body: []byte(`"new"`)}); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.Begin(ctx, k, "good-body"); err != nil || r.Replay == nil || string(r.Replay.Body) != `"new"` {
		t.Fatalf("replay after takeover = %+v, %v", r, err)
	}
}

// TestIdempotencyKeyConcurrentClaims: of many simultaneous first requests with one key, exactly
// one runs; the others are told it is in flight.
func TestIdempotencyKeyConcurrentClaims(t *testing.T) {
	t.Parallel()
	store := postgres.NewIdempotencyStore(pgtest.DB(t))
	svc := idempotency.NewService(store, newClock().now)
	k := idemKey("user:" + newUUID())
	const n = 12
	var (
		wg               sync.WaitGroup
		claimed, blocked atomic.Int32
		start            = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-start
			b, err := svc.Begin(t.Context(), k, "fp")
			switch {
			case err == nil && b.Token != "":
				claimed.Add(1)
			case errors.Is(err, idempotency.ErrInFlight):
				blocked.Add(1)
			default:
				t.Errorf("Begin = %+v, %v", b, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if claimed.Load() != 1 || blocked.Load() != n-1 {
		t.Fatalf("claimed %d, in flight %d; want 1 and %d", claimed.Load(), blocked.Load(), n-1)
	}
}

func TestIdempotencyKeyPrune(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	store := postgres.NewIdempotencyStore(db)
	// Years before the other tests' clocks: pruning here never reaches their keys.
	clk := clockAt(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	svc := idempotency.NewService(store, clk.now)
	ctx := t.Context()
	scope := "user:" + newUUID()
	old, fresh := idemKey(scope), idemKey(scope)
	if _, err := svc.Begin(ctx, old, "fp"); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Hour)
	if _, err := svc.Begin(ctx, fresh, "fp"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := db.Pool().QueryRow(ctx, `select count(*) from public.idempotency_keys where scope = $1`, scope).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// At old's expiry: old goes, fresh (an hour younger) stays.
	if n, err := store.PruneExpired(ctx, clk.now().Add(idempotency.TTL-time.Hour), 1000); err != nil || n != 1 {
		t.Fatalf("PruneExpired = %d, %v", n, err)
	}
	if got := count(); got != 1 {
		t.Fatalf("%d keys left, want the fresh one", got)
	}
	if b, err := svc.Begin(ctx, fresh, "fp"); !errors.Is(err, idempotency.ErrInFlight) {
		t.Fatalf("the fresh key was pruned: %+v, %v", b, err)
	}
}
