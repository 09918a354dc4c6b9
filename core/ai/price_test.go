package ai_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/ai"
)

const testPrices = `{
  "effective_date": "2026-12-01",
  "source": "wire-formats §2.6, §3.5",
  "models": {
    "gpt-4o-mini":      {"input": 0.15, "cached_input": 0.075, "output": 0.60},
    "gpt-5":            {"input": 1.25, "cached_input": 0.125, "output": 10.00},
    "gpt-5.4-mini":     {"input": 0.75, "output": 4.50},
    "claude-haiku-4-5": {"input": 1.00, "cached_input": 0.10, "cache_write": 1.25, "output": 5.00}
  }
}`

func mustPrices(t *testing.T) ai.PriceTable {
	t.Helper()
	p, err := ai.ParsePriceTable([]byte(testPrices))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParsePriceTable(t *testing.T) {
	t.Parallel()
	p := mustPrices(t)
	if !p.EffectiveDate.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("effective date = %v", p.EffectiveDate)
	}
	if got := strings.Join(p.Models(), ","); got != "claude-haiku-4-5,gpt-4o-mini,gpt-5,gpt-5.4-mini" {
		t.Errorf("models = %s", got)
	}
	mini, _ := p.Lookup("gpt-4o-mini")
	if mini != (ai.Price{Input: 150_000, CachedInput: 75_000, CacheWrite: 150_000, Output: 600_000}) {
		t.Errorf("gpt-4o-mini = %+v", mini)
	}
	// cached_input and cache_write default to the input rate.
	if p54, _ := p.Lookup("GPT-5.4-mini"); p54.CachedInput != 750_000 || p54.CacheWrite != 750_000 {
		t.Errorf("defaults = %+v", p54)
	}

	bad := map[string]string{
		"not json":         `{`,
		"unknown field":    `{"effective_date":"2026-12-01","models":{"m":{"input":1,"output":1,"outptu":2}}}`,
		"no date":          `{"models":{"m":{"input":1,"output":1}}}`,
		"bad date":         `{"effective_date":"01/12/2026","models":{"m":{"input":1,"output":1}}}`,
		"no models":        `{"effective_date":"2026-12-01","models":{}}`,
		"no output":        `{"effective_date":"2026-12-01","models":{"m":{"input":1}}}`,
		"negative":         `{"effective_date":"2026-12-01","models":{"m":{"input":-1,"output":1}}}`,
		"absurd":           `{"effective_date":"2026-12-01","models":{"m":{"input":1,"output":1e6}}}`,
		"bad cached":       `{"effective_date":"2026-12-01","models":{"m":{"input":1,"output":1,"cached_input":-2}}}`,
		"bad write":        `{"effective_date":"2026-12-01","models":{"m":{"input":1,"output":1,"cache_write":-2}}}`,
		"empty id":         `{"effective_date":"2026-12-01","models":{" ":{"input":1,"output":1}}}`,
		"case duplicate":   `{"effective_date":"2026-12-01","models":{"M":{"input":1,"output":1},"m":{"input":1,"output":1}}}`,
		"bad input range":  `{"effective_date":"2026-12-01","models":{"m":{"input":20000,"output":1}}}`,
		"bad output range": `{"effective_date":"2026-12-01","models":{"m":{"input":1,"output":-0.5}}}`,
	}
	for name, doc := range bad {
		if _, err := ai.ParsePriceTable([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPriceLookupStripsOnlyDatedSnapshots(t *testing.T) {
	t.Parallel()
	p := mustPrices(t)
	cases := map[string]bool{
		"gpt-4o-mini":               true,
		"gpt-4o-mini-2024-07-18":    true,
		"claude-haiku-4-5-20251001": true,
		"gpt-5-mini":                false, // not gpt-5
		"gpt-5.4":                   false, // not gpt-5
		"gpt-5-2025":                false, // not a date
		"gpt-5-2025-08-0x":          false,
		"gpt-5-2025x08-07":          false,
		"gpt-5-2025081":             false,
		"unknown-model":             false,
	}
	for model, want := range cases {
		if _, ok := p.Lookup(model); ok != want {
			t.Errorf("Lookup(%q) found = %v, want %v", model, ok, want)
		}
	}
}

func TestCost(t *testing.T) {
	t.Parallel()
	p := mustPrices(t)
	// wire-formats §2.2's example: 1,450 prompt tokens of which 1,024 cached, 38 completion.
	// (426 × 0.15 + 1,024 × 0.075 + 38 × 0.60) / 1M USD = 163.5 µ$ → 164.
	if c, ok := p.Cost("gpt-4o-mini-2024-07-18", ai.Usage{Input: 1450, Cached: 1024, Output: 38}); !ok || c != 164 {
		t.Errorf("openai cost = %d, %v; want 164", c, ok)
	}
	// Anthropic: 412 uncached + 100 written + 1,024 read, 61 out:
	// 412 × 1.00 + 100 × 1.25 + 1,024 × 0.10 + 61 × 5.00 = 412 + 125 + 102.4 + 305 = 944.4 µ$.
	u := ai.Usage{Input: 412 + 100 + 1024, Cached: 1024, CacheWrite: 100, Output: 61}
	if c, ok := p.Cost("claude-haiku-4-5", u); !ok || c != 944 {
		t.Errorf("anthropic cost = %d, %v; want 944", c, ok)
	}
	// Inconsistent usage (more cached than input) prices no negative uncached tokens: 50 × 0.125.
	if c, ok := p.Cost("gpt-5", ai.Usage{Input: 10, Cached: 50}); !ok || c != 6 {
		t.Errorf("inconsistent usage: %d, want 6", c)
	}
	if c, ok := p.Cost("mystery", ai.Usage{Input: 1000, Output: 1000}); ok || c != 0 {
		t.Errorf("unknown model: %d, %v; want 0, false", c, ok)
	}
}
