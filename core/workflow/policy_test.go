package workflow_test

import (
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/workflow"
)

func TestClassesHaveTheDocumentedNumbers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		p    workflow.Policy
		want workflow.Policy
	}{
		{"Critical", workflow.Critical, workflow.Policy{MaxAttempts: 10, BaseBackoff: time.Second, MaxBackoff: 5 * time.Minute, Timeout: 30 * time.Second}},
		{"Standard", workflow.Standard, workflow.Policy{MaxAttempts: 5, BaseBackoff: 10 * time.Second, MaxBackoff: 2 * time.Minute, Timeout: 10 * time.Minute}},
		{"FastFail", workflow.FastFail, workflow.Policy{MaxAttempts: 1, Timeout: 10 * time.Second}},
	}
	for _, c := range cases {
		if c.p != c.want {
			t.Errorf("%s = %+v, want %+v", c.name, c.p, c.want)
		}
		if err := c.p.Validate(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestDelayIsExponentialJitteredAndCapped(t *testing.T) {
	t.Parallel()
	p := workflow.Standard
	var nominal []time.Duration
	for n := 1; n <= 6; n++ {
		nominal = append(nominal, p.Delay(n, nil, 1))
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 2 * time.Minute, 2 * time.Minute}
	for i := range want {
		if nominal[i] != want[i] {
			t.Errorf("Delay(%d, jitter 1) = %v, want %v", i+1, nominal[i], want[i])
		}
	}
	if got := p.Delay(1, nil, 0); got != 5*time.Second {
		t.Errorf("Delay(1, jitter 0) = %v, want 5s (half the nominal wait)", got)
	}
	if got := p.Delay(2, nil, 0.5); got != 15*time.Second {
		t.Errorf("Delay(2, jitter 0.5) = %v, want 15s", got)
	}
	// A huge attempt number neither overflows nor exceeds the cap; no cap keeps doubling safely.
	if got := p.Delay(500, nil, 1); got != 2*time.Minute {
		t.Errorf("Delay(500) = %v, want the 2m cap", got)
	}
	if got := (workflow.Policy{BaseBackoff: time.Second}).Delay(500, nil, 1); got <= 0 {
		t.Errorf("uncapped Delay(500) = %v, want a positive duration", got)
	}
}

func TestDelayHonoursRetryAfterUpToTheCap(t *testing.T) {
	t.Parallel()
	p := workflow.Standard
	err := workflow.WithRetryAfter(errors.New("429"), 45*time.Second)
	if got := p.Delay(1, err, 1); got != 45*time.Second {
		t.Errorf("Delay with Retry-After 45s = %v, want 45s", got)
	}
	err = workflow.WithRetryAfter(errors.New("429"), time.Hour)
	if got := p.Delay(1, err, 1); got != 2*time.Minute {
		t.Errorf("Delay with Retry-After 1h = %v, want the 2m cap", got)
	}
	err = workflow.WithRetryAfter(errors.New("503"), time.Second)
	if got := p.Delay(3, err, 1); got != 40*time.Second {
		t.Errorf("a short Retry-After must not shorten the backoff: got %v, want 40s", got)
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	bad := []workflow.Policy{
		{BaseBackoff: -1},
		{Timeout: -time.Second},
		{BaseBackoff: time.Minute, MaxBackoff: time.Second},
	}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want an error", p)
		}
	}
	if n := (workflow.Policy{}).Attempts(); n != 1 {
		t.Errorf("zero policy Attempts() = %d, want 1", n)
	}
}
