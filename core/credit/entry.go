package credit

import "github.com/oslira/oslira/core/apperr"

// EntryKind says why the balance changed. The set is closed and mirrored by a CHECK constraint in
// the ledger table; each kind has a fixed direction.
type EntryKind string

// Entry kinds. Grants add credits, debits take them.
const (
	SignupBonus       EntryKind = "signup_bonus"
	Purchase          EntryKind = "purchase"
	SubscriptionGrant EntryKind = "subscription_grant"
	AnalysisDebit     EntryKind = "analysis_debit"
	AnalysisRefund    EntryKind = "analysis_refund"
	AdminGrant        EntryKind = "admin_grant"
	Chargeback        EntryKind = "chargeback"
)

// EntryKinds lists every kind.
func EntryKinds() []EntryKind {
	return []EntryKind{SignupBonus, Purchase, SubscriptionGrant, AnalysisDebit, AnalysisRefund, AdminGrant, Chargeback}
}

// ParseEntryKind validates a kind received from outside (for example a list filter).
func ParseEntryKind(s string) (EntryKind, error) {
	for _, k := range EntryKinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", apperr.Validation(CodeUnknownEntryKind, "unknown ledger entry kind",
		apperr.FieldError{Field: "kind", Message: "must be one of signup_bonus, purchase, subscription_grant, analysis_debit, analysis_refund, admin_grant, chargeback"})
}

// IsDebit reports whether entries of this kind take credits away. A chargeback is a debit that
// floors at zero instead of failing; an analysis debit fails with ErrInsufficient.
func (k EntryKind) IsDebit() bool { return k == AnalysisDebit || k == Chargeback }

// FloorsAtZero reports whether a debit of this kind takes what is there instead of failing.
func (k EntryKind) FloorsAtZero() bool { return k == Chargeback }
