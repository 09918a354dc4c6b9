package observe

import (
	"context"
	"errors"
)

// HealthChecker reports whether one dependency works. Check must honour ctx's deadline, must not
// change state, and must return an error whose text is safe to show an operator (no secrets, no
// connection strings). Critical checkers make readiness fail; the others only degrade /health.
// A checker whose dependency is not configured in this deployment (a JWKS when only the HS256
// secret is used, a secret store when secrets come from the environment) returns
// ErrNotConfigured: /health reports it as "not_configured", which degrades nothing.
type HealthChecker interface {
	Name() string
	Critical() bool
	Check(ctx context.Context) error
}

// ErrNotConfigured is what Check returns when this deployment does not use the dependency.
var ErrNotConfigured = errors.New("not configured")
