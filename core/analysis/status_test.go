package analysis_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/apperr"
)

// every status plus two values that are not statuses.
var allStatuses = append(analysis.Statuses(), "", "paused")

func TestTransitionEveryPair(t *testing.T) {
	legal := map[[2]analysis.Status]bool{
		{analysis.Pending, analysis.Running}:   true,
		{analysis.Pending, analysis.Failed}:    true,
		{analysis.Pending, analysis.Cancelled}: true,
		{analysis.Running, analysis.Completed}: true,
		{analysis.Running, analysis.Failed}:    true,
	}
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			err := analysis.Transition(from, to)
			if legal[[2]analysis.Status{from, to}] {
				if err != nil {
					t.Errorf("%q → %q refused: %v", from, to, err)
				}
				continue
			}
			checkTransitionError(t, err, from, to)
		}
	}
}

func checkTransitionError(t *testing.T, err error, from, to analysis.Status) {
	t.Helper()
	var te *analysis.TransitionError
	if !errors.As(err, &te) || te.From != from || te.To != to {
		t.Errorf("%q → %q: %v, want a TransitionError", from, to, err)
		return
	}
	if !errors.Is(err, analysis.ErrIllegalTransition) || apperr.KindOf(err) != apperr.Conflict ||
		apperr.CodeOf(err) != analysis.CodeIllegalTransition {
		t.Errorf("%q → %q: %v is not an illegal-transition conflict", from, to, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, analysis.CodeIllegalTransition+": ") ||
		!strings.Contains(msg, `"`+string(from)+`" → "`+string(to)+`"`) {
		t.Errorf("message %q", msg)
	}
}

func TestFinishEveryPair(t *testing.T) {
	from := func(ss ...analysis.Status) map[analysis.Status]bool {
		m := map[analysis.Status]bool{}
		for _, s := range ss {
			m[s] = true
		}
		return m
	}
	want := map[analysis.Outcome]struct {
		status   analysis.Status
		from     map[analysis.Status]bool
		refunded bool
	}{
		analysis.Scored:           {analysis.Completed, from(analysis.Running), false},
		analysis.NotFound:         {analysis.Completed, from(analysis.Running), true},
		analysis.Private:          {analysis.Completed, from(analysis.Running), true},
		analysis.ICPMismatch:      {analysis.Completed, from(analysis.Running), true},
		analysis.ProviderFailed:   {analysis.Failed, from(analysis.Running), true},
		analysis.Expired:          {analysis.Failed, from(analysis.Pending), true},
		analysis.Errored:          {analysis.Failed, from(analysis.Pending, analysis.Running), true},
		analysis.CancelledOutcome: {analysis.Cancelled, from(analysis.Pending), true},
		"":                        {"", from(), false},
		"timeout":                 {"", from(), false},
	}
	if len(analysis.Outcomes()) != len(want)-2 {
		t.Fatalf("Outcomes() = %v: the table must list every outcome", analysis.Outcomes())
	}
	for o, w := range want {
		if o.Valid() != (w.status != "") || o.Status() != w.status || o.Refunded() != w.refunded {
			t.Errorf("%q: valid %v, status %q, refunded %v", o, o.Valid(), o.Status(), o.Refunded())
		}
		for _, s := range allStatuses {
			got, err := analysis.Finish(s, o)
			if w.from[s] {
				if err != nil || got != w.status || analysis.Transition(s, got) != nil {
					t.Errorf("Finish(%q, %q) = %q, %v; want %q along a legal transition", s, o, got, err, w.status)
				}
				continue
			}
			if got != "" {
				t.Errorf("Finish(%q, %q) = %q with an error", s, o, got)
			}
			checkTransitionError(t, err, s, w.status)
		}
	}
}

func TestStatusValidAndTerminal(t *testing.T) {
	terminal := map[analysis.Status]bool{analysis.Completed: true, analysis.Failed: true, analysis.Cancelled: true}
	for _, s := range analysis.Statuses() {
		if !s.Valid() || s.Terminal() != terminal[s] {
			t.Errorf("%q: valid %v terminal %v", s, s.Valid(), s.Terminal())
		}
	}
	for _, s := range []analysis.Status{"", "paused", "Pending"} {
		if s.Valid() || s.Terminal() {
			t.Errorf("%q is not a status", s)
		}
	}
	// Nothing leaves a terminal status.
	for s := range terminal {
		for _, to := range allStatuses {
			if analysis.Transition(s, to) == nil {
				t.Errorf("%q → %q allowed out of a terminal status", s, to)
			}
		}
	}
}
