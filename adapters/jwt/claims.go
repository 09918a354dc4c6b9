package jwt

import (
	"errors"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// tokenClaims is the part of a Supabase access-token payload this API reads.
// The metadata objects are decoded loosely: user_metadata is user-editable, and a user who stores
// a number in full_name must not lock themselves out.
type tokenClaims struct {
	gojwt.RegisteredClaims
	Email        string         `json:"email"`
	IsAnonymous  bool           `json:"is_anonymous"`
	AppMetadata  map[string]any `json:"app_metadata"`
	UserMetadata map[string]any `json:"user_metadata"`
}

// toIdentity checks the subject and maps the payload to identity.Claims. Operator comes only
// from app_metadata (server-controlled); user_metadata supplies display fields only. IsAnonymous
// is carried as is (the refusal is account.Service's: anonymous callers may still use public
// routes). The stored claims must be within identity's bounds (Claims.CheckStored), else the token
// is refused with identity.ErrTokenClaims: a validly signed token can carry a user-edited
// user_metadata of any size.
func (c *tokenClaims) toIdentity() (identity.Claims, error) {
	if c.Subject == "" {
		return identity.Claims{}, identity.ErrTokenSubject.WithCause(errors.New("sub claim is missing"))
	}
	userID, ok := tenant.ParseUUID(c.Subject)
	if !ok {
		return identity.Claims{}, identity.ErrTokenSubject.WithCause(errors.New("sub claim is not a UUID"))
	}
	out := identity.Claims{
		UserID:      userID,
		Email:       c.Email,
		FullName:    firstString(c.UserMetadata, "full_name", "name"),
		AvatarURL:   firstString(c.UserMetadata, "avatar_url", "picture"),
		Operator:    c.AppMetadata["role"] == "admin",
		IsAnonymous: c.IsAnonymous,
	}
	if c.ExpiresAt != nil {
		out.ExpiresAt = c.ExpiresAt.Time
	}
	if err := out.CheckStored(); err != nil {
		return identity.Claims{}, err
	}
	return out, nil
}

// firstString returns the first of keys whose value in m is a non-empty string.
func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
