package httpclient

import "time"

// Metrics receives a client's events. Implementations must be cheap and safe for concurrent use;
// they are called on the request path. Embed NopMetrics to implement only some methods.
type Metrics interface {
	// Call is reported once per call, after its last attempt.
	Call(CallEvent)
	// Retry is reported before each wait between attempts.
	Retry(RetryEvent)
	// BreakerChange is reported when the client's breaker changes state.
	BreakerChange(BreakerEvent)
}

// CallEvent describes one finished call. Status is 0 when no response arrived; Err is the
// transport error or ErrCircuitOpen (never one carrying a secret).
type CallEvent struct {
	Client   string
	Method   string
	Host     string
	Status   int
	Attempts int
	Duration time.Duration
	Err      error
}

// RetryEvent describes a retry about to happen: after attempt Attempt (1-based) ended with Status
// (0 for a transport error), the client waits Wait.
type RetryEvent struct {
	Client  string
	Method  string
	Host    string
	Attempt int
	Status  int
	Wait    time.Duration
}

// BreakerEvent is a breaker state change at At.
type BreakerEvent struct {
	Client string
	From   BreakerState
	To     BreakerState
	At     time.Time
}

// NopMetrics discards every event.
type NopMetrics struct{}

// Call implements Metrics.
func (NopMetrics) Call(CallEvent) {}

// Retry implements Metrics.
func (NopMetrics) Retry(RetryEvent) {}

// BreakerChange implements Metrics.
func (NopMetrics) BreakerChange(BreakerEvent) {}
