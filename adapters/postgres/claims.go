package postgres

import (
	"encoding/json"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
)

// jwtClaims is what the user scope puts in request.jwt.claims: the subset of a Supabase access
// token that policies and helpers read (auth.uid(), auth.jwt()).
type jwtClaims struct {
	Sub         string         `json:"sub"`
	Role        string         `json:"role"`
	Aud         string         `json:"aud"`
	Email       string         `json:"email"`
	AppMetadata map[string]any `json:"app_metadata"`
}

var errNoUser = apperr.New(apperr.Unauthenticated, apperr.CodeUnauthenticated,
	"a signed-in user is required")

// claimsFor renders p as the JSON claims of an authenticated Supabase user. Operators carry
// app_metadata.role = "admin", which app.is_operator() recognises.
func claimsFor(p tenant.Principal) (string, error) {
	id, ok := tenant.ParseUUID(p.UserID)
	if !ok {
		return "", errNoUser
	}
	meta := map[string]any{}
	if p.IsOperator() {
		meta["role"] = "admin"
	}
	b, err := json.Marshal(jwtClaims{
		Sub: id, Role: "authenticated", Aud: "authenticated", Email: p.Email, AppMetadata: meta,
	})
	if err != nil {
		return "", err
	}
	return string(b), nil
}
