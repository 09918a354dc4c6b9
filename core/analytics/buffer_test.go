package analytics

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeWriter keeps copies of the batches it stored. It fails its first failFirst calls (every
// call when failAll), and, when gate is set, blocks each call until gate closes or ctx ends.
type fakeWriter struct {
	mu        sync.Mutex
	batches   [][]Event
	calls     int
	failFirst int
	failAll   bool
	gate      chan struct{}
	entered   chan struct{} // receives once per call, when set (buffered by the test)
}

func (w *fakeWriter) Write(ctx context.Context, events []Event) error {
	if w.entered != nil {
		select {
		case w.entered <- struct{}{}:
		default:
		}
	}
	if w.gate != nil {
		select {
		case <-w.gate:
		case <-ctx.Done():
			w.mu.Lock()
			w.calls++
			w.mu.Unlock()
			return ctx.Err()
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if w.failAll || w.calls <= w.failFirst {
		return errors.New("database down")
	}
	w.batches = append(w.batches, slices.Clone(events))
	return nil
}

// sizes returns the sizes of the stored batches.
func (w *fakeWriter) sizes() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]int, len(w.batches))
	for i, b := range w.batches {
		out[i] = len(b)
	}
	return out
}

// ids returns the request ids of every stored event, in order.
func (w *fakeWriter) ids() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, b := range w.batches {
		for _, e := range b {
			out = append(out, e.RequestID)
		}
	}
	return out
}

// waitFor polls cond; the deadline only guards against a hang, it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func event(i int) Event {
	return Event{RequestID: fmt.Sprintf("r%04d", i), Route: "/v1/x", Status: 200}
}

func record(b *Buffer, from, to int) []string {
	var ids []string
	for i := from; i < to; i++ {
		b.Record(event(i))
		ids = append(ids, event(i).RequestID)
	}
	return ids
}

