package credit

import (
	"strconv"

	"github.com/oslira/oslira/core/apperr"
)

// Pack pricing: a credit costs 97 cents before volume discounts. Packs are bounded so a typo can
// not create a five-figure checkout.
const (
	UnitPriceCents = 97
	MinPack        = 10
	MaxPack        = 10_000
)

// discountTiers are (minimum credits, percent off), largest first.
var discountTiers = []struct{ min, percent int64 }{
	{1000, 15},
	{500, 10},
	{100, 5},
}

// Quote is the price of a credit pack. All money is in integer US cents; UnitPriceMicros is the
// effective price of one credit in millionths of a dollar (4 decimal places of a dollar are
// exact in it), for display.
type Quote struct {
	Credits         int64
	DiscountPercent int64
	SubtotalCents   int64
	DiscountCents   int64
	TotalCents      int64
	UnitPriceMicros int64
}

// PriceCredits quotes a pack of n credits. The total is rounded half up to a whole cent once, at
// the end; subtotal minus discount always equals the total.
func PriceCredits(n int64) (Quote, error) {
	if n < MinPack || n > MaxPack {
		return Quote{}, apperr.Validation(CodePackOutOfRange, "credit pack size out of range",
			apperr.FieldError{Field: "credits", Message: "must be between " + strconv.Itoa(MinPack) + " and " + strconv.Itoa(MaxPack)})
	}
	var percent int64
	for _, t := range discountTiers {
		if n >= t.min {
			percent = t.percent
			break
		}
	}
	subtotal := n * UnitPriceCents
	total := (subtotal*(100-percent) + 50) / 100
	return Quote{
		Credits:         n,
		DiscountPercent: percent,
		SubtotalCents:   subtotal,
		DiscountCents:   subtotal - total,
		TotalCents:      total,
		UnitPriceMicros: (total*10_000 + n/2) / n,
	}, nil
}
