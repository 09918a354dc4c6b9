package credit_test

import (
	"errors"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/credit"
)

func TestNewAmountBounds(t *testing.T) {
	t.Parallel()
	for _, n := range []int64{-1, credit.MaxAmount + 1} {
		if _, err := credit.NewAmount(n); apperr.CodeOf(err) != credit.CodeInvalidAmount {
			t.Errorf("NewAmount(%d) err = %v, want %s", n, err, credit.CodeInvalidAmount)
		}
	}
	for _, n := range []int64{0, 1, credit.MaxAmount} {
		a, err := credit.NewAmount(n)
		if err != nil || a.Int64() != n {
			t.Errorf("NewAmount(%d) = %v, %v", n, a, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustAmount(-1) must panic")
		}
	}()
	credit.MustAmount(-1)
}

func TestAmountArithmetic(t *testing.T) {
	t.Parallel()
	ten, three := credit.MustAmount(10), credit.MustAmount(3)
	if !ten.Covers(three) || three.Covers(ten) || !ten.Covers(ten) {
		t.Error("Covers is wrong")
	}
	if s, err := ten.Add(three); err != nil || s.Int64() != 13 {
		t.Errorf("10+3 = %v, %v", s, err)
	}
	if _, err := credit.MustAmount(credit.MaxAmount).Add(three); err == nil {
		t.Error("overflowing MaxAmount must fail")
	}
	if d, err := ten.Sub(three); err != nil || d.String() != "7" {
		t.Errorf("10-3 = %v, %v", d, err)
	}
	if _, err := three.Sub(ten); !errors.Is(err, credit.ErrInsufficient) || apperr.KindOf(err) != apperr.PaymentRequired {
		t.Errorf("3-10 err = %v, want ErrInsufficient (payment required)", err)
	}
	if d, err := ten.Sub(ten); err != nil || !d.IsZero() { // spending the whole balance is allowed
		t.Errorf("10-10 = %v, %v, want 0", d, err)
	}
	if !(credit.Amount{}).IsZero() || ten.IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestAnalysisCost(t *testing.T) {
	t.Parallel()
	want := map[string]int64{"light": 1, "deep": 2, "xray": 3}
	for typ, n := range want {
		c, err := credit.AnalysisCost(typ)
		if err != nil || c.Int64() != n {
			t.Errorf("AnalysisCost(%q) = %v, %v; want %d", typ, c, err, n)
		}
	}
	if _, err := credit.AnalysisCost("mega"); apperr.CodeOf(err) != credit.CodeUnknownAnalysis {
		t.Errorf("unknown type err = %v", err)
	}
}

func TestEntryKinds(t *testing.T) {
	t.Parallel()
	for _, k := range credit.EntryKinds() {
		got, err := credit.ParseEntryKind(string(k))
		if err != nil || got != k {
			t.Errorf("ParseEntryKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := credit.ParseEntryKind("analysis"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("unknown kind err = %v", err)
	}
	debits := map[credit.EntryKind]bool{credit.AnalysisDebit: true, credit.Chargeback: true}
	for _, k := range credit.EntryKinds() {
		if k.IsDebit() != debits[k] {
			t.Errorf("%s.IsDebit() = %v", k, k.IsDebit())
		}
		if k.FloorsAtZero() != (k == credit.Chargeback) {
			t.Errorf("%s.FloorsAtZero() = %v", k, k.FloorsAtZero())
		}
	}
}

func TestPriceCredits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n, percent, subtotal, total, unitMicros int64
	}{
		{10, 0, 970, 970, 970_000},
		{99, 0, 9603, 9603, 970_000},
		{100, 5, 9700, 9215, 921_500},
		{499, 5, 48403, 45983, 921_503}, // 45982.85 rounds up to 45983 cents
		{500, 10, 48500, 43650, 873_000},
		{999, 10, 96903, 87213, 873_003}, // 87212.7 → 87213
		{1000, 15, 97000, 82450, 824_500},
		{10_000, 15, 970_000, 824_500, 824_500},
		{333, 5, 32301, 30686, 921_502}, // 30685.95 → 30686
	}
	for _, tc := range cases {
		q, err := credit.PriceCredits(tc.n)
		if err != nil {
			t.Fatalf("PriceCredits(%d): %v", tc.n, err)
		}
		if q.Credits != tc.n || q.DiscountPercent != tc.percent || q.SubtotalCents != tc.subtotal ||
			q.TotalCents != tc.total || q.UnitPriceMicros != tc.unitMicros {
			t.Errorf("PriceCredits(%d) = %+v, want percent %d subtotal %d total %d unit %d",
				tc.n, q, tc.percent, tc.subtotal, tc.total, tc.unitMicros)
		}
		if q.SubtotalCents-q.DiscountCents != q.TotalCents {
			t.Errorf("PriceCredits(%d): subtotal - discount != total", tc.n)
		}
	}
	for _, n := range []int64{9, 10_001, 0, -5} {
		if _, err := credit.PriceCredits(n); apperr.CodeOf(err) != credit.CodePackOutOfRange {
			t.Errorf("PriceCredits(%d) err = %v, want out of range", n, err)
		}
	}
}