func closeNow(t *testing.T, b *Buffer) {
	t.Helper()
	if err := b.Close(t.Context()); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// TestFlushBySize: a batch is written as soon as it holds BatchSize events, long before the
// interval; the rest waits for Close.
func TestFlushBySize(t *testing.T) {
	t.Parallel()
	w := &fakeWriter{}
	b := New(w, Config{BatchSize: 5, FlushInterval: time.Hour})
	b.Start()
	want := record(b, 0, 12)
	waitFor(t, "two full batches", func() bool { return len(w.sizes()) == 2 })
	if got := w.sizes(); !slices.Equal(got, []int{5, 5}) {
		t.Fatalf("batches %v, want [5 5]", got)
	}
	closeNow(t, b)
	if got := w.sizes(); !slices.Equal(got, []int{5, 5, 2}) {
		t.Fatalf("batches after close %v, want [5 5 2]", got)
	}
	if got := w.ids(); !slices.Equal(got, want) {
		t.Fatalf("written %v, want %v", got, want)
	}
	if s := b.Stats(); s.Written != 12 || b.Dropped() != 0 || s.Pending != 0 {
		t.Fatalf("stats %+v, dropped %d", s, b.Dropped())
	}
}

// TestFlushByTime: a batch far below BatchSize is written by the interval, without Close.
func TestFlushByTime(t *testing.T) {
	t.Parallel()
	w := &fakeWriter{}
	b := New(w, Config{BatchSize: 500, FlushInterval: 5 * time.Millisecond})
	b.Start()
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	want := record(b, 0, 3)
	waitFor(t, "a timed flush", func() bool { return len(w.sizes()) > 0 })
	waitFor(t, "all three events", func() bool { return len(w.ids()) == 3 })
	if got := w.ids(); !slices.Equal(got, want) {
		t.Fatalf("written %v, want %v", got, want)
	}
	// A later event is flushed by a later tick too.
	b.Record(event(3))
	waitFor(t, "the fourth event", func() bool { return len(w.ids()) == 4 })
}

// TestFullBufferDropsAndCounts: past Capacity, Record drops (exactly the excess) and returns.
func TestFullBufferDropsAndCounts(t *testing.T) {
	t.Parallel()
	w := &fakeWriter{}
	b := New(w, Config{Capacity: 4, BatchSize: 2}) // not started: nothing drains
	record(b, 0, 10)
	if s := b.Stats(); b.Dropped() != 6 || s.DroppedFull != 6 || s.Pending != 4 || s.DroppedFailed != 0 {
		t.Fatalf("stats %+v, dropped %d; want 6 dropped, 4 pending", s, b.Dropped())
	}
	closeNow(t, b) // starts it, writes the four
	if got := w.ids(); !slices.Equal(got, []string{"r0000", "r0001", "r0002", "r0003"}) {
		t.Fatalf("written %v", got)
	}
	b.Record(event(99)) // closed: dropped, counted, never written
	if b.Dropped() != 7 || len(w.ids()) != 4 {
		t.Fatalf("after close: dropped %d, written %v", b.Dropped(), w.ids())
	}
}

// TestRecordNeverBlocksOnAStuckWriter: with the writer stuck, Record keeps returning; every
// event is accounted for once the writer recovers.
func TestRecordNeverBlocksOnAStuckWriter(t *testing.T) {
	t.Parallel()
	w := &fakeWriter{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	b := New(w, Config{Capacity: 2, BatchSize: 1, FlushInterval: time.Hour})
	b.Start()
	b.Record(event(0))
	<-w.entered // the flusher holds event 0 in a write that cannot finish
	record(b, 1, 100)
	if d := b.Dropped(); d != 98 { // event 0 in flight and 1 waiting fill Capacity: 98 dropped
		t.Fatalf("dropped %d, want 98", d)
	}
	close(w.gate)
	closeNow(t, b)
	if s := b.Stats(); s.Written != 2 || s.Written+int64(b.Dropped()) != 100 {
		t.Fatalf("stats %+v: written + dropped must be 100", s)
	}
}

// TestCloseFlushesEverything: Close writes every buffered event in BatchSize batches.
func TestCloseFlushesEverything(t *testing.T) {
	t.Parallel()
	w := &fakeWriter{}
	b := New(w, Config{BatchSize: 500, FlushInterval: time.Hour})
	record(b, 0, 1200) // not started yet: all buffered
	b.Start()
	closeNow(t, b)
	if got := w.sizes(); !slices.Equal(got, []int{500, 500, 200}) {
		t.Fatalf("batches %v", got)
	}
	if s := b.Stats(); s.Written != 1200 || s.Pending != 0 {
		t.Fatalf("stats %+v", s)
	}
	closeNow(t, b) // a second Close returns at once
}

// TestFailedWritesAreRetriedThenDropped: a batch is written again after a failure; after the
// last retry it is dropped and counted.
func TestFailedWritesAreRetriedThenDropped(t *testing.T) {
	t.Parallel()
	flaky := &fakeWriter{failFirst: 3}
	b := New(flaky, Config{BatchSize: 10, RetryBackoff: time.Microsecond})
	record(b, 0, 4)
	closeNow(t, b)
	if s := b.Stats(); s.Written != 4 || s.FailedWrites != 3 || b.Dropped() != 0 {
		t.Fatalf("three failures then success: stats %+v", s)
	}

	down := &fakeWriter{failAll: true}
	b = New(down, Config{BatchSize: 10, RetryBackoff: time.Microsecond})
	record(b, 0, 4)
	closeNow(t, b)
	if s := b.Stats(); s.Written != 0 || s.FailedWrites != 1+DefaultRetries || s.DroppedFailed != 4 || b.Dropped() != 4 {
		t.Fatalf("always failing: stats %+v", s)
	}

	once := &fakeWriter{failAll: true}
	b = New(once, Config{BatchSize: 10, Retries: -1})
	record(b, 0, 4)
	closeNow(t, b)
	if s := b.Stats(); s.FailedWrites != 1 || s.DroppedFailed != 4 {
		t.Fatalf("no retries: stats %+v", s)
	}
}

// TestCloseGivesUpWhenItsContextEnds: a write that outlasts Close's context is abandoned and its
// events are dropped and counted; Close reports the context's error.
func TestCloseGivesUpWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	w := &fakeWriter{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	b := New(w, Config{BatchSize: 10, FlushInterval: time.Hour})
	record(b, 0, 25)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-w.entered
		cancel()
	}()
	if err := b.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("close: %v, want context.Canceled", err)
	}
	<-b.done // the flusher has finished dropping
	if s := b.Stats(); s.Written != 0 || s.DroppedFailed != 25 || b.Dropped() != 25 {
		t.Fatalf("stats %+v: the 25 events must be dropped and counted", s)
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c := Config{}.withDefaults()
	if c.Capacity != 10_000 || c.BatchSize != 500 || c.FlushInterval != time.Second || c.Retries != 3 ||
		c.RetryBackoff != 250*time.Millisecond || c.WriteTimeout != 10*time.Second || c.Log == nil {
		t.Fatalf("defaults %+v", c)
	}
	c = Config{Capacity: 7, BatchSize: 3, FlushInterval: time.Minute, Retries: 5, RetryBackoff: time.Second, WriteTimeout: time.Minute}.withDefaults()
	if c.Capacity != 7 || c.BatchSize != 3 || c.FlushInterval != time.Minute || c.Retries != 5 ||
		c.RetryBackoff != time.Second || c.WriteTimeout != time.Minute {
		t.Fatalf("explicit values changed: %+v", c)
	}
}

// TestRingWrapsInOrder: events are written in the order recorded across the ring's end, and
// events in flight count against Capacity.
func TestRingWrapsInOrder(t *testing.T) {
	t.Parallel()
	w := &fakeWriter{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	b := New(w, Config{Capacity: 5, BatchSize: 2, FlushInterval: time.Hour})
	b.Start()
	record(b, 0, 2)
	<-w.entered     // [r0 r1] in flight
	record(b, 2, 6) // r2–r4 fill Capacity with the two in flight; r5 is dropped
	if b.Dropped() != 1 {
		t.Fatalf("dropped %d, want 1", b.Dropped())
	}
	close(w.gate)
	waitFor(t, "two batches", func() bool { return len(w.ids()) == 4 }) // [r2 r3] followed; r4 waits
	record(b, 6, 9)                                                     // r6–r8 wrap around the ring's end
	closeNow(t, b)
	want := []string{"r0000", "r0001", "r0002", "r0003", "r0004", "r0006", "r0007", "r0008"}
	if got := w.ids(); !slices.Equal(got, want) {
		t.Fatalf("written %v, want %v", got, want)
	}
}
