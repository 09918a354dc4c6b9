package billing_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/billingmock"
	"github.com/oslira/oslira/core/account"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/tenant"
)

var (
	user = tenant.Principal{UserID: "u1", AccountID: accountID, Email: "buyer@example.com", Roles: []tenant.Role{tenant.RoleUser}}
	cfg  = billing.Config{SuccessURL: "https://app.test/ok?session={CHECKOUT_SESSION_ID}", CancelURL: "https://app.test/cancel", PortalReturnURL: "https://app.test/billing"}
)

type svcBundle struct {
	store    *billingmock.MockStore
	payments *billingmock.MockPayments
	svc      *billing.Service
}

func newSvc(t *testing.T) *svcBundle {
	t.Helper()
	ctrl := gomock.NewController(t)
	b := &svcBundle{store: billingmock.NewMockStore(ctrl), payments: billingmock.NewMockPayments(ctrl)}
	b.svc = billing.NewService(b.store, b.payments, cfg)
	return b
}

// newCustomer expects the account to have no customer yet: EnsureCustomer runs create, which
// must call Payments.CreateCustomer with an idempotency key derived from the account.
func (b *svcBundle) newCustomer() {
	b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).DoAndReturn(
		func(ctx context.Context, _ string, create func(context.Context) (string, error)) (string, error) {
			return create(ctx)
		})
	b.payments.EXPECT().CreateCustomer(gomock.Any(), billing.NewCustomer{
		AccountID: accountID, Email: "buyer@example.com", IdempotencyKey: "oslira-customer-" + accountID,
	}).Return("cus_new", nil)
}

func TestCheckoutCreditPack(t *testing.T) {
	t.Parallel()
	b := newSvc(t)
	b.newCustomer()
	b.payments.EXPECT().CreateCheckoutSession(gomock.Any(), billing.CheckoutParams{
		Mode: billing.ModePayment, AccountID: accountID, CustomerID: "cus_new", Credits: 500, AmountCents: 43650,
		SuccessURL: cfg.SuccessURL, CancelURL: cfg.CancelURL,
	}).Return(billing.CheckoutSession{ID: "cs_1", URL: "https://checkout.stripe.test/cs_1"}, nil)

	got, err := b.svc.Checkout(context.Background(), user, billing.CheckoutRequest{Credits: 500})
	want := billing.Checkout{SessionID: "cs_1", URL: "https://checkout.stripe.test/cs_1", Mode: billing.ModePayment, Credits: 500, AmountCents: 43650}
	if err != nil || got != want {
		t.Fatalf("Checkout = %+v, %v", got, err)
	}
}

