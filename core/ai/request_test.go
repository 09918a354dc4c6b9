package ai_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/apperr"
)

func TestCacheKey(t *testing.T) {
	t.Parallel()
	s := ai.Schema{Name: "light_analysis", JSON: []byte(`{"type":"object"}`)}
	base := ai.CacheKey("openai", "gpt-5-mini", "sys", "user", s)
	if len(base) != 64 || base != ai.CacheKey("openai", "gpt-5-mini", "sys", "user", s) {
		t.Fatalf("key %q is not a stable hex SHA-256", base)
	}
	variants := []string{
		ai.CacheKey("anthropic", "gpt-5-mini", "sys", "user", s),
		ai.CacheKey("openai", "gpt-5", "sys", "user", s),
		ai.CacheKey("openai", "gpt-5-mini", "sys2", "user", s),
		ai.CacheKey("openai", "gpt-5-mini", "sys", "user2", s),
		ai.CacheKey("openai", "gpt-5-mini", "sys", "user", ai.Schema{Name: "other", JSON: s.JSON}),
		ai.CacheKey("openai", "gpt-5-mini", "sys", "user", ai.Schema{Name: s.Name, JSON: []byte(`{}`)}),
		// Moving a byte between fields must change the key (fields are length-prefixed).
		ai.CacheKey("openai", "gpt-5-mini", "sysu", "ser", s),
	}
	for i, v := range variants {
		if v == base {
			t.Errorf("variant %d has the same key", i)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	err := ai.WithRetryAfter(ai.ErrRateLimited, 3*time.Second)
	if d, ok := ai.RetryAfter(fmt.Errorf("x: %w", err)); !ok || d != 3*time.Second {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}
	if !errors.Is(err, ai.ErrRateLimited) || apperr.KindOf(err) != apperr.RateLimited || err.Error() != ai.ErrRateLimited.Error() {
		t.Errorf("WithRetryAfter must keep the error's identity: %v", err)
	}
	if ai.WithRetryAfter(ai.ErrUnavailable, 0) != ai.ErrUnavailable || ai.WithRetryAfter(nil, time.Second) != nil {
		t.Error("a zero delay or a nil error must pass through unchanged")
	}
	if _, ok := ai.RetryAfter(ai.ErrUnavailable); ok {
		t.Error("an error without a delay reports none")
	}
}

func TestTierAndEffort(t *testing.T) {
	t.Parallel()
	for _, tier := range []ai.Tier{ai.TierSmall, ai.TierStrong} {
		if !tier.Valid() {
			t.Errorf("%s invalid", tier)
		}
	}
	if ai.Tier("huge").Valid() || ai.Effort("max").Valid() {
		t.Error("unknown tier/effort accepted")
	}
	for _, e := range []ai.Effort{ai.EffortDefault, ai.EffortLow, ai.EffortMedium, ai.EffortHigh} {
		if !e.Valid() {
			t.Errorf("effort %q invalid", e)
		}
	}
	if n := len(ai.SchemaNames()); n != 10 {
		t.Errorf("%d schema names", n)
	}
	for _, n := range ai.SchemaNames() {
		if strings.ToLower(n) != n || n == "" {
			t.Errorf("schema name %q", n)
		}
	}
}
