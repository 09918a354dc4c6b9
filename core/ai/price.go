package ai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Price is what one model costs, in micro-dollars per million tokens (USD 0.15 per 1M tokens is
// 150,000), which keeps every rate of the vendors' tables an integer.
type Price struct {
	Input       int64 // uncached prompt tokens
	CachedInput int64 // prompt tokens read from the provider's prompt cache
	CacheWrite  int64 // prompt tokens written to the prompt cache (Anthropic); 0 = the input rate
	Output      int64 // generated tokens, reasoning included
}

// PriceTable is the price list in force from EffectiveDate: a value object loaded from
// configuration (an embedded default, overridable by a file), never hard-coded in adapters.
type PriceTable struct {
	EffectiveDate time.Time
	models        map[string]Price
}

// priceFile is the JSON form of a price table: USD per million tokens, as vendors publish them.
//
//	{"effective_date": "2026-12-01",
//	 "models": {"gpt-5-mini": {"input": 0.25, "cached_input": 0.025, "output": 2.00},
//	            "claude-haiku-4-5": {"input": 1.00, "cached_input": 0.10, "cache_write": 1.25, "output": 5.00}}}
type priceFile struct {
	EffectiveDate string               `json:"effective_date"`
	Source        string               `json:"source,omitempty"`
	Models        map[string]priceJSON `json:"models"`
}

type priceJSON struct {
	Input       *float64 `json:"input"`
	CachedInput *float64 `json:"cached_input"`
	CacheWrite  *float64 `json:"cache_write"`
	Output      *float64 `json:"output"`
}

// maxUSDPerMillion bounds a rate: a typo of a few orders of magnitude is refused.
const maxUSDPerMillion = 10000

// ParsePriceTable reads a price table (see priceFile): effective_date is required (YYYY-MM-DD),
// every model needs input and output rates (cached_input defaults to input, cache_write to
// input), rates are between 0 and 10,000 USD per million tokens. Unknown fields are refused, so
// a misspelled rate is not silently ignored. Model ids are matched case-insensitively.
func ParsePriceTable(data []byte) (PriceTable, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f priceFile
	if err := dec.Decode(&f); err != nil {
		return PriceTable{}, fmt.Errorf("price table: %w", err)
	}
	day, err := time.Parse(time.DateOnly, f.EffectiveDate)
	if err != nil {
		return PriceTable{}, fmt.Errorf("price table: effective_date must be a date like 2026-12-01")
	}
	if len(f.Models) == 0 {
		return PriceTable{}, fmt.Errorf("price table: no models")
	}
	t := PriceTable{EffectiveDate: day, models: make(map[string]Price, len(f.Models))}
	for id, p := range f.Models {
		key := strings.ToLower(strings.TrimSpace(id))
		if key == "" {
			return PriceTable{}, fmt.Errorf("price table: empty model id")
		}
		if _, dup := t.models[key]; dup {
			return PriceTable{}, fmt.Errorf("price table: model %q listed twice", id)
		}
		if p.Input == nil || p.Output == nil {
			return PriceTable{}, fmt.Errorf("price table: model %q needs input and output", id)
		}
		rate := func(name string, v *float64, def int64) (int64, error) {
			if v == nil {
				return def, nil
			}
			if math.IsNaN(*v) || *v < 0 || *v > maxUSDPerMillion {
				return 0, fmt.Errorf("price table: model %q: %s must be between 0 and %d USD per million tokens", id, name, maxUSDPerMillion)
			}
			return int64(math.Round(*v * 1e6)), nil
		}
		var pr Price
		if pr.Input, err = rate("input", p.Input, 0); err != nil {
			return PriceTable{}, err
		}
		if pr.Output, err = rate("output", p.Output, 0); err != nil {
			return PriceTable{}, err
		}
		if pr.CachedInput, err = rate("cached_input", p.CachedInput, pr.Input); err != nil {
			return PriceTable{}, err
		}
		if pr.CacheWrite, err = rate("cache_write", p.CacheWrite, pr.Input); err != nil {
			return PriceTable{}, err
		}
		t.models[key] = pr
	}
	return t, nil
}

// Models lists the priced model ids, sorted.
func (t PriceTable) Models() []string {
	out := make([]string, 0, len(t.models))
	for m := range t.models {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the price of model: the exact id, else the id without a dated snapshot suffix
// ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini", "claude-haiku-4-5-20251001" →
// "claude-haiku-4-5"). Only a date is stripped — "gpt-5.4-mini" never falls back to "gpt-5",
// which would misprice it.
func (t PriceTable) Lookup(model string) (Price, bool) {
	m := strings.ToLower(strings.TrimSpace(model))
	if p, ok := t.models[m]; ok {
		return p, true
	}
	if base, ok := stripSnapshot(m); ok {
		p, ok := t.models[base]
		return p, ok
	}
	return Price{}, false
}

// stripSnapshot removes a trailing -YYYY-MM-DD or -YYYYMMDD.
func stripSnapshot(m string) (string, bool) {
	digits := func(s string) bool {
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return s != ""
	}
	if n := len(m); n > 11 && m[n-11] == '-' && m[n-6] == '-' && m[n-3] == '-' &&
		digits(m[n-10:n-6]) && digits(m[n-5:n-3]) && digits(m[n-2:]) {
		return m[:n-11], true
	}
	if n := len(m); n > 9 && m[n-9] == '-' && digits(m[n-8:]) {
		return m[:n-9], true
	}
	return "", false
}

// Cost returns what usage costs at model's price in micro-dollars, rounded to the nearest
// micro-dollar; known is false (and the cost 0) when the model has no price. Uncached input is
// Input − Cached − CacheWrite (never below zero).
func (t PriceTable) Cost(model string, u Usage) (micros int64, known bool) {
	p, ok := t.Lookup(model)
	if !ok {
		return 0, false
	}
	uncached := max(u.Input-u.Cached-u.CacheWrite, 0)
	// Micro-dollars × tokens per million tokens; summed before dividing so rounding happens once.
	total := uncached*p.Input + u.Cached*p.CachedInput + u.CacheWrite*p.CacheWrite + u.Output*p.Output
	return (total + 500_000) / 1_000_000, true
}