func TestCheckoutSubscription(t *testing.T) {
	t.Parallel()
	t.Run("a paid plan after a canceled subscription", func(t *testing.T) {
		t.Parallel()
		b := newSvc(t)
		b.store.EXPECT().Plan(gomock.Any(), "growth").Return(growth, true, nil)
		b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(*stored("sub_0", billing.StatusCanceled, billing.FreePlan, t0), true, nil)
		b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).Return("cus_known", nil)
		b.payments.EXPECT().CreateCheckoutSession(gomock.Any(), billing.CheckoutParams{
			Mode: billing.ModeSubscription, AccountID: accountID, CustomerID: "cus_known", Plan: growth,
			SuccessURL: cfg.SuccessURL, CancelURL: cfg.CancelURL,
		}).Return(billing.CheckoutSession{ID: "cs_2", URL: "u"}, nil)
		got, err := b.svc.Checkout(context.Background(), user, billing.CheckoutRequest{Plan: " growth "})
		if err != nil || got.Plan != "growth" || got.AmountCents != 2900 || got.Mode != billing.ModeSubscription {
			t.Fatalf("Checkout = %+v, %v", got, err)
		}
	})
	t.Run("refused while a paid plan is entitled", func(t *testing.T) {
		t.Parallel()
		b := newSvc(t)
		b.store.EXPECT().Plan(gomock.Any(), "pro").Return(pro, true, nil)
		b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(*stored("sub_1", billing.StatusPastDue, "growth", t0), true, nil)
		_, err := b.svc.Checkout(context.Background(), user, billing.CheckoutRequest{Plan: "pro"})
		if !errors.Is(err, billing.ErrAlreadySubscribed) || apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("err = %v", err)
		}
	})
	for name, p := range map[string]billing.Plan{"free": free, "inactive": {Name: "legacy", PriceCents: 100}} {
		t.Run("refuses the "+name+" plan", func(t *testing.T) {
			t.Parallel()
			b := newSvc(t)
			b.store.EXPECT().Plan(gomock.Any(), p.Name).Return(p, true, nil)
			if _, err := b.svc.Checkout(context.Background(), user, billing.CheckoutRequest{Plan: p.Name}); apperr.CodeOf(err) != billing.CodeUnknownPlan {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestCheckoutValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		p    tenant.Principal
		req  billing.CheckoutRequest
		code string
	}{
		{"neither", user, billing.CheckoutRequest{}, billing.CodeInvalidCheckout},
		{"both", user, billing.CheckoutRequest{Plan: "pro", Credits: 100}, billing.CodeInvalidCheckout},
		{"pack too small", user, billing.CheckoutRequest{Credits: 9}, credit.CodePackOutOfRange},
		{"no account", tenant.Principal{UserID: "u"}, billing.CheckoutRequest{Credits: 100}, account.CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newSvc(t) // no expectations: nothing may be called
			if _, err := b.svc.Checkout(context.Background(), tc.p, tc.req); apperr.CodeOf(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

func TestCheckoutPassesProviderFailures(t *testing.T) {
	t.Parallel()
	b := newSvc(t)
	b.store.EXPECT().EnsureCustomer(gomock.Any(), accountID, gomock.Any()).Return("cus_1", nil)
	b.payments.EXPECT().CreateCheckoutSession(gomock.Any(), gomock.Any()).Return(billing.CheckoutSession{}, billing.ErrProviderRateLimited)
	_, err := b.svc.Checkout(context.Background(), user, billing.CheckoutRequest{Credits: 10})
	if !errors.Is(err, billing.ErrProviderRateLimited) {
		t.Fatalf("err = %v", err)
	}
}

func TestSubscription(t *testing.T) {
	t.Parallel()
	t.Run("free when the account never subscribed", func(t *testing.T) {
		t.Parallel()
		b := newSvc(t)
		b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(billing.Subscription{}, false, nil)
		b.store.EXPECT().Plan(gomock.Any(), billing.FreePlan).Return(free, true, nil)
		e, err := b.svc.Subscription(context.Background(), user)
		if err != nil || e.Plan != free || e.Subscription.Status != billing.StatusActive || e.Subscription.AccountID != accountID {
			t.Fatalf("Subscription = %+v, %v", e, err)
		}
	})
	t.Run("the subscribed plan while entitled", func(t *testing.T) {
		t.Parallel()
		b := newSvc(t)
		b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(*stored("sub_1", billing.StatusTrialing, "growth", t0), true, nil)
		b.store.EXPECT().Plan(gomock.Any(), "growth").Return(growth, true, nil)
		if e, err := b.svc.Subscription(context.Background(), user); err != nil || e.Plan.Name != "growth" || e.Subscription.StripeSubscriptionID != "sub_1" {
			t.Fatalf("Subscription = %+v, %v", e, err)
		}
	})
	t.Run("free while unpaid", func(t *testing.T) {
		t.Parallel()
		b := newSvc(t)
		b.store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(*stored("sub_1", billing.StatusUnpaid, "growth", t0), true, nil)
		b.store.EXPECT().Plan(gomock.Any(), billing.FreePlan).Return(free, true, nil)
		if e, err := b.svc.Subscription(context.Background(), user); err != nil || e.Plan.Name != billing.FreePlan || e.Subscription.Plan != "growth" {
			t.Fatalf("Subscription = %+v, %v", e, err)
		}
	})
}

func TestPortal(t *testing.T) {
	t.Parallel()
	b := newSvc(t)
	b.newCustomer()
	b.payments.EXPECT().CreatePortalSession(gomock.Any(), "cus_new", cfg.PortalReturnURL).Return("https://billing.stripe.test/p", nil)
	if url, err := b.svc.Portal(context.Background(), user); err != nil || url != "https://billing.stripe.test/p" {
		t.Fatalf("Portal = %q, %v", url, err)
	}
}

func TestPlansListsOfferedPlans(t *testing.T) {
	t.Parallel()
	b := newSvc(t)
	legacy := billing.Plan{Name: "legacy", PriceCents: 500}
	b.store.EXPECT().Plans(gomock.Any()).Return([]billing.Plan{free, growth, legacy, pro}, nil)
	got, err := b.svc.Plans(context.Background())
	if err != nil || len(got) != 3 || got[2].Name != "pro" {
		t.Fatalf("Plans = %+v, %v", got, err)
	}
}

func TestWithoutAPaymentProvider(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	store := billingmock.NewMockStore(ctrl)
	svc := billing.NewService(store, nil, cfg)
	if _, err := svc.Checkout(context.Background(), user, billing.CheckoutRequest{Credits: 100}); !errors.Is(err, billing.ErrNotConfigured) ||
		apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("Checkout: %v", err)
	}
	if _, err := svc.Portal(context.Background(), user); !errors.Is(err, billing.ErrNotConfigured) {
		t.Errorf("Portal: %v", err)
	}
	if svc.PaymentsConfigured() {
		t.Error("PaymentsConfigured with nil payments")
	}
	// Invalid input is reported before the missing provider, so it can be tried locally.
	for name, req := range map[string]billing.CheckoutRequest{
		"neither":        {},
		"both":           {Plan: "growth", Credits: 100},
		"pack too big":   {Credits: 10_001},
		"pack too small": {Credits: 9},
	} {
		if _, err := svc.Checkout(context.Background(), user, req); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("Checkout %s without a provider: %v, want Invalid", name, err)
		}
	}
	store.EXPECT().Plan(gomock.Any(), "nope").Return(billing.Plan{}, false, nil)
	if _, err := svc.Checkout(context.Background(), user, billing.CheckoutRequest{Plan: "nope"}); apperr.CodeOf(err) != billing.CodeUnknownPlan {
		t.Errorf("Checkout of an unknown plan without a provider: %v", err)
	}
	if _, err := svc.Portal(context.Background(), tenant.Principal{UserID: user.UserID}); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("Portal without an account, without a provider: %v", err)
	}
	// Reading what the account has needs no provider.
	store.EXPECT().CurrentSubscription(gomock.Any(), user).Return(billing.Subscription{}, false, nil)
	store.EXPECT().Plan(gomock.Any(), billing.FreePlan).Return(free, true, nil)
	if e, err := svc.Subscription(context.Background(), user); err != nil || e.Plan.Name != billing.FreePlan {
		t.Errorf("Subscription = %+v, %v", e, err)
	}
}
