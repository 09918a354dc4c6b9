package credit

import "github.com/oslira/oslira/core/apperr"

// Error codes of the credit feature.
const (
	CodeInsufficient     = "credits.insufficient"
	CodeUnknownAnalysis  = "credits.unknown-analysis-type"
	CodePackOutOfRange   = "credits.pack-out-of-range"
	CodeUnknownEntryKind = "credits.unknown-entry-kind"
)

// ErrInsufficient means the balance cannot pay for the debit; nothing was changed.
var ErrInsufficient = apperr.New(apperr.PaymentRequired, CodeInsufficient, "not enough credits")
