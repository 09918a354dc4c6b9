package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/postgres/pgtest"
	"github.com/oslira/oslira/core/live"
)

// liveWait bounds every wait for something that must happen: a deadline for a hung test, not a
// timing assertion.
const liveWait = 30 * time.Second

// logLines records the levels and messages a logger received, and signals each one.
type logLines struct {
	mu    sync.Mutex
	lines []slog.Record
	c     chan slog.Record
}

func newLogLines() *logLines { return &logLines{c: make(chan slog.Record, 100)} }

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.lines = append(l.lines, r)
	l.mu.Unlock()
	select {
	case l.c <- r:
	default:
	}
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }

// await waits for a record of level.
func (l *logLines) await(t *testing.T, level slog.Level) slog.Record {
	t.Helper()
	deadline := time.After(liveWait)
	for {
		select {
		case r := <-l.c:
			if r.Level == level {
				return r
			}
		case <-deadline:
			t.Fatalf("no %s log line", level)
		}
	}
}

func (l *logLines) count(level slog.Level) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.lines {
		if r.Level == level {
			n++
		}
	}
	return n
}

// countingNotifier counts the wake-ups its Notifier gives.
type countingNotifier struct {
	n     live.Notifier
	wakes atomic.Int64
}

func (c *countingNotifier) Listen(ctx context.Context, wake func()) error {
	return c.n.Listen(ctx, func() { c.wakes.Add(1); wake() })
}

// runHub runs a hub over the fixture's database with a real LiveSource and Listener.
func runHub(t *testing.T, f liveFixture, log *slog.Logger) (*live.Hub, *countingNotifier, *postgres.Listener) {
	t.Helper()
	l := postgres.NewListener(f.pool, log)
	postgres.SetListenerBackoff(l, 5*time.Millisecond, 50*time.Millisecond)
	n := &countingNotifier{n: l}
	h := live.NewHub(f.src, n, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(liveWait):
			t.Error("Run did not return")
		}
	})
	// The listener wakes the hub once connected; from then on a NOTIFY reaches it.
	deadline := time.Now().Add(liveWait)
	for n.wakes.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the listener never connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return h, n, l
}

// next receives the subscription's next event.
func next(t *testing.T, s *live.Subscription) live.Event {
	t.Helper()
	select {
	case e := <-s.C():
		return e
	case <-s.Done():
		t.Fatalf("the subscription ended: %v", s.Err())
	case <-time.After(liveWait):
		t.Fatal("no event")
	}
	return live.Event{}
}

func TestHubDeliversEventsWrittenByAnotherConnection(t *testing.T) {
	t.Parallel()
	f := newLiveFixture(t)
	h, _, _ := runHub(t, f, nil)
	s := h.Subscribe(live.Filter{AccountID: f.m.account, AnalysisID: f.single})
	other := h.Subscribe(live.Filter{AccountID: f.m.account, BatchID: f.batch})
	first := f.publish(t, f.single, 10)
	batched := f.publish(t, f.batched, 20)
	second := f.publish(t, f.single, 30)
	for _, want := range []int64{first, second} {
		if e := next(t, s); e.ID != want || e.AnalysisID != f.single {
			t.Fatalf("received %+v, want event %d", e, want)
		}
	}
	if e := next(t, other); e.ID != batched || e.BatchID != f.batch {
		t.Fatalf("the batch's subscription received %+v, want event %d", e, batched)
	}
}

// listenerPID is the backend of the listener on the fixture's database (0 while there is none).
func listenerPID(t *testing.T, q postgres.Querier) int32 {
	t.Helper()
	var pid int32
	err := q.QueryRow(t.Context(), `select coalesce(max(pid), 0) from pg_stat_activity
		where datname = current_database() and application_name = $1`, postgres.ListenerApplicationName).Scan(&pid)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestListenerSurvivesADatabaseRestart: the listener's backend is terminated and the database
// refuses connections while events are written; once it accepts them again, the listener
// reconnects and wakes the hub, which delivers every event written meanwhile, once, in order.
func TestListenerSurvivesADatabaseRestart(t *testing.T) {
	t.Parallel()
	f := newLiveFixture(t)
	lines := newLogLines()
	h, n, _ := runHub(t, f, slog.New(lines))
	s := h.Subscribe(live.Filter{AccountID: f.m.account})
	if id := f.publish(t, f.single, 1); next(t, s).ID != id {
		t.Fatalf("did not receive %d before the restart", id)
	}

	// One connection held for the outage: the test writes through it while no new connection
	// is accepted.
	held, err := f.pool.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	conn := held.Hijack()
	var db string
	if err := conn.QueryRow(t.Context(), `select current_database()`).Scan(&db); err != nil {
		t.Fatal(err)
	}
	// A database cannot refuse connections to itself: the maintenance database says so.
	admin, err := pgx.Connect(t.Context(), pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	allow := func(on bool) {
		t.Helper()
		sql := "alter database " + pgx.Identifier{db}.Sanitize() + " allow_connections false"
		if on {
			sql = "alter database " + pgx.Identifier{db}.Sanitize() + " allow_connections true"
		}
		if _, err := admin.Exec(context.Background(), sql); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		allow(true)
		_ = admin.Close(context.Background())
		_ = conn.Close(context.Background())
	})
	before := listenerPID(t, conn)
	if before == 0 {
		t.Fatal("no listener backend")
	}
	allow(false)
	var killed bool
	if err := conn.QueryRow(t.Context(), `select pg_terminate_backend($1)`, before).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate the listener's backend: %v, %v", killed, err)
	}
	lines.await(t, slog.LevelWarn) // the listener saw the loss

	var written []int64
	for range 3 {
		written = append(written, insertEvent(t, t.Context(), conn, f, 0))
	}
	wakes := n.wakes.Load()
	allow(true)
	lines.await(t, slog.LevelInfo) // reconnected
	// Nothing is written now, and the NOTIFYs of the outage reached nobody: only the wake-up
	// after the reconnection can count.
	deadline := time.Now().Add(liveWait)
	for n.wakes.Load() == wakes {
		if time.Now().After(deadline) {
			t.Fatal("the listener did not wake the hub after reconnecting")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, want := range written {
		if e := next(t, s); e.ID != want {
			t.Fatalf("received %d after the reconnection, want %d (written while down: %v)", e.ID, want, written)
		}
	}
	// A live event after the outage comes next: nothing was delivered twice.
	last := f.publish(t, f.single, 2)
	if e := next(t, s); e.ID != last {
		t.Fatalf("received %d, want %d: an event was delivered twice", e.ID, last)
	}
	if after := listenerPID(t, conn); after == 0 || after == before {
		t.Errorf("listener backend %d after the restart (was %d)", after, before)
	}
	if w := lines.count(slog.LevelWarn); w < 1 {
		t.Errorf("%d warnings", w)
	}
}

func TestListenerReturnsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	f := newLiveFixture(t)
	l := postgres.NewListener(f.pool, nil)
	ctx, cancel := context.WithCancel(t.Context())
	woken := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- l.Listen(ctx, func() {
			select {
			case woken <- struct{}{}:
			default:
			}
		})
	}()
	select {
	case <-woken: // connected
	case <-time.After(liveWait):
		t.Fatal("the listener never connected")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Listen returned %v, want context.Canceled", err)
		}
	case <-time.After(liveWait):
		t.Fatal("Listen did not return")
	}
	// Its connection is closed.
	deadline := time.Now().Add(liveWait)
	for listenerPID(t, f.pool) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the listener's connection outlived Listen")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
