package credit_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

// TestServiceTransactionsAcceptsAPageOfOne: the smallest page size is valid and reaches the reader.
func TestServiceTransactionsAcceptsAPageOfOne(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.reader.EXPECT().Entries(gomock.Any(), user, credit.EntryFilter{Limit: 1}).Return(credit.EntryPage{NextCursor: "n"}, nil)
	if page, err := b.svc.Transactions(context.Background(), user, "", "", 1); err != nil || page.NextCursor != "n" {
		t.Fatalf("Transactions(limit 1) = %+v, %v", page, err)
	}
}

// TestServiceAdminGrantLimitsAreInclusive: a grant of exactly MaxAdminGrant credits, with a reason
// of exactly MaxReasonLength characters (multi-byte: the limit counts characters) and a key of
// exactly MaxIdempotencyKey bytes, is written; one more of any of them is refused naming that field.
func TestServiceAdminGrantLimitsAreInclusive(t *testing.T) {
	t.Parallel()
	reason := strings.Repeat("é", credit.MaxReasonLength)
	key := strings.Repeat("k", credit.MaxIdempotencyKey)

	b := setup(t)
	b.ledger.EXPECT().Apply(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, req credit.EntryRequest) (credit.Result, error) {
		if req.Amount.Int64() != credit.MaxAdminGrant || req.Description != reason || req.Reference != "admin:"+key {
			t.Errorf("entry = %d credits, %d-byte description, reference %.20q…", req.Amount.Int64(), len(req.Description), req.Reference)
		}
		return credit.Result{Applied: true}, nil
	})
	if res, err := b.svc.AdminGrant(context.Background(), operator, accountID, credit.MaxAdminGrant, reason, key); err != nil || !res.Applied {
		t.Fatalf("AdminGrant at every limit = %+v, %v", res, err)
	}

	for field, call := range map[string]func(*credit.Service) error{
		"credits": func(s *credit.Service) error {
			_, err := s.AdminGrant(context.Background(), operator, accountID, credit.MaxAdminGrant+1, reason, key)
			return err
		},
		"reason": func(s *credit.Service) error {
			_, err := s.AdminGrant(context.Background(), operator, accountID, credit.MaxAdminGrant, reason+"é", key)
			return err
		},
		"Idempotency-Key": func(s *credit.Service) error {
			_, err := s.AdminGrant(context.Background(), operator, accountID, credit.MaxAdminGrant, reason, key+"k")
			return err
		},
	} {
		err := call(setup(t).svc) // no expectations: the ledger must not be called
		e, ok := apperr.As(err)
		if !ok || e.Code != credit.CodeInvalidGrant || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("one over the %s limit: %+v, want %s naming only %s", field, err, credit.CodeInvalidGrant, field)
		}
	}
}
