package httpclient

import (
	"errors"
	"fmt"
)

// ErrCircuitOpen is returned (wrapped, with the client's name) when the client's breaker refuses a
// call: open, or half-open with its probe already in flight. Nothing was sent. Callers map it to
// apperr.Unavailable; a failover chain moves on to the next provider.
var ErrCircuitOpen = errors.New("circuit breaker open")

// TransportError is a call that got no HTTP response after its retries: connection refused, DNS,
// timeout, reset. Its text carries the method and the redacted URL, never a credential.
type TransportError struct {
	Client   string
	Method   string
	URL      string // SafeURL of the request
	Attempts int
	Err      error // the underlying network error, without its URL
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: %s %s failed after %d attempt(s): %v", e.Client, e.Method, e.URL, e.Attempts, e.Err)
}

// Unwrap exposes the network error (net.Error, context.DeadlineExceeded, …).
func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the failure was a timeout.
func (e *TransportError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}
