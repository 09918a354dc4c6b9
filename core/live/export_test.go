package live

import "time"

// Test-only knobs (this file compiles only into the package's tests); set them before Run.

// SetPoll sets how often the hub re-reads the source without a notification.
func SetPoll(h *Hub, d time.Duration) { h.poll = d }

// SetBatch sets how many events one read of the source takes.
func SetBatch(h *Hub, n int) { h.batch = n }

// SetBuffer sets the buffer of the subscriptions made afterwards.
func SetBuffer(h *Hub, n int) { h.buffer = n }

// SetRetry sets the pause between attempts to read the starting position.
func SetRetry(h *Hub, d time.Duration) { h.retry = d }
