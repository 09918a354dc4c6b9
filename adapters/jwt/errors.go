package jwt

import (
	"errors"
	"slices"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
)

// classify maps a golang-jwt parse error to one identity sentinel carrying err as its cause.
// Errors raised by keyFor are already sentinels and are returned as they are.
//
// When the claims fail several checks at once, the first of this order wins: malformed, expired,
// not yet valid, audience, issuer — so a client holding an expired token is told to refresh it.
func (v *Verifier) classify(err error, tok *gojwt.Token, c *tokenClaims) error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	wrap := func(sentinel *apperr.Error) error { return sentinel.WithCause(err) }
	switch {
	case errors.Is(err, gojwt.ErrTokenMalformed):
		return wrap(identity.ErrTokenMalformed)
	case tok != nil && tok.Method == nil:
		// alg missing or not a known JWS algorithm.
		return wrap(identity.ErrTokenAlgorithm)
	case errors.Is(err, gojwt.ErrTokenSignatureInvalid):
		// golang-jwt reports a method outside WithValidMethods (including "none") as an invalid
		// signature; tell the two apart.
		if tok != nil && !slices.Contains(v.allowed, tok.Method.Alg()) {
			return wrap(identity.ErrTokenAlgorithm)
		}
		return wrap(identity.ErrTokenInvalid)
	case errors.Is(err, gojwt.ErrTokenUnverifiable):
		// keyFor returns sentinels itself; this covers any other "no key" outcome.
		return wrap(identity.ErrTokenUnknownKey)
	case errors.Is(err, gojwt.ErrInvalidType):
		return wrap(identity.ErrTokenMalformed)
	case errors.Is(err, gojwt.ErrTokenRequiredClaimMissing) && c.ExpiresAt == nil:
		return wrap(identity.ErrTokenMalformed) // an access token always carries exp
	case errors.Is(err, gojwt.ErrTokenExpired):
		return wrap(identity.ErrTokenExpired)
	case errors.Is(err, gojwt.ErrTokenNotValidYet):
		return wrap(identity.ErrTokenNotYetValid)
	case errors.Is(err, gojwt.ErrTokenInvalidAudience):
		return wrap(identity.ErrTokenAudience)
	case errors.Is(err, gojwt.ErrTokenInvalidIssuer):
		return wrap(identity.ErrTokenIssuer)
	case errors.Is(err, gojwt.ErrTokenRequiredClaimMissing):
		// golang-jwt does not say which claim is missing; the decoded payload does.
		if len(c.Audience) == 0 || (len(c.Audience) == 1 && c.Audience[0] == "") {
			return wrap(identity.ErrTokenAudience)
		}
		return wrap(identity.ErrTokenIssuer)
	default:
		return wrap(identity.ErrTokenInvalid)
	}
}
