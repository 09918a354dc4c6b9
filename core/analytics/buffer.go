package analytics

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Writer stores a batch of events (the postgres adapter: one COPY into public.analytics_events).
// It must not keep the slice after returning: the Buffer reuses it. An error means nothing of the
// batch was stored (the Buffer writes it again), so a Writer must be all-or-nothing.
type Writer interface {
	Write(ctx context.Context, events []Event) error
}

// Defaults of Config.
const (
	DefaultCapacity      = 10_000
	DefaultBatchSize     = 500
	DefaultFlushInterval = time.Second
	DefaultRetries       = 3
	DefaultRetryBackoff  = 250 * time.Millisecond
	DefaultWriteTimeout  = 10 * time.Second
)

// Config sizes a Buffer; zero fields take the defaults.
type Config struct {
	// Capacity is how many events wait in memory at most; past it Record drops. Default 10,000
	// (about 2 MiB).
	Capacity int
	// BatchSize: a batch is written as soon as it holds this many events. Default 500.
	BatchSize int
	// FlushInterval: a non-empty batch is written at least this often. Default 1 s.
	FlushInterval time.Duration
	// Retries is how many times a failed batch is written again before it is dropped. Default 3;
	// negative: none.
	Retries int
	// RetryBackoff is the wait before the first retry, doubled before each next one. Default 250 ms.
	RetryBackoff time.Duration
	// WriteTimeout bounds one Write call. Default 10 s.
	WriteTimeout time.Duration
	// Log receives a warning for each dropped batch; nil discards.
	Log *slog.Logger
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Capacity <= 0 {
		c.Capacity = DefaultCapacity
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	switch {
	case c.Retries == 0:
		c.Retries = DefaultRetries
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Stats are the Buffer's counters since it was made.
type Stats struct {
	// Written is how many events the Writer stored.
	Written int64
	// DroppedFull counts events Record dropped because the buffer was full (or closed).
	DroppedFull int64
	// DroppedFailed counts events of batches dropped after their last failed write.
	DroppedFailed int64
	// FailedWrites counts Write calls that returned an error (retries included).
	FailedWrites int64
	// Pending is how many events wait in the buffer now.
	Pending int
}

// Buffer is a bounded in-memory queue of events drained by one flusher goroutine that writes
// them in batches: as soon as a batch of Config.BatchSize is waiting, and everything waiting at
// least every FlushInterval. Record is safe for concurrent use and never blocks: it appends to a
// ring under a mutex held for a copy, and wakes the flusher only once per full batch (waking it
// per event would cost a goroutine switch per request). Start runs the flusher; Close stops it
// after writing what is buffered.
type Buffer struct {
	cfg Config
	w   Writer

	mu       sync.Mutex
	ring     []Event // Capacity slots; count events from head
	head     int
	count    int
	inflight int // events taken by the flusher, not yet written or dropped: they count against Capacity
	closed   bool

	wake      chan struct{} // a full batch waits
	startOnce sync.Once
	stopOnce  sync.Once
	stop      chan struct{}
	done      chan struct{}
	ctx       context.Context // the flusher's; cancelled when Close gives up
	cancel    context.CancelFunc
	batch     []Event // the flusher's

	written, droppedFull, droppedFailed, failedWrites atomic.Int64
}

// New returns a stopped Buffer over w (cfg's zero fields take the defaults). Events recorded
// before Start wait in the buffer.
func New(w Writer, cfg Config) *Buffer {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Buffer{
		cfg: cfg, w: w, ring: make([]Event, cfg.Capacity), batch: make([]Event, 0, cfg.BatchSize),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), ctx: ctx, cancel: cancel,
	}
}

// Record queues e for writing, or drops and counts it when the buffer is full (Capacity events
// waiting or being written) or closed. It never blocks on the writer and never fails: a request
// must not wait for its analytics.
func (b *Buffer) Record(e Event) {
	b.mu.Lock()
	if b.closed || b.count+b.inflight >= b.cfg.Capacity {
		b.mu.Unlock()
		b.droppedFull.Add(1)
		return
	}
	i := b.head + b.count
	if i >= len(b.ring) {
		i -= len(b.ring)
	}
	b.ring[i] = e
	b.count++
	full := b.count == b.cfg.BatchSize
	b.mu.Unlock()
	if full {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
}

// Dropped is how many events were lost so far, for any reason: the buffer was full or closed,
// or their batch failed every write (Stats tells which). Monotonic: the metric of analytics
// drops (a Prometheus counter function).
func (b *Buffer) Dropped() uint64 { return uint64(b.droppedFull.Load() + b.droppedFailed.Load()) }

// Stats returns the counters.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	pending := b.count
	b.mu.Unlock()
	return Stats{
		Written: b.written.Load(), DroppedFull: b.droppedFull.Load(), DroppedFailed: b.droppedFailed.Load(),
		FailedWrites: b.failedWrites.Load(), Pending: pending,
	}
}

// Start runs the flusher goroutine; calls after the first do nothing.
func (b *Buffer) Start() {
	b.startOnce.Do(func() { go b.run() })
}

// Close stops recording (later events are dropped and counted), writes every buffered event in
// batches and stops the flusher. It returns nil once everything was written or dropped after its
// retries, or ctx's error when ctx ends first: the write in progress is then abandoned and what
// is left is dropped. Close starts a Buffer that was never started, so its events are written
// too. Calls after the first wait for the same end.
func (b *Buffer) Close(ctx context.Context) error {
	b.Start()
	b.stopOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		close(b.stop)
	})
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		b.cancel()
		return ctx.Err()
	}
}

