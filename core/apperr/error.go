package apperr

import (
	"errors"
	"strings"
)

// FieldError names one invalid input field and says, safely, what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the application error. Message and Fields are written for the client; Cause is for
// logs only and must never be rendered into a response.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
	Cause   error
}

// New returns an error of the given kind with a stable code and a client-safe message.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap is New with a cause kept for logs. A nil cause yields a plain New.
func Wrap(cause error, kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Cause: cause}
}

// Validation returns an Invalid error listing the offending fields.
func Validation(code, message string, fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Code: code, Message: message, Fields: fields}
}

// Error renders kind, code, message and cause. It is meant for logs; hosts build client bodies
// from the fields instead.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Is matches another *Error by code, so sentinels declared with New work with errors.Is even
// after being copied or re-created (for example after a round trip through a workflow engine).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Kind == e.Kind
}

// WithCause returns a copy of e that wraps cause; the sentinel itself is never mutated.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

// WithMessage returns a copy of e with a more specific client-safe message.
func (e *Error) WithMessage(message string) *Error {
	c := *e
	c.Message = message
	return &c
}

// As returns the outermost *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of the outermost *Error in err's chain, Internal for any other error,
// and Internal for nil (callers should not ask about nil).
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// CodeOf returns the stable code of err, or CodeInternal for errors that are not *Error.
func CodeOf(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return CodeInternal
}
