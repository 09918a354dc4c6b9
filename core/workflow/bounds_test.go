package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/workflow"
)

// TestPolicyValidateAcceptsItsBounds: a zero timeout (no per-attempt limit), no backoff cap, and a
// cap equal to the base backoff are all valid policies.
func TestPolicyValidateAcceptsItsBounds(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]workflow.Policy{
		"zero policy":   {},
		"no timeout":    {MaxAttempts: 3, BaseBackoff: time.Second, MaxBackoff: time.Minute},
		"no cap":        {MaxAttempts: 3, BaseBackoff: time.Second, Timeout: time.Second},
		"cap = backoff": {MaxAttempts: 3, BaseBackoff: time.Second, MaxBackoff: time.Second},
	} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s %+v: %v", name, p, err)
		}
	}
}

// TestDelayWithoutACapKeepsDoubling: with no MaxBackoff the nominal wait doubles on every failed
// attempt (1 s, 2 s, 4 s, 8 s for a 1 s base).
func TestDelayWithoutACapKeepsDoubling(t *testing.T) {
	t.Parallel()
	p := workflow.Policy{BaseBackoff: time.Second}
	for failed, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second} {
		if got := p.Delay(failed, nil, 1); got != want {
			t.Errorf("Delay(%d, jitter 1) = %v, want %v", failed, got, want)
		}
	}
}

// TestRetryAfterOfIgnoresAZeroWait: a Retry-After of zero asks for nothing, so it is not reported.
func TestRetryAfterOfIgnoresAZeroWait(t *testing.T) {
	t.Parallel()
	for _, after := range []time.Duration{0, -time.Second} {
		if d, ok := workflow.RetryAfterOf(workflow.WithRetryAfter(errors.New("429"), after)); ok {
			t.Errorf("Retry-After %v reported as a wait of %v", after, d)
		}
	}
}

// TestValidateDefinitionsReportsAnInvalidOne: one invalid definition among valid ones fails the
// set, with its own error.
func TestValidateDefinitionsReportsAnInvalidOne(t *testing.T) {
	t.Parallel()
	body := func(context.Context, workflow.Run, []byte) ([]byte, error) { return nil, nil }
	defs := []workflow.Definition{
		{Name: "stripe.event.v1", Queue: "billing", Body: body},
		{Name: "business.context.v1", Queue: "onboarding"}, // no Body
	}
	if err := workflow.ValidateDefinitions(defs); err == nil {
		t.Error("a definition without a Body was accepted")
	}
	if err := workflow.ValidateDefinitions(defs[:1]); err != nil {
		t.Errorf("a valid set: %v", err)
	}
}

// TestRetrierWithoutATimeoutLeavesTheContextAlone: a policy without a per-attempt timeout runs
// the step under the caller's context itself — live, with no deadline of its own.
func TestRetrierWithoutATimeoutLeavesTheContextAlone(t *testing.T) {
	t.Parallel()
	var waits []time.Duration
	_, err := recorder(&waits).Run(t.Context(), workflow.Policy{MaxAttempts: 1}, func(ctx context.Context) ([]byte, error) {
		if _, has := ctx.Deadline(); has || ctx.Err() != nil {
			return nil, workflow.Permanent(errors.New("the step got a bounded or dead context"))
		}
		return []byte("ok"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
