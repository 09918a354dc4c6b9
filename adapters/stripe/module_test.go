package stripe_test

import (
	"testing"

	"go.uber.org/fx"

	"github.com/oslira/oslira/adapters/stripe"
	"github.com/oslira/oslira/core/billing"
)

func TestModuleProvidesPayments(t *testing.T) {
	t.Parallel()
	var p billing.Payments
	app := fx.New(fx.NopLogger, fx.Supply(stripe.Config{SecretKey: testKey}), stripe.Module, fx.Populate(&p))
	if err := app.Err(); err != nil || p == nil {
		t.Fatalf("app: %v, payments %v", err, p)
	}
}
