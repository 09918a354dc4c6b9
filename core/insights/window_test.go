package insights_test

import (
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/insights"
)

func TestParseWindow(t *testing.T) {
	t.Parallel()
	def := insights.Window{Span: 7 * 24 * time.Hour, Label: "7d"}
	for raw, want := range map[string]time.Duration{
		"":      7 * 24 * time.Hour,
		"1h":    time.Hour,
		"24h":   24 * time.Hour,
		"7d":    7 * 24 * time.Hour,
		"30d":   30 * 24 * time.Hour,
		"400d":  400 * 24 * time.Hour,
		"9600h": 400 * 24 * time.Hour,
		"007d":  7 * 24 * time.Hour,
	} {
		w, err := insights.ParseWindow(raw, def)
		if err != nil || w.Span != want {
			t.Errorf("ParseWindow(%q) = %v, %v; want %v", raw, w, err, want)
		}
		if raw != "" && w.Label != raw {
			t.Errorf("ParseWindow(%q).Label = %q", raw, w.Label)
		}
	}
	for _, raw := range []string{"0h", "0d", "401d", "9601h", "d", "h", "7", "7w", "7D", "-7d", "+7d", " 7d", "7 d", "1.5d",
		"30m", "99999999999999999999d", "seven", "７d"} {
		_, err := insights.ParseWindow(raw, def)
		if !errors.Is(err, insights.ErrWindowInvalid) || apperr.KindOf(err) != apperr.Invalid ||
			apperr.CodeOf(err) != insights.CodeWindowInvalid {
			t.Errorf("ParseWindow(%q) = %v, want %s", raw, err, insights.CodeWindowInvalid)
		}
	}
	if e, _ := apperr.As(insights.ErrWindowInvalid); len(e.Fields) != 1 || e.Fields[0].Field != "window" {
		t.Errorf("field errors %+v", e.Fields)
	}
}

func TestWindowRange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	r := insights.Window{Span: 30 * 24 * time.Hour}.Range(now)
	if !r.To.Equal(now) || !r.From.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("range %v", r)
	}
}

func TestInTop80(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		before, total int64
		want          bool
	}{
		{0, 100, true},  // the first account is always in
		{50, 100, true}, // 50 % before: not there yet
		{79, 100, true},
		{80, 100, false}, // exactly 80 % before: the cut is made
		{81, 100, false},
		{0, 0, false}, // no cost, no cut
		{7999999, 10000000, true},
		{8000000, 10000000, false},
	} {
		if got := insights.InTop80(tc.before, tc.total); got != tc.want {
			t.Errorf("InTop80(%d, %d) = %v", tc.before, tc.total, got)
		}
	}
}
