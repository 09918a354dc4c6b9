package credit

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// Error codes of the credit use cases.
const (
	CodeInvalidPageSize = "credits.invalid-page-size"
	CodeInvalidGrant    = "credits.invalid-grant"
)

// Limits on operator grants: a grant needs a reason for the audit trail, and a bound keeps a typo
// from minting a fortune.
const (
	MaxAdminGrant     = 100_000
	MaxReasonLength   = 500
	MaxIdempotencyKey = 200
)

// Service holds the credit use cases the hosts call.
type Service struct {
	ledger Ledger
	reader Reader
}

// NewService builds the service over its ports.
func NewService(ledger Ledger, reader Reader) *Service {
	return &Service{ledger: ledger, reader: reader}
}

// Balance returns the principal's balance.
func (s *Service) Balance(ctx context.Context, p tenant.Principal) (Balance, error) {
	return s.reader.Balance(ctx, p)
}

// Transactions lists the principal's ledger entries. kind "" means all kinds; limit 0 means the
// default page size.
func (s *Service) Transactions(ctx context.Context, p tenant.Principal, kind, cursor string, limit int) (EntryPage, error) {
	f := EntryFilter{Cursor: cursor, Limit: limit}
	if f.Limit == 0 {
		f.Limit = DefaultPageSize
	}
	if f.Limit < 1 || f.Limit > MaxPageSize {
		return EntryPage{}, apperr.Validation(CodeInvalidPageSize, "page size out of range",
			apperr.FieldError{Field: "limit", Message: "must be between 1 and " + strconv.Itoa(MaxPageSize)})
	}
	if kind != "" {
		k, err := ParseEntryKind(kind)
		if err != nil {
			return EntryPage{}, err
		}
		f.Kind = &k
	}
	return s.reader.Entries(ctx, p, f)
}

// Quote prices a credit pack; it needs no caller and touches no storage.
func (s *Service) Quote(credits int64) (Quote, error) { return PriceCredits(credits) }

// AdminGrant lets an operator add credits to any account. The Idempotency-Key becomes the ledger
// reference, so a retried request grants once.
func (s *Service) AdminGrant(ctx context.Context, op tenant.Principal, accountID string, credits int64, reason, idempotencyKey string) (Result, error) {
	if !op.IsOperator() {
		return Result{}, identity.ErrOperatorOnly
	}
	var fields []apperr.FieldError
	id, ok := tenant.ParseUUID(accountID)
	if !ok {
		fields = append(fields, apperr.FieldError{Field: "account_id", Message: "must be a UUID"})
	}
	if credits < 1 || credits > MaxAdminGrant {
		fields = append(fields, apperr.FieldError{Field: "credits", Message: "must be between 1 and " + strconv.Itoa(MaxAdminGrant)})
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReasonLength {
		fields = append(fields, apperr.FieldError{Field: "reason", Message: "is required, at most " + strconv.Itoa(MaxReasonLength) + " characters"})
	}
	idempotencyKey = strings.TrimSpace(idempotencyKey)
	if idempotencyKey == "" || len(idempotencyKey) > MaxIdempotencyKey {
		fields = append(fields, apperr.FieldError{Field: "Idempotency-Key", Message: "header is required, at most " + strconv.Itoa(MaxIdempotencyKey) + " bytes"})
	}
	if len(fields) > 0 {
		return Result{}, apperr.Validation(CodeInvalidGrant, "invalid credit grant", fields...)
	}
	return s.ledger.Apply(ctx, EntryRequest{
		AccountID:   id,
		Kind:        AdminGrant,
		Amount:      MustAmount(credits),
		Reference:   "admin:" + idempotencyKey,
		Description: reason,
		CreatedBy:   op.UserID,
	})
}
