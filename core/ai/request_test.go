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
