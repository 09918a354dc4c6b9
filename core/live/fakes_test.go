package live_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/live"
)

// wait bounds every wait for something that must happen; it is a deadline for a hung test,
// never a measure of speed.
const wait = 10 * time.Second

// source is an in-memory live.Source: stored events in ID order, with the reads it served.
type source struct {
	mu      sync.Mutex
	events  []live.Event
	reads   []int64 // the after of every After call
	fail    int     // the number of next After calls that fail
	latest  int     // the number of next Latest calls that fail
	readsCh chan int64
	// replay, when set, is returned by the next After call instead of the stored events.
	replay []live.Event
}

func newSource(events ...live.Event) *source {
	return &source{events: events, readsCh: make(chan int64, 1000)}
}

var errDown = errors.New("database down")

func (s *source) After(_ context.Context, after int64, limit int) ([]live.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads = append(s.reads, after)
	defer func() { s.readsCh <- after }()
	if s.fail > 0 {
		s.fail--
		return nil, errDown
	}
	if s.replay != nil {
		out := s.replay
		s.replay = nil
		return out, nil
	}
	var out []live.Event
	for _, e := range s.events {
		if e.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *source) Latest(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latest > 0 {
		s.latest--
		return 0, errDown
	}
	var last int64
	for _, e := range s.events {
		last = max(last, e.ID)
	}
	return last, nil
}

// add stores events (IDs above the stored ones).
func (s *source) add(events ...live.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, events...)
}

func (s *source) readLog() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.reads...)
}

// nextRead waits for the next After call and returns its after.
func (s *source) nextRead(t *testing.T) int64 {
	t.Helper()
	select {
	case a := <-s.readsCh:
		return a
	case <-time.After(wait):
		t.Fatal("the hub never read the source")
		return 0
	}
}

// notifier is a live.Notifier the test drives: wake() calls the hub's wake function.
type notifier struct {
	ready chan func()
}

func newNotifier() *notifier { return &notifier{ready: make(chan func(), 1)} }

func (n *notifier) Listen(ctx context.Context, wake func()) error {
	n.ready <- wake
	<-ctx.Done()
	return ctx.Err()
}

// ev builds an event.
func ev(id int64, account, analysis, batch string) live.Event {
	return live.Event{ID: id, AccountID: account, AnalysisID: analysis, BatchID: batch,
		Type: analyze.EventProgress, Step: "scrape", StepIndex: 1, StepTotal: 5, Percent: 20}
}

// running starts h.Run and returns the notifier's wake function once the hub listens, and a
// stop that cancels Run and returns its error.
func running(t *testing.T, h *live.Hub, n *notifier) (wake func(), stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(wait):
				t.Fatal("Run did not return after its context ended")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	select {
	case wake = <-n.ready:
	case <-time.After(wait):
		t.Fatal("the hub never listened")
	}
	return wake, stop
}

// waitPosition waits until the hub has dispatched id: every matching subscription then holds
// every event up to it (dispatch sends under the hub's lock, before the position is visible).
func waitPosition(t *testing.T, h *live.Hub, id int64) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for h.Position() < id {
		if time.Now().After(deadline) {
			t.Fatalf("the hub stayed at %d, want %d", h.Position(), id)
		}
		time.Sleep(time.Millisecond)
	}
}

// pending returns the IDs the subscription holds, without waiting.
func pending(s *live.Subscription) []int64 {
	var ids []int64
	for {
		select {
		case e := <-s.C():
			ids = append(ids, e.ID)
		default:
			return ids
		}
	}
}

// ended waits for the subscription to end.
func ended(t *testing.T, s *live.Subscription) {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(wait):
		t.Fatal("the subscription did not end")
	}
}

// capture returns a logger and a count of the warnings it received.
func capture() (*slog.Logger, func() int) {
	h := &countHandler{}
	return slog.New(h), func() int { return int(h.warns.Load()) }
}

type countHandler struct{ warns atomic.Int64 }

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		h.warns.Add(1)
	}
	return nil
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }
