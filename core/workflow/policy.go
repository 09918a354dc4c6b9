package workflow

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Policy says how many times, how patiently and for how long one step is attempted.
type Policy struct {
	// MaxAttempts is the number of attempts, the first one included. Values below 1 mean 1.
	MaxAttempts int
	// BaseBackoff is the wait after the first failed attempt; every later wait doubles it.
	BaseBackoff time.Duration
	// MaxBackoff caps every single wait, one asked for by Retry-After included. Zero: no cap.
	MaxBackoff time.Duration
	// Timeout bounds each attempt (not the step as a whole). Zero: only the run's context
	// bounds it. An attempt that runs out of time failed transiently and is retried.
	Timeout time.Duration
}

// The three retry classes. Waits are exponential (BaseBackoff × 2ⁿ⁻¹, capped at MaxBackoff) with
// "equal jitter": the actual wait is drawn from [½w, w], so a burst of failures does not retry in
// lockstep. Retries are in-process waits: after a crash, the interrupted step starts again with
// its full budget.
var (
	// Critical is for ledger writes and refunds: money must move eventually. 10 attempts,
	// nominal waits of 1 s, 2 s, 4 s … 256 s (at most about 8.5 min of waiting in all, each wait
	// capped at 5 min), 30 s per attempt.
	Critical = Policy{MaxAttempts: 10, BaseBackoff: time.Second, MaxBackoff: 5 * time.Minute, Timeout: 30 * time.Second}

	// Standard is for scrapes, AI calls and saves: Cloudflare Workflows' default step config
	// (5 attempts, 10 s exponential, 10 min timeout). Nominal waits of 10 s, 20 s, 40 s, 80 s
	// (at most 2.5 min in all), each capped at 2 min even when a Retry-After asks for more.
	Standard = Policy{MaxAttempts: 5, BaseBackoff: 10 * time.Second, MaxBackoff: 2 * time.Minute, Timeout: 10 * time.Minute}

	// FastFail is for reads on a request path: one attempt of at most 10 s, no retry.
	FastFail = Policy{MaxAttempts: 1, Timeout: 10 * time.Second}
)

// Attempts returns MaxAttempts, at least 1.
func (p Policy) Attempts() int { return max(p.MaxAttempts, 1) }

// Validate reports a negative duration or a MaxBackoff below BaseBackoff.
func (p Policy) Validate() error {
	var errs []error
	if p.BaseBackoff < 0 || p.MaxBackoff < 0 || p.Timeout < 0 {
		errs = append(errs, errors.New("workflow policy: durations must not be negative"))
	}
	if p.MaxBackoff > 0 && p.MaxBackoff < p.BaseBackoff {
		errs = append(errs, fmt.Errorf("workflow policy: MaxBackoff %v is below BaseBackoff %v", p.MaxBackoff, p.BaseBackoff))
	}
	return errors.Join(errs...)
}

// Delay is the wait after failed attempt number failed (1 for the first attempt) that ended with
// err. jitter, in [0, 1), picks the wait within [½w, w] where w is the exponential wait; a
// Retry-After carried by err raises the wait to that value. The result never exceeds MaxBackoff
// (when set).
func (p Policy) Delay(failed int, err error, jitter float64) time.Duration {
	w := p.BaseBackoff
	for i := 1; i < failed && w < math.MaxInt64/2 && (p.MaxBackoff == 0 || w < p.MaxBackoff); i++ {
		w *= 2
	}
	if p.MaxBackoff > 0 && w > p.MaxBackoff {
		w = p.MaxBackoff
	}
	jitter = min(max(jitter, 0), 1)
	d := w/2 + time.Duration(float64(w-w/2)*jitter)
	if after, ok := RetryAfterOf(err); ok && after > d {
		d = after
	}
	if p.MaxBackoff > 0 && d > p.MaxBackoff {
		d = p.MaxBackoff
	}
	return d
}
