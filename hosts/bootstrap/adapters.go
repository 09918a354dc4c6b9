package bootstrap

import (
	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/hosts/httpapi"
)

// AdapterConfigs hands each adapter and host its own configuration, so none of them depends on
// the whole Config. In fx it is a result object: the graph sees postgres.Config, secrets.Config
// and httpapi.Config as separate values.
type AdapterConfigs struct {
	fx.Out

	Postgres postgres.Config
	Secrets  secrets.Config
	HTTP     httpapi.Config
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
		},
	}
}
