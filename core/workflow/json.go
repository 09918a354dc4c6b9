package workflow

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/oslira/oslira/core/apperr"
)

// Do is Run.Step for a typed result: fn's value is stored as JSON and decoded on replay. A value
// that cannot be encoded or decoded is a permanent failure (a bug, not bad luck).
//
//	profile, err := workflow.Do(ctx, run, "scrape", workflow.Standard,
//		func(ctx context.Context) (lead.Profile, error) { return scraper.Profile(ctx, handle) })
func Do[T any](ctx context.Context, run Run, name string, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	out, err := run.Step(ctx, name, p, func(ctx context.Context) ([]byte, error) {
		v, err := fn(ctx)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, Permanent(fmt.Errorf("step %q: encode output: %w", name, err))
		}
		return b, nil
	})
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(out, &v); err != nil {
		return zero, Permanent(fmt.Errorf("step %q: decode output: %w", name, err))
	}
	return v, nil
}

// Decode reads a body's JSON input into T. Input that does not decode is a permanent Invalid
// error: no retry will fix it.
func Decode[T any](input []byte) (T, error) {
	var v T
	if err := json.Unmarshal(input, &v); err != nil {
		return v, Permanent(apperr.Wrap(err, apperr.Invalid, apperr.CodeInvalidRequest, "the workflow input does not decode"))
	}
	return v, nil
}

// EncodeInput is how engines turn Start's input into JSON: nil is null, []byte and
// json.RawMessage must already hold JSON, anything else goes through json.Marshal.
func EncodeInput(input any) (json.RawMessage, error) {
	var b []byte
	switch v := input.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case json.RawMessage:
		b = v
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, apperr.CodeInvalidRequest, "the workflow input cannot be encoded as JSON")
		}
		return b, nil
	}
	if !json.Valid(b) {
		return nil, apperr.New(apperr.Invalid, apperr.CodeInvalidRequest, "the workflow input is not JSON")
	}
	return append(json.RawMessage(nil), b...), nil
}

// EncodeOutput is how engines check a body's output: empty is null, anything else must be JSON
// (otherwise the run fails with a permanent Internal error — the body has a bug).
func EncodeOutput(out []byte) (json.RawMessage, error) {
	if len(out) == 0 {
		return json.RawMessage("null"), nil
	}
	if !json.Valid(out) {
		return nil, Permanent(apperr.New(apperr.Internal, apperr.CodeInternal, "the workflow output is not JSON"))
	}
	return append(json.RawMessage(nil), out...), nil
}
