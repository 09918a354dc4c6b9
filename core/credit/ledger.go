package credit

import "time"

// EntryRequest asks the ledger to record one change. Amount is always positive; the kind gives
// the direction. Reference makes the request idempotent (an analysis id, a Stripe event id, an
// Idempotency-Key); it must be non-empty.
type EntryRequest struct {
	AccountID   string
	Kind        EntryKind
	Amount      Amount
	Reference   string
	Description string
	CreatedBy   string // user id of the actor, empty for the system
}

// Entry is one row of the append-only ledger. Delta is signed: negative for debits.
type Entry struct {
	ID           string
	AccountID    string
	Kind         EntryKind
	Delta        int64
	BalanceAfter Amount
	Reference    string
	Description  string
	CreatedBy    string
	CreatedAt    time.Time
}

// Result is what Apply did: the entry (new, or the earlier one with the same reference) and
// whether this call applied it.
type Result struct {
	Entry   Entry
	Applied bool
}

// Balance is an account's spendable credits.
type Balance struct {
	AccountID string
	Available Amount
	UpdatedAt time.Time
}

// EntryFilter selects ledger entries. Kind nil means every kind. Cursor is the opaque NextCursor
// of a previous page ("" for the first page). Limit is 1..MaxPageSize.
type EntryFilter struct {
	Kind   *EntryKind
	Cursor string
	Limit  int
}

// EntryPage is one page of entries; NextCursor is "" on the last page.
type EntryPage struct {
	Entries    []Entry
	NextCursor string
}

// Page sizes of ledger listings.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)
