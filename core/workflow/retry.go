package workflow

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sleeper waits for d, or until ctx ends (then it returns ctx's error). Engines take one so tests
// can skip the waits.
type Sleeper func(ctx context.Context, d time.Duration) error

// Sleep is the real Sleeper.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RetryEvent describes one failed attempt that will be followed by another.
type RetryEvent struct {
	Attempt int           // the attempt that failed, from 1
	Delay   time.Duration // the wait before the next attempt
	Err     error         // what the attempt returned
}

// Retrier runs the attempts of one step. Both engines use it, so a step retries the same way in
// core unit tests and in production. The zero value waits for real and draws jitter from
// math/rand.
type Retrier struct {
	Sleep   Sleeper          // nil: Sleep
	Jitter  func() float64   // in [0, 1); nil: math/rand/v2
	OnRetry func(RetryEvent) // optional: logs, metrics
}

// Run calls fn until it succeeds, fails permanently (IsPermanent), or has been attempted
// p.Attempts() times, waiting p.Delay between attempts; it returns the last attempt's result.
//
// Each attempt gets a context bounded by p.Timeout. An attempt that ran out of its own time while
// ctx was still live failed with a transient timeout error (Unavailable, service.timeout) unless
// it returned an explicitly permanent error. When ctx ends during a wait, Run stops and returns
// ctx's error: the run is being interrupted, which is not an outcome of the step.
//
// Panics in fn are not recovered here; engines decide (a crash simulation is a panic).
func (r Retrier) Run(ctx context.Context, p Policy, fn StepFunc) ([]byte, error) {
	sleep, jitter := r.Sleep, r.Jitter
	if sleep == nil {
		sleep = Sleep
	}
	if jitter == nil {
		jitter = rand.Float64
	}
	for attempt := 1; ; attempt++ {
		out, err := r.attempt(ctx, p, fn)
		if err == nil {
			return out, nil
		}
		if attempt >= p.Attempts() || IsPermanent(err) || ctx.Err() != nil {
			return out, err
		}
		delay := p.Delay(attempt, err, jitter())
		if r.OnRetry != nil {
			r.OnRetry(RetryEvent{Attempt: attempt, Delay: delay, Err: err})
		}
		if serr := sleep(ctx, delay); serr != nil {
			return nil, serr
		}
	}
}

// attempt runs fn once under the policy's per-attempt timeout.
func (r Retrier) attempt(ctx context.Context, p Policy, fn StepFunc) ([]byte, error) {
	if p.Timeout <= 0 {
		return fn(ctx)
	}
	actx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	out, err := fn(actx)
	if err != nil && actx.Err() != nil && ctx.Err() == nil && !explicitlyPermanent(err) {
		err = timeoutError(err, p.Timeout)
	}
	return out, err
}
