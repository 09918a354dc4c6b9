package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/secret"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/hosts/httpapi"
)

// The Stripe secrets, read through the secret provider: AWS Secrets Manager
// (Oslira/<env>/<NAME>) in staging and production, environment variables of the same name in
// development.
const (
	StripeSecretKeyName     = "STRIPE_SECRET_KEY"     // the API key (sk_… or a restricted rk_…)
	StripeWebhookSecretName = "STRIPE_WEBHOOK_SECRET" // the endpoint's signing secret (whsec_…)
)

// stripeSecretTimeout bounds reading the Stripe secrets at start-up (AWS retries included).
const stripeSecretTimeout = 15 * time.Second

// Billing provides the httpapi.Billing of the HTTP host: the billing use cases over the Stripe
// client, the webhook intake over the postgres inbox and the workflow engine, and the webhook
// verifier. It needs Config, a secret.Provider, billing.Store and billing.EventInbox
// (postgres.Module), and a workflow.Engine (a dbos module).
//
// Without STRIPE_SECRET_KEY (development and test only) the checkout and portal routes answer
// 503 billing.not-configured; without STRIPE_WEBHOOK_SECRET the webhook does, so Stripe keeps the
// event and delivers it again once the secret is set. Nothing pretends to succeed. Staging and
// production refuse to start without both.
//
// It also adds the "stripe" health check (stripe_health.go) to the "health" group.
var Billing = fx.Module("billing", fx.Provide(
	provideBilling,
	fx.Annotate(newStripeHealth, fx.ResultTags(`group:"health"`)),
))

type billingParams struct {
	fx.In

	Config  Config
	Secrets secret.Provider
	Store   billing.Store
	Events  billing.EventInbox
	Engine  workflow.Engine
	Log     *slog.Logger
}

func provideBilling(p billingParams) (httpapi.Billing, error) {
	ctx, cancel := context.WithTimeout(context.Background(), stripeSecretTimeout)
	defer cancel()
	sc, ok, err := StripeConfig(ctx, p.Config, p.Secrets)
	if err != nil {
		return httpapi.Billing{}, err
	}
	var payments billing.Payments
	if ok {
		client, err := stripe.New(sc)
		if err != nil {
			return httpapi.Billing{}, err
		}
		payments = client
		p.Log.Info("stripe configured", "stripe", sc)
	} else {
		p.Log.Warn("stripe is not configured: checkout and portal answer 503 billing.not-configured",
			"secret", StripeSecretKeyName)
	}
	return httpapi.Billing{
		Service:       billing.NewService(p.Store, payments, p.Config.Billing()),
		Inbox:         billing.NewInbox(p.Events, p.Engine),
		VerifyWebhook: NewWebhookVerifier(p.Secrets, time.Now),
	}, nil
}

// StripeConfig returns the Stripe client's configuration (STRIPE_API_URL and the API key from
// the secret provider); ok is false when the key is not in the store. In staging and production
// both Stripe secrets must exist: a missing one is a *ConfigError naming it. A store that cannot
// be reached is an error in every environment.
func StripeConfig(ctx context.Context, c Config, secrets secret.Provider) (cfg stripe.Config, ok bool, err error) {
	key, err := optionalSecret(ctx, secrets, StripeSecretKeyName)
	if err != nil {
		return stripe.Config{}, false, err
	}
	if !c.Env.Local() {
		whsec, err := optionalSecret(ctx, secrets, StripeWebhookSecretName)
		if err != nil {
			return stripe.Config{}, false, err
		}
		var problems []Problem
		for _, sec := range []struct{ name, value string }{{StripeSecretKeyName, key}, {StripeWebhookSecretName, whsec}} {
			if sec.value == "" {
				problems = append(problems, Problem{Var: sec.name, Reason: "is not in the secret store (SECRETS_SOURCE=" +
					c.SecretsSource + "); billing needs it in " + string(c.Env)})
			}
		}
		if len(problems) > 0 {
			return stripe.Config{}, false, &ConfigError{Env: c.Env, Problems: problems}
		}
	}
	if key == "" {
		return stripe.Config{}, false, nil
	}
	return stripe.Config{SecretKey: key, APIURL: c.StripeAPIURL}, true, nil
}

// NewWebhookVerifier verifies deliveries with the endpoint secret STRIPE_WEBHOOK_SECRET, read
// from secrets at every delivery (the AWS provider caches it for 5 minutes, so a rolled secret
// is picked up without a restart), and the clock now for the 300-second window. A secret that
// does not exist is billing.ErrNotConfigured (503: Stripe will deliver again).
func NewWebhookVerifier(secrets secret.Provider, now func() time.Time) httpapi.WebhookVerifier {
	return func(ctx context.Context, payload []byte, signature string) (billing.Event, error) {
		whsec, err := optionalSecret(ctx, secrets, StripeWebhookSecretName)
		if err != nil {
			return billing.Event{}, err
		}
		if whsec == "" {
			return billing.Event{}, billing.ErrNotConfigured
		}
		ev, _, err := stripe.VerifyWebhook(payload, signature, whsec, now())
		return ev, err
	}
}

// optionalSecret returns the secret's value, "" when it does not exist, or the store's error.
func optionalSecret(ctx context.Context, secrets secret.Provider, name string) (string, error) {
	v, err := secrets.Get(ctx, name)
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, secret.ErrNotFound):
		return "", nil
	default:
		return "", fmt.Errorf("read secret %s: %w", name, err)
	}
}
