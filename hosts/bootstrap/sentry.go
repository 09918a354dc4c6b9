package bootstrap

import (
	"context"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/apify"
	"github.com/oslira/oslira/adapters/sentry"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/secret"
	"github.com/oslira/oslira/hosts/httpapi"
)

// SentryDSNName is the secret holding the Sentry DSN; without it error reporting is off.
const SentryDSNName = "SENTRY_DSN"

// sentrySecretTimeout bounds reading the DSN and the values to redact at start-up.
const sentrySecretTimeout = 15 * time.Second

// sentryFlushTimeout bounds how long a stopping process waits for queued events.
const sentryFlushTimeout = 2 * time.Second

// redactedSecrets are the secrets whose values Sentry events must never contain: the reporter
// reads them (those that exist) and replaces them wherever they appear in an event's text.
var redactedSecrets = []string{JWTSecretName, StripeSecretKeyName, StripeWebhookSecretName, CursorKeyName,
	OpenAIKeyName, AnthropicKeyName, AIGatewayTokenName, apify.TokenSecret, SentryDSNName}

// Sentry provides the observe.Reporter (adapters/sentry over SENTRY_DSN, with APP_ENV as the
// environment and the build version as the release; a no-op without the secret) and, in the
// http.middleware group, the inner middleware that reports panics (sentrygin, re-panicking to
// the host's recovery) and CRITICAL request errors (httpapi.ErrorReporting). Queued events are
// flushed when the application stops. It needs Config, a secret.Provider and a *slog.Logger.
var Sentry = fx.Module("sentry", fx.Provide(
	provideSentry,
	func(r *sentry.Reporter) observe.Reporter {
		if !r.Enabled() {
			return observe.NopReporter{}
		}
		return r
	},
	fx.Annotate(sentryMiddleware, fx.ResultTags(`group:"http.middleware,flatten"`)),
))

type sentryParams struct {
	fx.In

	LC      fx.Lifecycle
	Config  Config
	Secrets secret.Provider
	Log     *slog.Logger
}

func provideSentry(p sentryParams) (*sentry.Reporter, error) {
	ctx, cancel := context.WithTimeout(context.Background(), sentrySecretTimeout)
	defer cancel()
	cfg, err := SentryConfig(ctx, p.Config, p.Secrets)
	if err != nil {
		return nil, err
	}
	r, err := sentry.New(cfg)
	if err != nil {
		return nil, err
	}
	if r.Enabled() {
		p.Log.Info("error reporting configured", "sentry", cfg)
		p.LC.Append(fx.StopHook(func() { r.Flush(sentryFlushTimeout) }))
	} else {
		p.Log.Info("error reporting is off: no " + SentryDSNName + " secret")
	}
	return r, nil
}

// SentryConfig reads SENTRY_DSN (absent: reporting off) and the values of redactedSecrets that
// exist, through secrets.
func SentryConfig(ctx context.Context, c Config, secrets secret.Provider) (sentry.Config, error) {
	dsn, err := optionalSecret(ctx, secrets, SentryDSNName)
	if err != nil || dsn == "" {
		return sentry.Config{}, err
	}
	cfg := sentry.Config{DSN: dsn, Environment: string(c.Env), Release: c.Version}
	for _, name := range redactedSecrets {
		if v, err := optionalSecret(ctx, secrets, name); err == nil && v != "" {
			cfg.Secrets = append(cfg.Secrets, v)
		}
	}
	return cfg, nil
}

// sentryMiddleware is the panic reporter and ErrorReporting, first among the inner middleware;
// none when reporting is off.
func sentryMiddleware(r *sentry.Reporter) []httpapi.Middleware {
	if !r.Enabled() {
		return nil
	}
	return []httpapi.Middleware{
		{Name: "sentry", Handler: r.Middleware(), Inner: true, Order: httpapi.ReportingOrder},
		httpapi.ErrorReporting(r),
	}
}
