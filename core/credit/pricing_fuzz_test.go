package credit_test

import (
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

// FuzzPriceCredits: any pack size is a quote or credits.pack-out-of-range, and it is refused
// exactly when it is outside MinPack..MaxPack. A quote holds the pricing rules: subtotal is the
// list price, subtotal − discount = total with 0 ≤ discount ≤ subtotal, the total is the
// discounted subtotal rounded half up to a cent, the discount never shrinks as the pack grows,
// and the unit price is the total over the credits rounded to a millionth of a dollar.
// Seeds: testdata/fuzz/FuzzPriceCredits (the bounds, each tier's edges, the int64 extremes).
func FuzzPriceCredits(f *testing.F) {
	f.Fuzz(func(t *testing.T, n int64) {
		q, err := credit.PriceCredits(n)
		inRange := n >= credit.MinPack && n <= credit.MaxPack
		if !inRange {
			if apperr.CodeOf(err) != credit.CodePackOutOfRange || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("PriceCredits(%d) = %+v, %v; want %s", n, q, err, credit.CodePackOutOfRange)
			}
			e, _ := apperr.As(err)
			if len(e.Fields) != 1 || e.Fields[0].Field != "credits" {
				t.Fatalf("PriceCredits(%d): field errors %+v, want one for credits", n, e.Fields)
			}
			return
		}
		if err != nil {
			t.Fatalf("PriceCredits(%d): %v", n, err)
		}
		if q.Credits != n || q.SubtotalCents != n*credit.UnitPriceCents {
			t.Fatalf("PriceCredits(%d) = %+v: credits or subtotal wrong", n, q)
		}
		if q.SubtotalCents-q.DiscountCents != q.TotalCents || q.DiscountCents < 0 || q.DiscountCents > q.SubtotalCents {
			t.Fatalf("PriceCredits(%d) = %+v: subtotal − discount ≠ total or discount out of 0..subtotal", n, q)
		}
		if q.DiscountPercent < 0 || q.DiscountPercent >= 100 {
			t.Fatalf("PriceCredits(%d) = %+v: discount percent out of range", n, q)
		}
		// Half up: 100·total − subtotal·(100 − percent) is in (−50, 50].
		if d := q.TotalCents*100 - q.SubtotalCents*(100-q.DiscountPercent); d <= -50 || d > 50 {
			t.Fatalf("PriceCredits(%d) = %+v: total is not the discounted subtotal rounded half up", n, q)
		}
		// Half up: micros·n − 10 000·total is within n/2 of zero.
		if d := q.UnitPriceMicros*n - q.TotalCents*10_000; 2*d < -n || 2*d > n {
			t.Fatalf("PriceCredits(%d) = %+v: unit price is not total/credits rounded to a micro-dollar", n, q)
		}
		if n < credit.MaxPack {
			next, err := credit.PriceCredits(n + 1)
			if err != nil || next.DiscountPercent < q.DiscountPercent {
				t.Fatalf("PriceCredits(%d) = %+v, %v after %d%% at %d: the discount shrank", n+1, next, err, q.DiscountPercent, n)
			}
		}
	})
}
