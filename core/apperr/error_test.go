package apperr_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/oslira/oslira/core/apperr"
)

func TestKindOfAndCodeOf(t *testing.T) {
	t.Parallel()
	sentinel := apperr.New(apperr.PaymentRequired, "credits.insufficient", "not enough credits")
	cases := []struct {
		name     string
		err      error
		wantKind apperr.Kind
		wantCode string
	}{
		{"plain error is internal", errors.New("boom"), apperr.Internal, apperr.CodeInternal},
		{"nil is internal", nil, apperr.Internal, apperr.CodeInternal},
		{"app error", sentinel, apperr.PaymentRequired, "credits.insufficient"},
		{"wrapped with fmt", fmt.Errorf("spend: %w", sentinel), apperr.PaymentRequired, "credits.insufficient"},
		{"outermost wins", apperr.Wrap(sentinel, apperr.Conflict, "x.y", "m"), apperr.Conflict, "x.y"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := apperr.KindOf(tc.err); got != tc.wantKind {
				t.Errorf("KindOf = %v, want %v", got, tc.wantKind)
			}
			if got := apperr.CodeOf(tc.err); got != tc.wantCode {
				t.Errorf("CodeOf = %q, want %q", got, tc.wantCode)
			}
		})
	}
}

func TestIsMatchesByKindAndCode(t *testing.T) {
	t.Parallel()
	sentinel := apperr.New(apperr.NotFound, "lead.not-found", "lead not found")
	copyOfSentinel := apperr.New(apperr.NotFound, "lead.not-found", "other words")
	other := apperr.New(apperr.NotFound, "business.not-found", "business not found")

	if !errors.Is(fmt.Errorf("ctx: %w", copyOfSentinel), sentinel) {
		t.Error("an error with the same kind and code must match the sentinel")
	}
	if errors.Is(other, sentinel) {
		t.Error("a different code must not match")
	}
	if !errors.Is(sentinel.WithCause(errors.New("db")), sentinel) {
		t.Error("WithCause keeps identity")
	}
	if errors.Is(sentinel, errors.New("lead.not-found")) {
		t.Error("a non-apperr target must not match")
	}
}

func TestWithCauseAndMessageDoNotMutateSentinel(t *testing.T) {
	t.Parallel()
	sentinel := apperr.New(apperr.Invalid, "a.b", "original")
	cause := errors.New("root cause")
	wrapped := sentinel.WithCause(cause).WithMessage("specific")
	if sentinel.Cause != nil || sentinel.Message != "original" {
		t.Fatalf("sentinel mutated: %+v", sentinel)
	}
	if !errors.Is(wrapped, cause) {
		t.Error("cause must be reachable through Unwrap")
	}
	if wrapped.Message != "specific" {
		t.Errorf("message = %q", wrapped.Message)
	}
	if got := wrapped.Error(); !strings.Contains(got, "a.b") || !strings.Contains(got, "root cause") {
		t.Errorf("Error() = %q, want code and cause", got)
	}
	if got := apperr.New(apperr.Invalid, "a.b", "").Error(); got != "a.b" {
		t.Errorf("Error() without message = %q", got)
	}
}

func TestValidationCarriesFields(t *testing.T) {
	t.Parallel()
	err := apperr.Validation("request.invalid", "bad input",
		apperr.FieldError{Field: "amount", Message: "must be between 10 and 10000"})
	if err.Kind != apperr.Invalid || len(err.Fields) != 1 || err.Fields[0].Field != "amount" {
		t.Fatalf("unexpected validation error: %+v", err)
	}
	if e, ok := apperr.As(fmt.Errorf("x: %w", err)); !ok || e != err {
		t.Error("As must find the validation error")
	}
	if _, ok := apperr.As(errors.New("x")); ok {
		t.Error("As must not find an *Error in a plain error")
	}
}

func TestKindTables(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, k := range apperr.Kinds() {
		name := k.String()
		if name == "unknown" || seen[name] {
			t.Errorf("kind %d has a missing or duplicate name %q", k, name)
		}
		seen[name] = true
	}
	// The first value past the last kind, and one far past it, are out of range.
	for _, k := range []apperr.Kind{apperr.Kind(len(apperr.Kinds())), 200} {
		if k.String() != "unknown" {
			t.Errorf("out-of-range kind %d prints %q, want unknown", k, k.String())
		}
	}
	retryable := map[apperr.Kind]bool{apperr.Unavailable: true, apperr.RateLimited: true}
	for _, k := range apperr.Kinds() {
		if k.Retryable() != retryable[k] {
			t.Errorf("%v.Retryable() = %v", k, k.Retryable())
		}
	}
	levels := map[apperr.Kind]apperr.Level{
		apperr.Internal: apperr.LevelCritical, apperr.Unavailable: apperr.LevelWarn,
		apperr.RateLimited: apperr.LevelWarn, apperr.Invalid: apperr.LevelInfo,
		apperr.Unauthenticated: apperr.LevelInfo, apperr.Forbidden: apperr.LevelInfo,
		apperr.NotFound: apperr.LevelInfo, apperr.Conflict: apperr.LevelInfo,
		apperr.PaymentRequired: apperr.LevelInfo,
	}
	for _, k := range apperr.Kinds() {
		if k.Level() != levels[k] {
			t.Errorf("%v.Level() = %v, want %v", k, k.Level(), levels[k])
		}
	}
	names := map[apperr.Level]string{apperr.LevelInfo: "INFO", apperr.LevelWarn: "WARN", apperr.LevelError: "ERROR", apperr.LevelCritical: "CRITICAL"}
	for l, want := range names {
		if l.String() != want {
			t.Errorf("level %d = %q, want %q", l, l.String(), want)
		}
	}
}
