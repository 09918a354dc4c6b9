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
// them in batches: when a batch reaches Config.BatchSize, and at least every FlushInterval.
// Record is safe for concurrent use and never blocks. Start runs the flusher; Close stops it
// after writing what is buffered.
type Buffer struct {
	cfg Config
	w   Writer
	ch  chan Event

	startOnce sync.Once
	stopOnce  sync.Once
	stop      chan struct{}
	done      chan struct{}
	ctx       context.Context // the flusher's; cancelled when Close gives up
	cancel    context.CancelFunc
	closed    atomic.Bool

	written, droppedFull, droppedFailed, failedWrites atomic.Int64
}

// New returns a stopped Buffer over w (cfg's zero fields take the defaults). Events recorded
// before Start wait in the buffer.
func New(w Writer, cfg Config) *Buffer {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Buffer{
		cfg: cfg, w: w, ch: make(chan Event, cfg.Capacity),
		stop: make(chan struct{}), done: make(chan struct{}), ctx: ctx, cancel: cancel,
	}
}

// Record queues e for writing, or drops and counts it when the buffer is full or closed. It never
// blocks and never fails: a request must not wait for its analytics.
//
// An event recorded while Close is draining may be neither written nor counted; the HTTP host
// closes the buffer only after its server has drained, when nothing records any more.
func (b *Buffer) Record(e Event) {
	if b.closed.Load() {
		b.droppedFull.Add(1)
		return
	}
	select {
	case b.ch <- e:
	default:
		b.droppedFull.Add(1)
	}
}

// Dropped is how many events were lost so far, for any reason: the buffer was full or closed,
// or their batch failed every write (Stats tells which). Monotonic: the metric of analytics
// drops (a Prometheus counter function).
func (b *Buffer) Dropped() uint64 { return uint64(b.droppedFull.Load() + b.droppedFailed.Load()) }

// Stats returns the counters.
func (b *Buffer) Stats() Stats {
	return Stats{
		Written: b.written.Load(), DroppedFull: b.droppedFull.Load(), DroppedFailed: b.droppedFailed.Load(),
		FailedWrites: b.failedWrites.Load(), Pending: len(b.ch),
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
		b.closed.Store(true)
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

// run is the flusher: it collects events into a batch and writes it when full, on each tick
// when not empty, and at stop with everything still buffered.
func (b *Buffer) run() {
	defer close(b.done)
	defer b.cancel()
	tick := time.NewTicker(b.cfg.FlushInterval)
	defer tick.Stop()
	batch := make([]Event, 0, b.cfg.BatchSize)
	for {
		select {
		case e := <-b.ch:
			batch = append(batch, e)
			if len(batch) >= b.cfg.BatchSize {
				batch = b.flush(batch)
			}
		case <-tick.C:
			if len(batch) > 0 {
				batch = b.flush(batch)
			}
		case <-b.stop:
			b.drain(batch)
			return
		}
	}
}

// drain writes batch and everything left in the buffer.
func (b *Buffer) drain(batch []Event) {
	for {
		select {
		case e := <-b.ch:
			batch = append(batch, e)
			if len(batch) >= b.cfg.BatchSize {
				batch = b.flush(batch)
			}
		default:
			if len(batch) > 0 {
				b.flush(batch)
			}
			return
		}
	}
}

// flush writes batch, retrying with a doubling backoff, and drops it (counted, logged) after the
// last failure or once the flusher's context ends. It returns batch emptied, for reuse.
func (b *Buffer) flush(batch []Event) []Event {
	wait := b.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		err := b.write(batch)
		if err == nil {
			b.written.Add(int64(len(batch)))
			return batch[:0]
		}
		b.failedWrites.Add(1)
		if attempt >= b.cfg.Retries || !b.sleep(wait) {
			b.droppedFailed.Add(int64(len(batch)))
			b.cfg.Log.Warn("analytics batch dropped", "events", len(batch), "attempts", attempt+1, "error", err.Error())
			return batch[:0]
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
