package analysis

import (
	"strconv"

	"github.com/oslira/oslira/core/apperr"
)

// Score is a lead's overall score, 0–100: the AI's integer from the profile assessment, not
// a formula; a bypassed analysis (not found, private, ICP mismatch) has none.
// The zero Score is a valid 0; NewScore is the only way to make another.
type Score struct{ v int }

// NewScore validates n: 0–100 inclusive, else ErrInvalidScore with a field error for "score".
func NewScore(n int) (Score, error) {
	if n < 0 || n > 100 {
		return Score{}, apperr.Validation(CodeInvalidScore, ErrInvalidScore.Message,
			apperr.FieldError{Field: "score", Message: "must be between 0 and 100, got " + strconv.Itoa(n)})
	}
	return Score{v: n}, nil
}

// Int returns the score as an integer.
func (s Score) Int() int { return s.v }

// Tier is the lead's tier derived from its score.
func (s Score) Tier() Tier {
	switch {
	case s.v >= 80:
		return Hot
	case s.v >= 60:
		return Warm
	case s.v >= 40:
		return Cool
	}
	return Cold
}

// Tier is a bucket of the score: hot ≥ 80, warm ≥ 60, cool ≥ 40, else cold (each bound
// belongs to the higher tier).
type Tier string

// The tiers, hottest first.
const (
	Hot  Tier = "hot"
	Warm Tier = "warm"
	Cool Tier = "cool"
	Cold Tier = "cold"
)

// Tiers lists every tier, hottest first.
func Tiers() []Tier { return []Tier{Hot, Warm, Cool, Cold} }
