// Package jwt implements core/identity.TokenVerifier for Supabase Auth access tokens, with
// golang-jwt/jwt/v5 and, for the JWKS, MicahParks/keyfunc over MicahParks/jwkset.
//
// # Keys and algorithms
//
// HS256 is accepted only when Config.HS256Secret is set, and is verified only with that secret.
// ES256 and RS256 are accepted only when Config.JWKSURL is set, and are verified only with the
// JWKS key named by the token's kid, which must be an ECDSA P-256 key for ES256 and an RSA key of
// at least 2048 bits for RS256. The key is chosen by the algorithm family, never by anything else
// the token says, so an HS256 token MACed with a public key's bytes meets the secret (or no key at
// all) and fails. "none" and every other algorithm are refused; so are asymmetric tokens without
// a kid and tokens with a "crit" header.
//
// # Claims
//
// exp is required; exp and nbf allow Config.Leeway (≤ 30 s) of clock skew; one aud value must
// equal Config.Audience ("authenticated"); iss must equal Config.Issuer when set; sub must be a
// UUID and is returned lower-cased. iat, nbf and jti are not required (Supabase Auth omits nbf
// and jti). The role claim is not checked: the database scope sets its own role. Operator comes
// only from app_metadata.role == "admin"; user_metadata (user-editable) supplies display fields.
//
// # JWKS cache and refresh (decisions)
//
// New fetches the key set once, waiting at most Config.FetchTimeout, then refreshes it every
// Config.RefreshInterval (10 min) in the background until Close. A token whose kid is not cached
// triggers one more fetch, at most once per Config.RefreshFloor (5 min) across all requests; a
// request that would have to wait longer than FetchTimeout for the floor is refused at once with
// auth.token-unknown-key rather than queued.
//
// If the start-up fetch fails, New still succeeds and logs a warning: HS256 keeps working and
// asymmetric tokens get auth.keys-unavailable (apperr.Unavailable, HTTP 503) until a fetch
// succeeds — the first asymmetric token triggers one, then the floor and the periodic refresh
// apply. More generally, a kid missing from the cache is "unknown key" (401) only while the
// latest fetch succeeded; after a failed fetch it is "keys unavailable", because the key may
// exist upstream. A failed refresh keeps the cached keys.
//
// # Errors
//
// Every refusal is one of core/identity's sentinels with the library error as its cause (for
// logs). Neither the message nor the cause contains the token; causes may name a kid.
package jwt
