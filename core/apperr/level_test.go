package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/lead"
)

// TestLevelOfEveryKind: with no code override, an error's level is its kind's row, through any
// wrapping; only Internal reaches CRITICAL, so only it is reported.
func TestLevelOfEveryKind(t *testing.T) {
	t.Parallel()
	want := map[apperr.Kind]apperr.Level{
		apperr.Internal:        apperr.LevelCritical,
		apperr.Invalid:         apperr.LevelInfo,
		apperr.Unauthenticated: apperr.LevelInfo,
		apperr.Forbidden:       apperr.LevelInfo,
		apperr.NotFound:        apperr.LevelInfo,
		apperr.Conflict:        apperr.LevelInfo,
		apperr.PaymentRequired: apperr.LevelInfo,
		apperr.RateLimited:     apperr.LevelWarn,
		apperr.Unavailable:     apperr.LevelWarn,
	}
	if len(want) != len(apperr.Kinds()) {
		t.Fatalf("the test covers %d kinds, there are %d", len(want), len(apperr.Kinds()))
	}
	for _, k := range apperr.Kinds() {
		err := fmt.Errorf("outer: %w", apperr.New(k, "some.code", "m"))
		if got := apperr.LevelOf(err); got != want[k] {
			t.Errorf("LevelOf(%v error) = %v, want %v", k, got, want[k])
		}
	}
	if got := apperr.Kind(200).Level(); got != apperr.LevelCritical {
		t.Errorf("an out-of-range kind is %v, want CRITICAL", got)
	}
}

// TestLevelOfPlainErrorsAndPanics: anything that is not an *apperr.Error (a panic's value
// included) is CRITICAL.
func TestLevelOfPlainErrorsAndPanics(t *testing.T) {
	t.Parallel()
	for _, err := range []error{errors.New("boom"), fmt.Errorf("panic: %v", "nil map")} {
		if got := apperr.LevelOf(err); got != apperr.LevelCritical {
			t.Errorf("LevelOf(%v) = %v, want CRITICAL", err, got)
		}
	}
}

// TestLevelOfCodeOverrides: the codes whose severity differs from their kind's, spelled as the
// feature packages declare them (a renamed code would silently lose its override).
func TestLevelOfCodeOverrides(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want apperr.Level
	}{
		{apperr.New(apperr.Internal, analyze.CodeFailed, "stopped"), apperr.LevelCritical},
		{apperr.New(apperr.Conflict, analyze.CodeFailed, "stopped"), apperr.LevelCritical},
		{billing.ErrNotConfigured, apperr.LevelError},
		{lead.ErrScraperRejected, apperr.LevelError},
		{lead.ErrScraperUnavailable, apperr.LevelWarn},
		{fmt.Errorf("wrapped: %w", billing.ErrWebhookSignature), apperr.LevelWarn},
		// A neighbour of an overridden code keeps its kind's level.
		{apperr.New(apperr.Unavailable, billing.CodeProviderUnavailable, "down"), apperr.LevelWarn},
	}
	for _, c := range cases {
		if got := apperr.LevelOf(c.err); got != c.want {
			t.Errorf("LevelOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
