package live

import (
	"context"
	"time"

	"github.com/oslira/oslira/core/analyze"
)

// Event is one stored progress event of an analysis.
type Event struct {
	// ID is the event's position: global, increasing with every event written.
	ID         int64
	AccountID  string
	AnalysisID string
	// BatchID is the analysis's batch, "" for a single analysis.
	BatchID   string
	Type      analyze.EventType
	Step      string
	StepIndex int
	StepTotal int
	Percent   int
	Message   string
	CreatedAt time.Time
}

// Terminal reports whether the event ends its analysis's stream (complete or failed).
func (e Event) Terminal() bool {
	return e.Type == analyze.EventComplete || e.Type == analyze.EventFailed
}

// Source reads stored events for the hub (the system's view: every account). adapters/postgres.
type Source interface {
	// After returns up to limit events with ID > after, in ID order.
	After(ctx context.Context, after int64, limit int) ([]Event, error)
	// Latest returns the highest ID stored (0 when there is none): where a new hub starts.
	Latest(ctx context.Context) (int64, error)
}

// Notifier wakes the hub when events may have been written. adapters/postgres: one LISTEN
// connection.
type Notifier interface {
	// Listen blocks until ctx ends, calling wake for every notification and once after every
	// (re)connection (events written while it was disconnected are then read). It reconnects
	// with backoff on its own; it returns only ctx's error.
	Listen(ctx context.Context, wake func()) error
}
