package logctx

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// LineBuffer batches log lines into few writes: a line goes into a 64 KiB buffer, written out
// when the buffer fills, every interval, on Flush (JSONHandler flushes after every WARN and above
// line) and on Close. One write(2) per request was most of what the access log cost: each is a
// system call in the server and a wake-up of whatever reads the pipe. The price is that INFO and
// DEBUG lines may reach stdout up to one interval late, and a process killed without Close
// (SIGKILL, a crash outside our recovery) loses at most one interval of them; WARN and above are
// never held back.
type LineBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// NewLineBuffer buffers writes to w and flushes every interval (a non-positive interval means
// 100 ms) until Close.
func NewLineBuffer(w io.Writer, interval time.Duration) *LineBuffer {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	b := &LineBuffer{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop(interval)
	return b
}

func (b *LineBuffer) loop(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Write buffers p (a whole line: JSONHandler writes each line with one call).
func (b *LineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is buffered.
func (b *LineBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the periodic flush and flushes. Lines written after Close are still buffered
// and written by the next Flush or Close.
func (b *LineBuffer) Close() error {
	b.once.Do(func() { close(b.stop); <-b.done })
	return b.Flush()
}
