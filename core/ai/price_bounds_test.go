package ai_test

import (
	"testing"

	"github.com/oslira/oslira/core/ai"
)

// TestPriceRatesAcceptTheirBounds: a rate of exactly 0 (a free tier, or free cache reads) and of
// exactly 10,000 USD per million tokens (the ceiling) are both valid prices.
func TestPriceRatesAcceptTheirBounds(t *testing.T) {
	t.Parallel()
	p, err := ai.ParsePriceTable([]byte(`{"effective_date":"2026-12-01","models":{
		"free":    {"input": 0, "cached_input": 0, "cache_write": 0, "output": 0},
		"ceiling": {"input": 10000, "output": 10000}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if free, _ := p.Lookup("free"); free != (ai.Price{}) {
		t.Errorf("free = %+v", free)
	}
	if top, _ := p.Lookup("ceiling"); top.Input != 10_000_000_000 || top.Output != 10_000_000_000 {
		t.Errorf("ceiling = %+v", top)
	}
}

// TestPriceLookupStripsDatesWithEveryDigit: a snapshot date is any digits, 0 and 9 included.
func TestPriceLookupStripsDatesWithEveryDigit(t *testing.T) {
	t.Parallel()
	p := mustPrices(t)
	for _, model := range []string{"gpt-4o-mini-2019-09-09", "claude-haiku-4-5-20290909", "gpt-5-2000-01-01"} {
		if _, ok := p.Lookup(model); !ok {
			t.Errorf("Lookup(%q): not found", model)
		}
	}
}
