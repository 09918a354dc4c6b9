package ratelimit

import (
	"strconv"
	"time"
)

// Decision is a limiter's answer for one request.
type Decision struct {
	// Allowed is true when the request may proceed (its unit is spent).
	Allowed bool
	// Limit is the policy's Limit, Remaining the units the key may still spend right now.
	Limit     int
	Remaining int
	// Reset is how long until the key's budget is whole again (Rolling: until the TAT; CalendarUTC:
	// until the window ends).
	Reset time.Duration
	// RetryAfter is, when refused, how long until a request can pass; 0 when allowed.
	RetryAfter time.Duration
}

// RollingDecision builds the decision of a Rolling policy from the store's answer: the key's TAT
// after the request (advanced by one interval if allowed, unchanged if refused) and whether the
// request was allowed.
//
// Remaining is the number of further requests that would pass now: ⌊(τ + T − (TAT − now)) / T⌋,
// i.e. Limit − 1 after a fresh key's first request, 0 after its Limit-th. When refused, the next
// request passes once TAT − τ ≤ now: RetryAfter = TAT − τ − now.
func RollingDecision(p Policy, now, tat time.Time, allowed bool) Decision {
	t, tau := p.Interval(), p.Tolerance()
	ahead := max(tat.Sub(now), 0)
	d := Decision{Allowed: allowed, Limit: p.Limit, Reset: ahead}
	d.Remaining = clamp(int((tau+t-ahead)/t), 0, p.Limit)
	if !allowed {
		d.Remaining = 0
		d.RetryAfter = max(ahead-tau, 0)
	}
	return d
}

// CalendarDecision builds the decision of a CalendarUTC policy from the store's answer: the
// units used in the window after the request, the window's end and whether it was allowed. A
// refused request may be retried when the window ends.
func CalendarDecision(p Policy, now time.Time, used int, end time.Time, allowed bool) Decision {
	reset := max(end.Sub(now), 0)
	d := Decision{Allowed: allowed, Limit: p.Limit, Remaining: clamp(p.Limit-used, 0, p.Limit), Reset: reset}
	if !allowed {
		d.Remaining = 0
		d.RetryAfter = reset
	}
	return d
}

func clamp(n, lo, hi int) int { return min(max(n, lo), hi) }

// The header values of a decision (RFC 9110 Retry-After; the IETF httpapi RateLimit fields as
// the original API sent them: RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset). Times
// are whole seconds rounded up, so a client that waits as told is never early.

// LimitValue is the RateLimit-Limit value.
func (d Decision) LimitValue() string { return strconv.Itoa(d.Limit) }

// RemainingValue is the RateLimit-Remaining value.
func (d Decision) RemainingValue() string { return strconv.Itoa(d.Remaining) }

// ResetValue is the RateLimit-Reset value: seconds until the budget is whole again.
func (d Decision) ResetValue() string { return strconv.FormatInt(ceilSeconds(d.Reset), 10) }

// RetryAfterValue is the Retry-After value of a refusal: seconds to wait, at least 1 (a refusal
// never says "retry now"); "" when the request was allowed.
func (d Decision) RetryAfterValue() string {
	if d.Allowed {
		return ""
	}
	return strconv.FormatInt(max(ceilSeconds(d.RetryAfter), 1), 10)
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d%time.Second > 0 {
		s++
	}
	return s
}

// Tighter returns the decision a client should see of two that apply to one request: a refusal
// over an allowance (the longer wait of two refusals), else the one with fewer units left (on a
// tie, the later reset). The host reports one set of RateLimit headers per answer.
func Tighter(a, b Decision) Decision {
	switch {
	case a.Allowed != b.Allowed:
		if !a.Allowed {
			return a
		}
		return b
	case !a.Allowed:
		if b.RetryAfter > a.RetryAfter {
			return b
		}
		return a
	case b.Remaining < a.Remaining || (b.Remaining == a.Remaining && b.Reset > a.Reset):
		return b
	default:
		return a
	}
}
