package live

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Hub defaults.
const (
	// DefaultBuffer is a subscription's buffer: events a subscriber may fall behind by before it
	// is dropped. An Event is about 150 bytes and every idle WebSocket holds one buffer, so it is
	// small: an account runs at most ANALYSIS_ACCOUNT_CONCURRENCY analyses at once, each
	// writing one event per step, and a dropped client resumes from the store.
	DefaultBuffer = 16
	// DefaultBatch is how many events one read of the source takes.
	DefaultBatch = 500
	// DefaultPoll re-reads the source even without a notification, a safety net for a
	// notification lost between a reconnection and its catch-up.
	DefaultPoll = 5 * time.Second
)

// Filter selects the events a subscription receives; AccountID is required (tenancy), the
// others narrow it.
type Filter struct {
	AccountID  string
	AnalysisID string
	BatchID    string
}

func (f Filter) match(e Event) bool {
	return e.AccountID == f.AccountID &&
		(f.AnalysisID == "" || e.AnalysisID == f.AnalysisID) &&
		(f.BatchID == "" || e.BatchID == f.BatchID)
}

// ErrSlow is why a subscription was dropped: it fell more than its buffer behind (or it was
// made before the hub knew its starting position and would miss events, see Run). Either way
// its client reconnects and replays from its last event.
var ErrSlow = errors.New("live: subscriber too slow, dropped")

// Subscription receives the events of its filter, in ID order, from its creation on.
type Subscription struct {
	hub    *Hub
	filter Filter
	c      chan Event
	done   chan struct{}
	once   sync.Once
	err    error
	from   int64
}

// From is the hub's position when the subscription started: it delivers exactly the matching
// events with greater IDs. A client resuming after position p replays the stored events in
// (p, From] and then reads C — no gap, no duplicate.
func (s *Subscription) From() int64 { return s.from }

// C delivers the events. It is never closed; watch Done.
func (s *Subscription) C() <-chan Event { return s.c }

// Done is closed when the subscription ends: Close was called, the hub stopped, or the
// subscriber fell behind (Err is then ErrSlow).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err says why the subscription ended (nil while it runs or after Close).
func (s *Subscription) Err() error {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.err
}

// Close ends the subscription; safe to call more than once.
func (s *Subscription) Close() { s.hub.remove(s, nil) }

// Hub fans the events of one Source out to the process's subscriptions.
type Hub struct {
	src    Source
	notify Notifier
	log    *slog.Logger
	batch  int
	poll   time.Duration
	buffer int
	// retry is the pause between attempts to read the starting position.
	retry time.Duration

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	last   int64
	wake   chan struct{}
	closed bool
}

// NewHub returns a hub over src and n; log may be nil.
func NewHub(src Source, n Notifier, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub{src: src, notify: n, log: log, batch: DefaultBatch, poll: DefaultPoll, buffer: DefaultBuffer,
		retry: time.Second, subs: map[*Subscription]struct{}{}, wake: make(chan struct{}, 1)}
}

// Subscribe starts a subscription for f with DefaultBuffer; see Subscription.From for what it
// delivers.
func (h *Hub) Subscribe(f Filter) *Subscription {
	s := &Subscription{hub: h, filter: f, c: make(chan Event, h.buffer), done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	s.from = h.last
	if h.closed {
		s.err = context.Canceled
		close(s.done)
		return s
	}
	h.subs[s] = struct{}{}
	return s
}

// Position is the ID of the last event the hub has dispatched.
func (h *Hub) Position() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// Subscribers is the number of live subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Run follows the source until ctx ends: it starts at the latest stored event, listens, and on
// every wake-up (and every DefaultPoll) reads and dispatches what is new. When it returns, every
// subscription is ended.
//
// A subscription made before Run has read the starting position was promised the events after
// 0 (its From); the hub cannot keep that promise once it jumps to the latest event, so such a
// subscription is ended with ErrSlow (its client reconnects and replays) unless nothing was
// skipped.
func (h *Hub) Run(ctx context.Context) error {
	defer h.shut()
	for {
		last, err := h.src.Latest(ctx)
		if err == nil {
			h.start(last)
			break
		}
		h.log.Warn("live: cannot read the latest event position; retrying", "error", err.Error())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(h.retry):
		}
	}
	go func() { _ = h.notify.Listen(ctx, h.signal) }()
	ticker := time.NewTicker(h.poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.wake:
		case <-ticker.C:
		}
		h.drain(ctx)
	}
}

// start sets the hub's position and ends the subscriptions that would miss events before it.
func (h *Hub) start(last int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = max(h.last, last)
	for s := range h.subs {
		if s.from < h.last {
			h.removeLocked(s, ErrSlow)
		}
	}
}

// signal wakes Run without blocking (one pending wake-up is enough: a read takes everything).
func (h *Hub) signal() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// drain reads and dispatches everything after the last position.
func (h *Hub) drain(ctx context.Context) {
	for ctx.Err() == nil {
		h.mu.Lock()
		after := h.last
		h.mu.Unlock()
		events, err := h.src.After(ctx, after, h.batch)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("live: cannot read events; retrying at the next wake-up", "error", err.Error())
			}
			return
		}
		for _, e := range events {
			h.dispatch(e)
		}
		if len(events) < h.batch {
			return
		}
	}
}

// dispatch hands e to every matching subscription; one whose buffer is full is dropped.
func (h *Hub) dispatch(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.ID <= h.last {
		return
	}
	h.last = e.ID
	for s := range h.subs {
		if !s.filter.match(e) {
			continue
		}
		select {
		case s.c <- e:
		default:
			h.removeLocked(s, ErrSlow)
		}
	}
}

func (h *Hub) remove(s *Subscription, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s, err)
}

func (h *Hub) removeLocked(s *Subscription, err error) {
	s.once.Do(func() {
		delete(h.subs, s)
		s.err = err
		close(s.done)
	})
}

// shut ends every subscription (the hub stopped).
func (h *Hub) shut() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		h.removeLocked(s, context.Canceled)
	}
}
