package identity

import "github.com/oslira/oslira/core/apperr"

// Stable codes of rejected credentials. Clients may use them to decide whether to refresh the
// token (expired) or to sign in again (everything else).
const (
	CodeTokenMissing     = "auth.token-missing"
	CodeTokenMalformed   = "auth.token-malformed"
	CodeTokenInvalid     = "auth.token-invalid"
	CodeTokenExpired     = "auth.token-expired"
	CodeTokenNotYetValid = "auth.token-not-yet-valid"
	CodeTokenAudience    = "auth.token-audience"
	CodeTokenIssuer      = "auth.token-issuer"
	CodeTokenAlgorithm   = "auth.token-algorithm"
	CodeTokenUnknownKey  = "auth.token-unknown-key"
	CodeTokenSubject     = "auth.token-subject"
	CodeTokenClaims      = "auth.token-claims"
	CodeKeysUnavailable  = "auth.keys-unavailable"
	CodeOperatorOnly     = "auth.operator-only"
	CodeAccountSuspended = "auth.account-suspended"
	CodeAnonymous        = "auth.anonymous"
)

// Sentinels for each refusal. Verifiers wrap the underlying library error as the cause (for
// logs); the client sees only the code and message.
//
// ErrTokenClaims refuses a validly signed token whose stored claims are out of bounds
// (Claims.CheckStored). ErrAnonymous refuses a Supabase anonymous sign-in on every route that
// needs an account: such callers are not customers (no account, no bonus); only the public routes
// serve them.
var (
	ErrTokenMissing     = apperr.New(apperr.Unauthenticated, CodeTokenMissing, "a bearer token is required")
	ErrTokenMalformed   = apperr.New(apperr.Unauthenticated, CodeTokenMalformed, "the token is malformed")
	ErrTokenInvalid     = apperr.New(apperr.Unauthenticated, CodeTokenInvalid, "the token signature is invalid")
	ErrTokenExpired     = apperr.New(apperr.Unauthenticated, CodeTokenExpired, "the token has expired")
	ErrTokenNotYetValid = apperr.New(apperr.Unauthenticated, CodeTokenNotYetValid, "the token is not valid yet")
	ErrTokenAudience    = apperr.New(apperr.Unauthenticated, CodeTokenAudience, "the token is not meant for this API")
	ErrTokenIssuer      = apperr.New(apperr.Unauthenticated, CodeTokenIssuer, "the token was issued by someone else")
	ErrTokenAlgorithm   = apperr.New(apperr.Unauthenticated, CodeTokenAlgorithm, "the token's signing algorithm is not accepted")
	ErrTokenUnknownKey  = apperr.New(apperr.Unauthenticated, CodeTokenUnknownKey, "the token was signed with an unknown key")
	ErrTokenSubject     = apperr.New(apperr.Unauthenticated, CodeTokenSubject, "the token has no valid subject")
	ErrTokenClaims      = apperr.New(apperr.Unauthenticated, CodeTokenClaims, "the token's e-mail, name or avatar URL is too long or malformed")
	ErrKeysUnavailable  = apperr.New(apperr.Unavailable, CodeKeysUnavailable, "signing keys cannot be fetched right now")
	ErrOperatorOnly     = apperr.New(apperr.Forbidden, CodeOperatorOnly, "this action is for operators only")
	ErrAccountSuspended = apperr.New(apperr.Forbidden, CodeAccountSuspended, "this account is suspended")
	ErrAnonymous        = apperr.New(apperr.Forbidden, CodeAnonymous, "anonymous sign-ins have no account; sign in with an e-mail address or a provider")
)
