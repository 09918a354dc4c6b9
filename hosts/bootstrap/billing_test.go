package bootstrap

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/oslira/oslira/adapters/secrets"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/secret"
)

// downStore is a secret store that cannot be reached.
type downStore struct{}

func (downStore) Get(context.Context, string) (string, error) {
	return "", apperr.New(apperr.Unavailable, secret.CodeUnavailable, "the secret store cannot be reached")
}

func TestStripeConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dev := loadFor(t, map[string]string{"STRIPE_API_URL": "http://127.0.0.1:12111"})

	cfg, ok, err := StripeConfig(ctx, dev, secrets.NewEnv(mapLookup(nil)))
	if err != nil || ok || cfg.SecretKey != "" {
		t.Errorf("development without a key: %+v, %v, %v", cfg, ok, err)
	}
	cfg, ok, err = StripeConfig(ctx, dev, secrets.NewEnv(mapLookup(map[string]string{StripeSecretKeyName: "sk_test_1"})))
	if err != nil || !ok || cfg.SecretKey != "sk_test_1" || cfg.APIURL != "http://127.0.0.1:12111" {
		t.Errorf("development with a key: %+v, %v, %v", cfg, ok, err)
	}

	prod := loadFor(t, prodEnv())
	_, _, err = StripeConfig(ctx, prod, secrets.NewEnv(mapLookup(nil)))
	var ce *ConfigError
	if !errors.As(err, &ce) || !slices.Equal(ce.Vars(), []string{StripeSecretKeyName, StripeWebhookSecretName}) {
		t.Errorf("production without secrets: %v", err)
	}
	_, _, err = StripeConfig(ctx, prod, secrets.NewEnv(mapLookup(map[string]string{StripeSecretKeyName: "sk_live_1"})))
	if !errors.As(err, &ce) || !slices.Equal(ce.Vars(), []string{StripeWebhookSecretName}) {
		t.Errorf("production without the webhook secret: %v", err)
	}
	both := map[string]string{StripeSecretKeyName: "sk_live_1", StripeWebhookSecretName: "whsec_1"}
	if cfg, ok, err := StripeConfig(ctx, prod, secrets.NewEnv(mapLookup(both))); err != nil || !ok || cfg.SecretKey != "sk_live_1" {
		t.Errorf("production: %+v, %v, %v", cfg, ok, err)
	}
	if _, _, err := StripeConfig(ctx, dev, downStore{}); apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("unreachable store: %v", err)
	}
}

func TestWebhookVerifier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now()
	body := []byte(`{"id":"evt_v1","object":"event","type":"customer.created","created":1,"data":{"object":{"id":"cus_1"}}}`)
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_boot", Timestamp: now}).Header

	verify := NewWebhookVerifier(secrets.NewEnv(mapLookup(map[string]string{StripeWebhookSecretName: "whsec_boot"})), func() time.Time { return now })
	ev, err := verify(ctx, body, sig)
	if err != nil || ev.ID != "evt_v1" || ev.Type != "customer.created" {
		t.Errorf("verified event = %+v, %v", ev, err)
	}
	if _, err := verify(ctx, body, "t=1,v1=00"); !errors.Is(err, billing.ErrWebhookSignature) {
		t.Errorf("bad signature: %v", err)
	}
	late := NewWebhookVerifier(secrets.NewEnv(mapLookup(map[string]string{StripeWebhookSecretName: "whsec_boot"})),
		func() time.Time { return now.Add(10 * time.Minute) })
	if _, err := late(ctx, body, sig); !errors.Is(err, billing.ErrWebhookSignature) {
		t.Errorf("signature outside the window: %v", err)
	}
	if _, err := NewWebhookVerifier(secrets.NewEnv(mapLookup(nil)), time.Now)(ctx, body, sig); !errors.Is(err, billing.ErrNotConfigured) {
		t.Errorf("no secret: %v", err)
	}
	if _, err := NewWebhookVerifier(downStore{}, time.Now)(ctx, body, sig); apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("unreachable store: %v", err)
	}
}
