package billing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/tenant"
)

// TestServiceStorageOutages: a storage outage reaches the caller as itself (Unavailable: the
// HTTP host answers 503), and nothing after the failed read happens — no Stripe customer, no
// checkout session (the mocks expect no further call).
func TestServiceStorageOutages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := map[string]func(b *svcBundle) error{
		"Plans": func(b *svcBundle) error {
			b.store.EXPECT().Plans(gomock.Any()).Return(nil, down)
			_, err := b.svc.Plans(ctx)
			return err
		},
		"Checkout reading the plan": func(b *svcBundle) error {
			b.store.EXPECT().Plan(gomock.Any(), "growth").Return(billing.Plan{}, false, down)
			_, err := b.svc.Checkout(ctx, user, billing.CheckoutRequest{Plan: "growth"})
			return err
		},
		"Checkout reading the current subscription": func(b *svcBundle) error {
			b.store.EXPECT().Plan(gomock.Any(), "growth").Return(growth, true, nil)
			b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(billing.Subscription{}, false, down)
			_, err := b.svc.Checkout(ctx, user, billing.CheckoutRequest{Plan: "growth"})
			return err
		},
		"Checkout storing the customer": func(b *svcBundle) error {
			b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).Return("", down)
			_, err := b.svc.Checkout(ctx, user, billing.CheckoutRequest{Credits: 100})
			return err
		},
		"Portal storing the customer": func(b *svcBundle) error {
			b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).Return("", down)
			_, err := b.svc.Portal(ctx, user)
			return err
		},
		"Subscription reading the subscription": func(b *svcBundle) error {
			b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(billing.Subscription{}, false, down)
			_, err := b.svc.Subscription(ctx, user)
			return err
		},
		"Subscription reading the plan": func(b *svcBundle) error {
			b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(*stored("sub_1", billing.StatusActive, "growth", t0), true, nil)
			b.store.EXPECT().Plan(gomock.Any(), "growth").Return(billing.Plan{}, false, down)
			_, err := b.svc.Subscription(ctx, user)
			return err
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := call(newSvc(t)); !errors.Is(err, down) || apperr.KindOf(err) != apperr.Unavailable {
				t.Fatalf("err = %v, want the outage", err)
			}
		})
	}
}

// TestProviderFailureCreatingTheCustomer: when Stripe cannot create the customer, checkout and
// portal fail with the provider's error and no session is asked for.
func TestProviderFailureCreatingTheCustomer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, call := range map[string]func(*billing.Service) error{
		"Checkout": func(s *billing.Service) error {
			_, err := s.Checkout(ctx, user, billing.CheckoutRequest{Credits: 100})
			return err
		},
		"Portal": func(s *billing.Service) error { _, err := s.Portal(ctx, user); return err },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newSvc(t) // no CreateCheckoutSession / CreatePortalSession expected
			b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).DoAndReturn(
				func(ctx context.Context, _ string, create func(context.Context) (string, error)) (string, error) {
					return create(ctx)
				})
			b.payments.EXPECT().CreateCustomer(gomock.Any(), gomock.Any()).Return("", billing.ErrProviderUnavailable)
			err := call(b.svc)
			if !errors.Is(err, billing.ErrProviderUnavailable) || !apperr.KindOf(err).Retryable() {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestCheckoutAfterAFreeRow: a row that is entitled but on the free plan (the account never
// paid) does not block buying a paid plan.
func TestCheckoutAfterAFreeRow(t *testing.T) {
	t.Parallel()
	b := newSvc(t)
	b.store.EXPECT().Plan(gomock.Any(), "growth").Return(growth, true, nil)
	b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(*stored("sub_0", billing.StatusActive, billing.FreePlan, t0), true, nil)
	b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).Return("cus_known", nil)
	b.payments.EXPECT().CreateCheckoutSession(gomock.Any(), gomock.Any()).Return(billing.CheckoutSession{ID: "cs_3", URL: "u"}, nil)
	if got, err := b.svc.Checkout(context.Background(), user, billing.CheckoutRequest{Plan: "growth"}); err != nil || got.SessionID != "cs_3" {
		t.Fatalf("Checkout = %+v, %v", got, err)
	}
}

// TestSubscriptionFailures: what an account has cannot be answered without an account, nor
// when the plan it is on is missing from storage (a configuration error: Internal, not retried
// by clients).
func TestSubscriptionFailures(t *testing.T) {
	t.Parallel()
	t.Run("no account", func(t *testing.T) {
		t.Parallel()
		b := newSvc(t) // nothing may be read
		if _, err := b.svc.Subscription(context.Background(), tenant.Principal{UserID: "u1"}); !errors.Is(err, account.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("the plan is missing from storage", func(t *testing.T) {
		t.Parallel()
		b := newSvc(t)
		b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(*stored("sub_1", billing.StatusActive, "legacy", t0), true, nil)
		b.store.EXPECT().Plan(gomock.Any(), "legacy").Return(billing.Plan{}, false, nil)
		_, err := b.svc.Subscription(context.Background(), user)
		if err == nil || apperr.KindOf(err) != apperr.Internal || !strings.Contains(err.Error(), `"legacy"`) {
			t.Fatalf("err = %v, want Internal naming the plan", err)
		}
	})
}

// TestPortalPassesProviderFailures: Stripe refusing the portal session reaches the caller as
// Stripe's error class (here: rate limited, retryable).
func TestPortalPassesProviderFailures(t *testing.T) {
	t.Parallel()
	b := newSvc(t)
	b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).Return("cus_1", nil)
	b.payments.EXPECT().CreatePortalSession(gomock.Any(), "cus_1", cfg.PortalReturnURL).Return("", billing.ErrProviderRateLimited)
	if url, err := b.svc.Portal(context.Background(), user); !errors.Is(err, billing.ErrProviderRateLimited) || url != "" {
		t.Fatalf("Portal = %q, %v", url, err)
	}
}
