package credit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/creditmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

const accountID = "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"

type testBundle struct {
	ledger *creditmock.MockLedger
	reader *creditmock.MockReader
	svc    *credit.Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctrl := gomock.NewController(t)
	b := &testBundle{ledger: creditmock.NewMockLedger(ctrl), reader: creditmock.NewMockReader(ctrl)}
	b.svc = credit.NewService(b.ledger, b.reader)
	return b
}

var (
	user     = tenant.Principal{UserID: "u1", AccountID: accountID, Roles: []tenant.Role{tenant.RoleUser}}
	operator = tenant.Principal{UserID: "op", AccountID: "a-op", Roles: []tenant.Role{tenant.RoleUser, tenant.RoleOperator}}
)

func TestServiceBalanceDelegatesWithPrincipal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	want := credit.Balance{AccountID: accountID, Available: credit.MustAmount(25)}
	b.reader.EXPECT().Balance(gomock.Any(), user).Return(want, nil)
	got, err := b.svc.Balance(context.Background(), user)
	if err != nil || got != want {
		t.Fatalf("Balance = %+v, %v", got, err)
	}
}

func TestServiceTransactions(t *testing.T) {
	t.Parallel()
	t.Run("defaults the page size and passes the cursor", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.reader.EXPECT().Entries(gomock.Any(), user, credit.EntryFilter{Cursor: "c1", Limit: credit.DefaultPageSize}).
			Return(credit.EntryPage{NextCursor: "c2"}, nil)
		page, err := b.svc.Transactions(context.Background(), user, "", "c1", 0)
		if err != nil || page.NextCursor != "c2" {
			t.Fatalf("Transactions = %+v, %v", page, err)
		}
	})
	t.Run("parses the kind filter", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.reader.EXPECT().Entries(gomock.Any(), user, gomock.Any()).DoAndReturn(
			func(_ context.Context, _ tenant.Principal, f credit.EntryFilter) (credit.EntryPage, error) {
				if f.Kind == nil || *f.Kind != credit.SignupBonus || f.Limit != 100 {
					t.Errorf("filter = %+v", f)
				}
				return credit.EntryPage{}, nil
			})
		if _, err := b.svc.Transactions(context.Background(), user, "signup_bonus", "", 100); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name, kind string
		limit      int
		code       string
	}{
		{"limit too large", "", 101, credit.CodeInvalidPageSize},
		{"negative limit", "", -1, credit.CodeInvalidPageSize},
		{"unknown kind", "bonus", 10, credit.CodeUnknownEntryKind},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t) // no expectations: the reader must not be called
			_, err := b.svc.Transactions(context.Background(), user, tc.kind, "", tc.limit)
			if apperr.CodeOf(err) != tc.code || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

func TestServiceQuote(t *testing.T) {
	t.Parallel()
	q, err := setup(t).svc.Quote(500)
	if err != nil || q.TotalCents != 43650 {
		t.Fatalf("Quote(500) = %+v, %v", q, err)
	}
}

func TestServiceAdminGrant(t *testing.T) {
	t.Parallel()
	t.Run("writes one admin_grant entry referenced by the idempotency key", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		want := credit.EntryRequest{
			AccountID: accountID, Kind: credit.AdminGrant, Amount: credit.MustAmount(50),
			Reference: "admin:key-1", Description: "goodwill", CreatedBy: "op",
		}
		b.ledger.EXPECT().Apply(gomock.Any(), want).Return(credit.Result{Applied: true}, nil)
		res, err := b.svc.AdminGrant(context.Background(), operator, strings.ToUpper(accountID), 50, "  goodwill ", " key-1 ")
		if err != nil || !res.Applied {
			t.Fatalf("AdminGrant = %+v, %v", res, err)
		}
	})
	t.Run("refuses a non-operator before touching the ledger", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.svc.AdminGrant(context.Background(), user, accountID, 50, "r", "k")
		if !errors.Is(err, identity.ErrOperatorOnly) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("lists every invalid field at once", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.svc.AdminGrant(context.Background(), operator, "nope", 0, " ", strings.Repeat("k", 201))
		e, ok := apperr.As(err)
		if !ok || e.Code != credit.CodeInvalidGrant || len(e.Fields) != 4 {
			t.Fatalf("err = %+v", err)
		}
	})
	t.Run("passes ledger failures through", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.ledger.EXPECT().Apply(gomock.Any(), gomock.Any()).Return(credit.Result{}, apperr.New(apperr.NotFound, apperr.CodeNotFound, "no"))
		_, err := b.svc.AdminGrant(context.Background(), operator, accountID, 1, "r", "k")
		if apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("err = %v", err)
		}
	})
}
