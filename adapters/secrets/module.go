package secrets

import (
	"context"
	"errors"
	"time"

	"go.uber.org/fx"

	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/secret"
)

// LookupFunc reads one environment variable. Bootstrap supplies os.LookupEnv (adapters never read
// the process environment themselves); only the "env" source needs it.
type LookupFunc func(name string) (value string, ok bool)

// Module provides secret.Provider — the env or the AWS provider, chosen by Config.Source — and a
// non-critical observe.HealthChecker named "secrets" in the value group "health". It needs a
// Config and, for the env source, a LookupFunc.
var Module = fx.Module("secrets",
	fx.Provide(
		fx.Annotate(newBackend, fx.As(fx.Self()), fx.As(new(secret.Provider))),
		fx.Annotate(newBackendHealthCheck, fx.As(new(observe.HealthChecker)), fx.ResultTags(`group:"health"`)),
	),
)

// backend is the provider chosen at start-up. It is unexported, so only this module can ask the
// graph for it.
type backend interface {
	secret.Provider
	FetchReporter
}

var (
	_ backend = (*AWSProvider)(nil)
	_ backend = (*EnvProvider)(nil)
)

type moduleParams struct {
	fx.In

	Config Config
	Lookup LookupFunc `optional:"true"`
}

// newBackend validates the config and builds the provider it selects.
func newBackend(p moduleParams) (backend, error) {
	if err := p.Config.Validate(); err != nil {
		return nil, err
	}
	cfg := p.Config.withDefaults()
	if cfg.Source == SourceAWS {
		// LoadDefaultConfig reads files and the environment only; credentials resolve lazily.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		prov, err := NewAWS(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return prov, nil
	}
	if p.Lookup == nil {
		return nil, errors.New("secrets: source env needs a secrets.LookupFunc (bootstrap supplies os.LookupEnv)")
	}
	return NewEnv(p.Lookup), nil
}

func newBackendHealthCheck(b backend) *HealthCheck { return NewHealthCheck(b) }
