package jwt

import (
	"context"

	"go.uber.org/fx"

	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/observe"
)

// Module provides *Verifier and, bound to it, identity.TokenVerifier (closed on stop), plus the
// non-critical "jwks" observe.HealthChecker in the value group "health" (always provided; it
// passes when no JWKS URL is configured). It needs a Config in the graph.
var Module = fx.Module("jwt",
	fx.Provide(
		fx.Annotate(newLifecycleVerifier, fx.As(fx.Self()), fx.As(new(identity.TokenVerifier))),
		fx.Annotate(NewHealthCheck, fx.As(new(observe.HealthChecker)), fx.ResultTags(`group:"health"`)),
	),
)

// newLifecycleVerifier builds the Verifier under a fresh context (New bounds its own start-up
// fetch by Config.FetchTimeout) and closes it on stop.
func newLifecycleVerifier(lc fx.Lifecycle, cfg Config) (*Verifier, error) {
	v, err := New(context.Background(), cfg, nil)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(v.Close))
	return v, nil
}
