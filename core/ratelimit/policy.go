package ratelimit

import (
	"errors"
	"fmt"
	"time"
)

// Window is how a policy counts.
type Window int

const (
	// Rolling is a GCRA: Limit per Period, one unit earned back every Period/Limit (see the
	// package documentation).
	Rolling Window = iota
	// CalendarUTC is a fixed window of Period aligned to UTC (24 hours: midnight UTC to
	// midnight UTC), at most Limit units per window.
	CalendarUTC
)

// String names the window for logs.
func (w Window) String() string {
	switch w {
	case Rolling:
		return "rolling"
	case CalendarUTC:
		return "calendar_utc"
	default:
		return fmt.Sprintf("window(%d)", int(w))
	}
}

// Policy is one limit: Limit units per Period per key.
type Policy struct {
	// Name identifies the budget: routes sharing a policy share its budget per key. It is stored
	// with the counters, so renaming a policy starts it afresh.
	Name   string
	Limit  int
	Period time.Duration
	Window Window
	// FailOpen lets requests through when the limiter cannot decide (the host logs a warning);
	// otherwise they are refused with 503.
	FailOpen bool
	// RefundOnFailure gives the unit back when the request fails for reasons that are not the
	// caller's (a provider down, an internal error): see Refundable. Only CalendarUTC quotas
	// use it; a rate's units are not worth the extra statement.
	RefundOnFailure bool
}

// maxPeriod bounds a policy's period: the store keeps a key's state at most this long.
const maxPeriod = 31 * 24 * time.Hour

// Validate reports a policy that cannot be enforced: a blank name, a limit below 1, a period
// that is not positive, longer than 31 days or not a whole number of microseconds per unit (the
// store's resolution), or a calendar window that does not divide a day evenly or is not a whole
// number of days (so windows stay aligned to UTC midnight).
func (p Policy) Validate() error {
	var errs []error
	if p.Name == "" {
		errs = append(errs, errors.New("ratelimit: policy without a name"))
	}
	if p.Limit < 1 {
		errs = append(errs, fmt.Errorf("ratelimit: policy %q: limit %d is below 1", p.Name, p.Limit))
	}
	switch {
	case p.Period <= 0 || p.Period > maxPeriod:
		errs = append(errs, fmt.Errorf("ratelimit: policy %q: period %v is outside (0, %v]", p.Name, p.Period, maxPeriod))
	case p.Window == Rolling && p.Limit >= 1 && p.Period%(time.Duration(p.Limit)*time.Microsecond) != 0:
		errs = append(errs, fmt.Errorf("ratelimit: policy %q: period %v is not a whole number of microseconds per unit", p.Name, p.Period))
	case p.Window == CalendarUTC && (24*time.Hour)%p.Period != 0 && p.Period%(24*time.Hour) != 0:
		errs = append(errs, fmt.Errorf("ratelimit: policy %q: a calendar period must divide a day or be whole days, not %v", p.Name, p.Period))
	}
	if p.Window != Rolling && p.Window != CalendarUTC {
		errs = append(errs, fmt.Errorf("ratelimit: policy %q: unknown window %v", p.Name, p.Window))
	}
	if p.RefundOnFailure && p.Window != CalendarUTC {
		errs = append(errs, fmt.Errorf("ratelimit: policy %q: only a calendar quota gives units back", p.Name))
	}
	return errors.Join(errs...)
}

// Interval is GCRA's emission interval T = Period/Limit: one unit is earned back every T.
func (p Policy) Interval() time.Duration { return p.Period / time.Duration(p.Limit) }

// Tolerance is GCRA's τ = Period − T: how far ahead of now the TAT may be for a request to pass.
// It lets a fresh key spend the whole Limit at once.
func (p Policy) Tolerance() time.Duration { return p.Period - p.Interval() }

// WindowEnd is the end of the calendar window holding now: the next multiple of Period counted
// from midnight UTC (for 24 hours, the next UTC midnight). now itself on a boundary opens a new
// window.
func (p Policy) WindowEnd(now time.Time) time.Time {
	start := now.UTC().Truncate(p.Period) // time.Truncate counts from year 1, 00:00 UTC: whole days stay aligned to midnight UTC
	return start.Add(p.Period)
}
