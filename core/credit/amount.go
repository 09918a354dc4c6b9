package credit

import (
	"strconv"

	"github.com/oslira/oslira/core/apperr"
)

// MaxAmount bounds any single grant, debit or balance. It is far above any plan (20,000 a month)
// and keeps every sum of two amounts inside int64 and inside PostgreSQL's integer column.
const MaxAmount = 1_000_000_000

// Error codes of amount validation.
const CodeInvalidAmount = "credits.invalid-amount"

// Amount is a non-negative whole number of credits. The zero value is zero credits. It cannot be
// negative: debits and grants are directions of a ledger entry, not signs of an amount.
type Amount struct{ n int64 }

// NewAmount validates n: 0 ≤ n ≤ MaxAmount.
func NewAmount(n int64) (Amount, error) {
	if n < 0 || n > MaxAmount {
		return Amount{}, apperr.Validation(CodeInvalidAmount, "credit amount out of range",
			apperr.FieldError{Field: "amount", Message: "must be between 0 and " + strconv.Itoa(MaxAmount)})
	}
	return Amount{n: n}, nil
}

// MustAmount is NewAmount for constants known to be valid; it panics otherwise.
func MustAmount(n int64) Amount {
	a, err := NewAmount(n)
	if err != nil {
		panic(err)
	}
	return a
}

// Int64 returns the number of credits.
func (a Amount) Int64() int64 { return a.n }

// IsZero reports whether a is zero credits.
func (a Amount) IsZero() bool { return a.n == 0 }

// Covers reports whether a balance of a can pay for cost.
func (a Amount) Covers(cost Amount) bool { return a.n >= cost.n }

// Add returns a+b, or an error when the sum exceeds MaxAmount.
func (a Amount) Add(b Amount) (Amount, error) { return NewAmount(a.n + b.n) }

// Sub returns a-b, or ErrInsufficient when b is larger than a.
func (a Amount) Sub(b Amount) (Amount, error) {
	if b.n > a.n {
		return Amount{}, ErrInsufficient
	}
	return Amount{n: a.n - b.n}, nil
}

func (a Amount) String() string { return strconv.FormatInt(a.n, 10) }
