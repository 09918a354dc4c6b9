package observe

import "context"

// HealthChecker reports whether one dependency works. Check must honour ctx's deadline, must not
// change state, and must return an error whose text is safe to show an operator (no secrets, no
// connection strings). Critical checkers make readiness fail; the others only degrade /health.
type HealthChecker interface {
	Name() string
	Critical() bool
	Check(ctx context.Context) error
}