// run is the flusher: full batches when woken, everything on each tick and at stop.
func (b *Buffer) run() {
	defer close(b.done)
	defer b.cancel()
	tick := time.NewTicker(b.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-b.wake:
			b.flushWaiting(false)
		case <-tick.C:
			b.flushWaiting(true)
		case <-b.stop:
			b.flushWaiting(true)
			return
		}
	}
}

// flushWaiting writes the waiting events batch by batch: only full batches unless all.
func (b *Buffer) flushWaiting(all bool) {
	for b.take(all) {
		b.flush(b.batch)
		b.mu.Lock()
		b.inflight = 0
		b.mu.Unlock()
	}
}

// take moves the next batch from the ring into b.batch (counted in flight) and reports whether
// there was one: BatchSize events, or fewer when all and fewer wait.
func (b *Buffer) take(all bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(b.count, b.cfg.BatchSize)
	if n == 0 || (!all && n < b.cfg.BatchSize) {
		return false
	}
	end := b.head + n
	if end <= len(b.ring) {
		b.batch = append(b.batch[:0], b.ring[b.head:end]...)
	} else {
		b.batch = append(append(b.batch[:0], b.ring[b.head:]...), b.ring[:end-len(b.ring)]...)
	}
	clear(b.ring[b.head:min(end, len(b.ring))]) // release the events' strings
	if end > len(b.ring) {
		clear(b.ring[:end-len(b.ring)])
	}
	b.head = end % len(b.ring)
	b.count -= n
	b.inflight = n
	return true
}

// flush writes batch, retrying with a doubling backoff, and drops it (counted, logged) after the
// last failure or once the flusher's context ends.
func (b *Buffer) flush(batch []Event) {
	wait := b.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		err := b.write(batch)
		if err == nil {
			b.written.Add(int64(len(batch)))
			return
		}
		b.failedWrites.Add(1)
		if attempt >= b.cfg.Retries || !b.sleep(wait) {
			b.droppedFailed.Add(int64(len(batch)))
			b.cfg.Log.Warn("analytics batch dropped", "events", len(batch), "attempts", attempt+1, "error", err.Error())
			return
		}
		wait *= 2
	}
}

// write is one Write call bounded by WriteTimeout.
func (b *Buffer) write(batch []Event) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(b.ctx, b.cfg.WriteTimeout)
	defer cancel()
	return b.w.Write(ctx, batch)
}

// sleep waits d, or reports false when the flusher's context ends first.
func (b *Buffer) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.ctx.Done():
		return false
	}
}
