package workflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

// stubRun runs every step once, without checkpoints.
type stubRun struct{}

func (stubRun) ID() string { return "stub" }
func (stubRun) Step(ctx context.Context, _ string, _ workflow.Policy, fn workflow.StepFunc) ([]byte, error) {
	return fn(ctx)
}
func (stubRun) Progress(context.Context, workflow.Progress) error { return nil }

func TestDoEncodesAndDecodes(t *testing.T) {
	t.Parallel()
	type profile struct{ Handle string }
	got, err := workflow.Do(t.Context(), stubRun{}, "scrape", workflow.FastFail,
		func(context.Context) (profile, error) { return profile{Handle: "nasa"}, nil })
	if err != nil || got.Handle != "nasa" {
		t.Fatalf("Do = %+v, %v", got, err)
	}
	_, err = workflow.Do(t.Context(), stubRun{}, "bad", workflow.FastFail,
		func(context.Context) (chan int, error) { return make(chan int), nil })
	if err == nil || !workflow.IsPermanent(err) {
		t.Errorf("unencodable output: err = %v, want a permanent error", err)
	}
	_, err = workflow.Do(t.Context(), stubRun{}, "fail", workflow.FastFail,
		func(context.Context) (int, error) { return 1, errBusiness })
	if !errors.Is(err, errBusiness) {
		t.Errorf("step error = %v", err)
	}
}

func TestDecodeInput(t *testing.T) {
	t.Parallel()
	type in struct{ N int }
	v, err := workflow.Decode[in]([]byte(`{"N":3}`))
	if err != nil || v.N != 3 {
		t.Errorf("Decode = %+v, %v", v, err)
	}
	_, err = workflow.Decode[in]([]byte(`{`))
	if !workflow.IsPermanent(err) || apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("bad input: err = %v (kind %v)", err, apperr.KindOf(err))
	}
}

func TestEncodeInputAndOutput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want string
		ok   bool
	}{
		{nil, "null", true},
		{map[string]int{"a": 1}, `{"a":1}`, true},
		{[]byte(`{"b":2}`), `{"b":2}`, true},
		{json.RawMessage(`[1]`), `[1]`, true},
		{[]byte(`not json`), "", false},
		{make(chan int), "", false},
	}
	for _, c := range cases {
		got, err := workflow.EncodeInput(c.in)
		if (err == nil) != c.ok || c.ok && string(got) != c.want {
			t.Errorf("EncodeInput(%v) = %s, %v", c.in, got, err)
		}
		if err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("EncodeInput(%v) kind = %v, want Invalid", c.in, apperr.KindOf(err))
		}
	}
	if out, err := workflow.EncodeOutput(nil); err != nil || string(out) != "null" {
		t.Errorf("EncodeOutput(nil) = %s, %v", out, err)
	}
	if _, err := workflow.EncodeOutput([]byte("x")); err == nil || !workflow.IsPermanent(err) {
		t.Errorf("EncodeOutput(non-JSON) = %v", err)
	}
}

func TestTxCarrier(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	if workflow.TxFrom(ctx) != nil {
		t.Error("a bare context carries no transaction")
	}
	tx := &struct{ name string }{"tx"}
	inner := workflow.WithTx(ctx, tx)
	if workflow.TxFrom(inner) != tx {
		t.Error("TxFrom does not return the carried transaction")
	}
	if workflow.TxFrom(workflow.WithTx(inner, nil)) != nil {
		t.Error("WithTx(nil) must hide the outer transaction")
	}
}

func TestDefinitionValidation(t *testing.T) {
	t.Parallel()
	body := func(context.Context, workflow.Run, []byte) ([]byte, error) { return nil, nil }
	good := workflow.Definition{Name: "stripe.event.v1", Queue: "billing", Body: body}
	if err := good.Validate(); err != nil {
		t.Errorf("valid definition: %v", err)
	}
	bad := []workflow.Definition{
		{Name: "", Queue: "q", Body: body},
		{Name: "Upper", Queue: "q", Body: body},
		{Name: "ok", Queue: "_dbos_internal_queue", Body: body},
		{Name: "ok", Queue: "q"},
	}
	for _, d := range bad {
		if d.Validate() == nil {
			t.Errorf("Validate(%+v) = nil", d)
		}
	}
	if workflow.ValidateDefinitions([]workflow.Definition{good, good}) == nil {
		t.Error("duplicate names must be rejected")
	}
	f := workflow.Filter{}
	if f.EffectiveLimit() != workflow.DefaultListLimit {
		t.Error("zero Limit must mean the default")
	}
	f.Limit = 1e6
	if f.EffectiveLimit() != workflow.MaxListLimit {
		t.Error("Limit must be capped")
	}
	for _, s := range workflow.States() {
		if s.Terminal() != (s == workflow.StateSucceeded || s == workflow.StateFailed || s == workflow.StateCancelled) {
			t.Errorf("%s.Terminal() is wrong", s)
		}
	}
}
