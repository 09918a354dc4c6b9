// Package identity turns a bearer token into verified claims. Verification itself is a port
// (TokenVerifier) implemented by adapters/jwt; this package owns the vocabulary: what a verified
// caller looks like and which stable codes a rejected token gets.
package identity
