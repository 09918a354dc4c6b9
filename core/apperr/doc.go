// Package apperr is the closed vocabulary of failures shared by every layer.
//
// An *Error carries a Kind (what went wrong, from the caller's point of view), a stable Code that
// clients may switch on (listed in contracts/errors.md), a message that is safe to show to a client,
// optional field errors for validation failures, and an optional wrapped cause that is never shown.
//
// Hosts translate kinds once: the HTTP host maps Kind to a status code, the worker maps it to a
// retry decision, the reporter maps it to a log level. Anything that is not an *Error is Internal.
package apperr
