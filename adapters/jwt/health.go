package jwt

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/MicahParks/jwkset"

	"github.com/oslira/oslira/core/observe"
)

// HealthName is the name under which the JWKS health check reports.
const HealthName = "jwks"

// HealthCheck reports whether the JWKS is loaded and its latest fetch succeeded. It does no I/O:
// it reads what the start-up, periodic and unknown-kid fetches recorded. A Verifier without a
// JWKS URL (HS256 only) reports observe.ErrNotConfigured.
type HealthCheck struct {
	v *Verifier
}

var _ observe.HealthChecker = (*HealthCheck)(nil)

// NewHealthCheck returns the check for v.
func NewHealthCheck(v *Verifier) *HealthCheck { return &HealthCheck{v: v} }

// Name returns HealthName.
func (h *HealthCheck) Name() string { return HealthName }

// Critical is false: with the JWKS down, HS256 tokens and tokens signed by cached keys still
// verify, and the rest of the API keeps serving; pulling the instance out of the load balancer
// would make things worse.
func (h *HealthCheck) Critical() bool { return false }

// Check reports the recorded state. Its text names the failure class, never a key or a URL.
func (h *HealthCheck) Check(context.Context) error {
	if h.v.keys == nil {
		return observe.ErrNotConfigured
	}
	st := h.v.keys.state.status()
	switch {
	case st.loadedAt.IsZero():
		return fmt.Errorf("key set not loaded: last fetch at %s failed (%s)", stamp(st.failedAt), fetchReason(st.lastErr))
	case st.lastErr != nil:
		return fmt.Errorf("last key set refresh at %s failed (%s); serving %d keys fetched at %s",
			stamp(st.failedAt), fetchReason(st.lastErr), st.keys, stamp(st.loadedAt))
	default:
		return nil
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fetchReason classifies a jwkset fetch error for an operator.
func fetchReason(err error) string {
	var netErr net.Error
	switch {
	case err == nil:
		return "no fetch recorded"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, jwkset.ErrInvalidHTTPStatusCode):
		return "unexpected HTTP status"
	case errors.As(err, &netErr):
		return "cannot reach the server"
	default:
		return "invalid key set"
	}
}
