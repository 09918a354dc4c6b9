package workflow_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

var errDown = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")

// recorder is a Retrier whose waits return at once and are recorded.
func recorder(waits *[]time.Duration) workflow.Retrier {
	return workflow.Retrier{
		Sleep:  func(ctx context.Context, d time.Duration) error { *waits = append(*waits, d); return ctx.Err() },
		Jitter: func() float64 { return 1 },
	}
}

func TestRetrierRetriesTransientUpToMaxAttempts(t *testing.T) {
	t.Parallel()
	var waits []time.Duration
	calls := 0
	_, err := recorder(&waits).Run(t.Context(), workflow.Standard, func(context.Context) ([]byte, error) {
		calls++
		return nil, errDown
	})
	if calls != 5 || !errors.Is(err, errDown) {
		t.Fatalf("calls = %d, err = %v; want 5 calls and the last error", calls, err)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}
	if !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
}

func TestRetrierStopsOnPermanentAndSuccess(t *testing.T) {
	t.Parallel()
	var waits []time.Duration
	r := recorder(&waits)
	calls := 0
	_, err := r.Run(t.Context(), workflow.Critical, func(context.Context) ([]byte, error) {
		calls++
		return nil, errBusiness
	})
	if calls != 1 || !errors.Is(err, errBusiness) {
		t.Errorf("permanent: calls = %d, err = %v", calls, err)
	}
	calls = 0
	out, err := r.Run(t.Context(), workflow.Critical, func(context.Context) ([]byte, error) {
		calls++
		if calls < 3 {
			return nil, errDown
		}
		return []byte(`"ok"`), nil
	})
	if calls != 3 || err != nil || string(out) != `"ok"` {
		t.Errorf("eventual success: calls = %d, out = %s, err = %v", calls, out, err)
	}
	calls = 0
	_, _ = r.Run(t.Context(), workflow.FastFail, func(context.Context) ([]byte, error) { calls++; return nil, errDown })
	if calls != 1 {
		t.Errorf("FastFail made %d calls, want 1", calls)
	}
}

func TestRetrierHonoursRetryAfterAndReportsRetries(t *testing.T) {
	t.Parallel()
	var waits []time.Duration
	r := recorder(&waits)
	var events []workflow.RetryEvent
	r.OnRetry = func(e workflow.RetryEvent) { events = append(events, e) }
	calls := 0
	_, _ = r.Run(t.Context(), workflow.Policy{MaxAttempts: 2, BaseBackoff: time.Second, MaxBackoff: time.Minute},
		func(context.Context) ([]byte, error) {
			calls++
			return nil, workflow.WithRetryAfter(apperr.New(apperr.RateLimited, apperr.CodeRateLimited, "429"), 30*time.Second)
		})
	if calls != 2 || len(waits) != 1 || waits[0] != 30*time.Second {
		t.Errorf("calls = %d, waits = %v; want 2 calls and one 30s wait", calls, waits)
	}
	if len(events) != 1 || events[0].Attempt != 1 || events[0].Delay != 30*time.Second {
		t.Errorf("events = %+v", events)
	}
}

func TestRetrierTimesOutAttemptsTransiently(t *testing.T) {
	t.Parallel()
	var waits []time.Duration
	calls := 0
	p := workflow.Policy{MaxAttempts: 3, BaseBackoff: time.Millisecond, Timeout: 5 * time.Millisecond}
	_, err := recorder(&waits).Run(t.Context(), p, func(ctx context.Context) ([]byte, error) {
		calls++
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if calls != 3 {
		t.Errorf("calls = %d, want 3: a timed-out attempt is retried", calls)
	}
	if apperr.KindOf(err) != apperr.Unavailable || apperr.CodeOf(err) != apperr.CodeTimeout || workflow.IsPermanent(err) {
		t.Errorf("err = %v (kind %v, code %q)", err, apperr.KindOf(err), apperr.CodeOf(err))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("the timeout error lost its cause")
	}
	// An explicitly permanent error stays permanent even when the attempt timed out.
	calls = 0
	_, err = recorder(&waits).Run(t.Context(), p, func(ctx context.Context) ([]byte, error) {
		calls++
		<-ctx.Done()
		return nil, workflow.Permanent(errBusiness)
	})
	if calls != 1 || !errors.Is(err, errBusiness) {
		t.Errorf("permanent on timeout: calls = %d, err = %v", calls, err)
	}
}

func TestRetrierStopsWhenTheRunIsInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	r := workflow.Retrier{Sleep: workflow.Sleep}
	_, err := r.Run(ctx, workflow.Policy{MaxAttempts: 5, BaseBackoff: time.Hour}, func(context.Context) ([]byte, error) {
		calls++
		cancel()
		return nil, errDown
	})
	if calls != 1 || !errors.Is(err, errDown) && !errors.Is(err, context.Canceled) {
		t.Errorf("calls = %d, err = %v", calls, err)
	}
	// Cancelled during the wait: the real sleeper returns at once with ctx's error.
	ctx2, cancel2 := context.WithCancel(t.Context())
	go func() { time.Sleep(10 * time.Millisecond); cancel2() }()
	start := time.Now()
	_, err = r.Run(ctx2, workflow.Policy{MaxAttempts: 5, BaseBackoff: time.Hour}, func(context.Context) ([]byte, error) {
		return nil, errDown
	})
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Errorf("err = %v after %v", err, time.Since(start))
	}
}
