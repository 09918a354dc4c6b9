package workflow_test

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

func init() { gob.Register(&workflow.Error{}) }

// gobRoundTrip stores err the way the DBOS adapter does (an interface value, gob-encoded) and
// reads it back.
func gobRoundTrip(t *testing.T, err error) error {
	t.Helper()
	var buf bytes.Buffer
	if e := gob.NewEncoder(&buf).Encode(&err); e != nil {
		t.Fatalf("gob encode %T: %v", err, e)
	}
	var back error
	if e := gob.NewDecoder(&buf).Decode(&back); e != nil {
		t.Fatalf("gob decode: %v", e)
	}
	return back
}

var errBusiness = apperr.New(apperr.PaymentRequired, "credits.insufficient", "not enough credits")

func TestPermanenceRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"business apperr", errBusiness, true},
		{"wrapped business apperr", fmt.Errorf("charge: %w", errBusiness), true},
		{"unavailable", apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down"), false},
		{"rate limited", apperr.New(apperr.RateLimited, apperr.CodeRateLimited, "slow down"), false},
		{"unclassified is internal", errors.New("boom"), true},
		{"explicit permanent unavailable", workflow.Permanent(apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")), true},
		{"flattened unavailable", workflow.Flatten(apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")), false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		if got := workflow.IsPermanent(c.err); got != c.want {
			t.Errorf("%s: IsPermanent = %v, want %v", c.name, got, c.want)
		}
	}
	if workflow.Permanent(nil) != nil || workflow.Flatten(nil) != nil {
		t.Error("Permanent(nil) and Flatten(nil) must be nil")
	}
}

func TestFlattenedErrorsSurviveGob(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		err       error
		kind      apperr.Kind
		code      string
		permanent bool
	}{
		{"business", fmt.Errorf("step: %w", errBusiness), apperr.PaymentRequired, "credits.insufficient", true},
		{"transient", apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down"), apperr.Unavailable, apperr.CodeUnavailable, false},
		{"explicit permanent", workflow.Permanent(apperr.New(apperr.RateLimited, apperr.CodeRateLimited, "quota")), apperr.RateLimited, apperr.CodeRateLimited, true},
		{"unclassified", errors.New("boom"), apperr.Internal, apperr.CodeInternal, true},
	}
	for _, c := range cases {
		back := gobRoundTrip(t, workflow.Flatten(c.err))
		var we *workflow.Error
		if !errors.As(back, &we) {
			t.Fatalf("%s: read back %T, want *workflow.Error", c.name, back)
		}
		if we.Kind != c.kind || we.Code != c.code || we.Permanent != c.permanent {
			t.Errorf("%s: read back %+v", c.name, we)
		}
		if apperr.KindOf(back) != c.kind || apperr.CodeOf(back) != c.code {
			t.Errorf("%s: apperr sees kind %v code %q after the round trip", c.name, apperr.KindOf(back), apperr.CodeOf(back))
		}
		if workflow.IsPermanent(back) != c.permanent {
			t.Errorf("%s: IsPermanent after the round trip = %v", c.name, !c.permanent)
		}
	}
	if back := gobRoundTrip(t, workflow.Flatten(errBusiness)); !errors.Is(back, errBusiness) {
		t.Error("errors.Is against the apperr sentinel fails after the round trip")
	}
	if got := gobRoundTrip(t, workflow.Flatten(errors.New("boom"))).Error(); got != "internal: boom" {
		t.Errorf("unclassified message = %q", got)
	}
}

func TestFlattenKeepsTheCauseInProcess(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("driver detail")
	err := workflow.Flatten(fmt.Errorf("save: %w", apperr.Wrap(sentinel, apperr.Unavailable, apperr.CodeUnavailable, "db down")))
	if !errors.Is(err, sentinel) {
		t.Error("the cause is lost in-process")
	}
	if apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("KindOf = %v", apperr.KindOf(err))
	}
	// A flattened error flattened again keeps its own fields.
	again := workflow.Flatten(fmt.Errorf("outer: %w", workflow.Permanent(err)))
	var we *workflow.Error
	if !errors.As(again, &we) || !we.Permanent || we.Kind != apperr.Unavailable {
		t.Errorf("re-flatten = %+v", we)
	}
}

func TestPanickedIsPermanentInternal(t *testing.T) {
	t.Parallel()
	err := workflow.Panicked("nil map")
	if !workflow.IsPermanent(err) || apperr.KindOf(err) != apperr.Internal {
		t.Errorf("Panicked = %v (permanent %v, kind %v)", err, workflow.IsPermanent(err), apperr.KindOf(err))
	}
}

func TestRetryAfterOf(t *testing.T) {
	t.Parallel()
	if _, ok := workflow.RetryAfterOf(errors.New("x")); ok {
		t.Error("plain error has no Retry-After")
	}
	err := fmt.Errorf("call: %w", workflow.WithRetryAfter(errors.New("429"), 3*time.Second))
	if d, ok := workflow.RetryAfterOf(err); !ok || d != 3*time.Second {
		t.Errorf("RetryAfterOf = %v, %v", d, ok)
	}
	if workflow.WithRetryAfter(nil, time.Second) != nil {
		t.Error("WithRetryAfter(nil) must be nil")
	}
}
