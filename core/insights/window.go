package insights

import (
	"strconv"
	"time"
)

// Window bounds: shorter than an hour says little about percentiles; longer than 400 days reaches
// past the analytics retention (and a year over year comparison is the longest question asked).
const (
	MinWindow = time.Hour
	MaxWindow = 400 * 24 * time.Hour
)

// Default windows of the answers when none is given (the examples): cost and cache over a
// billing month, latency and workflows over a week.
var (
	DefaultCostWindow     = Window{Span: 30 * 24 * time.Hour, Label: "30d"}
	DefaultLatencyWindow  = Window{Span: 7 * 24 * time.Hour, Label: "7d"}
	DefaultWorkflowWindow = Window{Span: 7 * 24 * time.Hour, Label: "7d"}
	DefaultAICacheWindow  = Window{Span: 30 * 24 * time.Hour, Label: "30d"}
)

// Window is a span of time ending at the moment an answer is computed. Label is how it was
// written ("7d"), echoed in answers.
type Window struct {
	Span  time.Duration
	Label string
}

// ParseWindow reads "<n>h" or "<n>d" (n a positive decimal integer, no sign, no spaces) between
// MinWindow and MaxWindow. An empty raw yields def. Anything else is ErrWindowInvalid.
func ParseWindow(raw string, def Window) (Window, error) {
	if raw == "" {
		return def, nil
	}
	if len(raw) < 2 || len(raw) > 8 {
		return Window{}, ErrWindowInvalid
	}
	unit := time.Hour
	switch raw[len(raw)-1] {
	case 'h':
	case 'd':
		unit = 24 * time.Hour
	default:
		return Window{}, ErrWindowInvalid
	}
	digits := raw[:len(raw)-1]
	for _, r := range digits {
		if r < '0' || r > '9' { // strconv would accept a sign
			return Window{}, ErrWindowInvalid
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return Window{}, ErrWindowInvalid
	}
	span := time.Duration(n) * unit
	if span < MinWindow || span > MaxWindow {
		return Window{}, ErrWindowInvalid
	}
	return Window{Span: span, Label: raw}, nil
}

// Range is the window ending at now: [From, To).
func (w Window) Range(now time.Time) Range {
	return Range{From: now.Add(-w.Span), To: now}
}

// Range is a half-open time interval [From, To), what the Store reads.
type Range struct {
	From, To time.Time
}
