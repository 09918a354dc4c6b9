package bootstrap

import (
	"errors"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/billingmock"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/hosts/httpapi"
)

func TestStripeHealth(t *testing.T) {
	t.Parallel()
	without := newStripeHealth(httpapi.Billing{Service: billing.NewService(nil, nil, billing.Config{})})
	if err := without.Check(t.Context()); !errors.Is(err, observe.ErrNotConfigured) || without.Name() != "stripe" || without.Critical() {
		t.Errorf("without keys: %s critical=%v: %v", without.Name(), without.Critical(), err)
	}
	payments := billingmock.NewMockPayments(gomock.NewController(t))
	with := newStripeHealth(httpapi.Billing{Service: billing.NewService(nil, payments, billing.Config{})})
	if err := with.Check(t.Context()); err != nil {
		t.Errorf("with keys: %v", err)
	}
}
