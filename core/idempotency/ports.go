package idempotency

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/idempotencymock/ports_mock.go -package=idempotencymock

import (
	"context"
	"time"
)

// Key identifies a remembered request: the caller (Scope, for example "user:<uuid>"), the route
// template ("POST /v1/admin/accounts/:id/credits") and the client's Idempotency-Key.
type Key struct {
	Scope string
	Route string
	Key   string
}

// Response is a stored answer: status, the headers worth replaying, and the body.
type Response struct {
	Status int
	Header map[string]string
	Body   []byte
}

// Record is a key as stored. Response is nil while the first request is in flight.
type Record struct {
	Fingerprint string
	Response    *Response
	LockedUntil time.Time
	ExpiresAt   time.Time
}

// Claim is one attempt to take a key.
type Claim struct {
	Fingerprint string
	Token       string    // identifies this holder in Complete and Release
	Now         time.Time // the clock of the decision
	LockedUntil time.Time // Now + Lease
	ExpiresAt   time.Time // Now + TTL
}

// Store keeps keys.
//
// Claim takes k for c in one atomic step when k is absent, expired (ExpiresAt ≤ c.Now), or
// abandoned (in flight with LockedUntil ≤ c.Now and the same fingerprint), and reports
// claimed=true; otherwise it changes nothing and returns the stored record. existing is nil
// (and claimed false) only when the record vanished between the two (released meanwhile): the
// caller tries again.
//
// Complete stores resp for k if token still holds it, and reports whether it did. Release
// deletes k if token still holds it and no response is stored. Errors are apperr errors
// (Unavailable when storage cannot be reached).
type Store interface {
	Claim(ctx context.Context, k Key, c Claim) (claimed bool, existing *Record, err error)
	Complete(ctx context.Context, k Key, token string, resp Response) (bool, error)
	Release(ctx context.Context, k Key, token string) error
}
