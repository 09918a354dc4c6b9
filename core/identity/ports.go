package identity

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/identitymock/ports_mock.go -package=identitymock

import "context"

// TokenVerifier checks an access token and returns its claims.
//
// Verify returns an apperr.Unauthenticated error with one of this package's codes for every
// token that must be refused (malformed, bad signature, disallowed algorithm, expired, not yet
// valid, wrong audience or issuer, missing or non-UUID subject, unknown key, a stored claim out of
// bounds — Claims.CheckStored holds for every Claims it returns). It returns an
// apperr.Unavailable error only when the key set cannot be fetched and no cached key applies.
// Error messages never contain the token.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (Claims, error)
}
