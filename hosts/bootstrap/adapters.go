package bootstrap

import (
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/hosts/httpapi"
)

// AdapterConfigs hands each adapter and host its own configuration, so none of them depends on
// the whole Config. In fx it is a result object: the graph sees postgres.Config, secrets.Config,
// httpapi.Config and billing.Config as separate values. (The workflow engine's dbos.Config
// depends on the process role and the definitions: see Workflows. The Stripe client's config
// holds a secret: see Billing.)
type AdapterConfigs struct {
	fx.Out

	Postgres postgres.Config
	Secrets  secrets.Config
	HTTP     httpapi.Config
	Billing  billing.Config
}

// Adapters derives the adapter configurations from c.
func (c Config) Adapters() AdapterConfigs {
	return AdapterConfigs{
		Postgres: postgres.Config{
			URL:             c.DatabaseURL,
			MaxConns:        c.DatabaseMaxConns,
			ApplicationName: postgres.DefaultApplicationName,
		},
		Secrets: secrets.Config{
			Source:   c.SecretsSource,
			Env:      string(c.Env),
			Region:   c.AWSRegion,
			Endpoint: c.AWSSecretsEndpoint,
		},
		HTTP: httpapi.Config{
			Addr:               c.HTTPAddr,
			ShutdownTimeout:    c.ShutdownTimeout,
			CORSAllowedOrigins: c.CORSAllowedOrigins,
			Version:            c.Version,
			TrustedProxies:     c.TrustedProxies,
			ClientIPHeader:     c.ClientIPHeader,
			RateLimitsOff:      c.RateLimitsDisabled,
			MetricsAddr:        c.MetricsAddr,
		},
		Billing: c.Billing(),
	}
}
