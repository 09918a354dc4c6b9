package jwt

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/core/tenant"
)

// DefaultMintTTL is the lifetime of a minted token when MintClaims.TTL is zero (Supabase's
// default access-token lifetime).
const DefaultMintTTL = time.Hour

// MintClaims describes a development or test token.
type MintClaims struct {
	UserID    string        // required, a UUID (lower-cased in the token)
	Email     string        // the email claim
	FullName  string        // user_metadata.full_name; omitted when empty
	AvatarURL string        // user_metadata.avatar_url; omitted when empty
	Anonymous bool          // a Supabase anonymous sign-in: is_anonymous true, amr method "anonymous"
	Admin     bool          // sets app_metadata.role = "admin" (an operator)
	TTL       time.Duration // exp − iat; zero means DefaultMintTTL, negative is refused
	Issuer    string        // iss; omitted when empty, as Supabase Auth does without a configured issuer
	Audience  string        // aud; default "authenticated"
	Now       time.Time     // iat; zero means time.Now()
}

// MintHS256 signs a token shaped like a Supabase Auth access token:
// header {"alg":"HS256","typ":"JWT"} without kid; claims sub, aud, exp, iat, iss (if set), email,
// phone "", role "authenticated", aal "aal1", amr, a random session_id, is_anonymous,
// app_metadata {provider, providers[, role]} and user_metadata. It is for development and tests:
// hosts must refuse to mint outside development (issue 3 item 4). The secret is never echoed in
// errors.
func MintHS256(secret string, c MintClaims) (string, error) {
	if len(secret) < MinSecretBytes {
		return "", fmt.Errorf("mint: secret must be at least %d bytes", MinSecretBytes)
	}
	sub, ok := tenant.ParseUUID(c.UserID)
	if !ok {
		return "", errors.New("mint: user id must be a UUID")
	}
	if c.TTL < 0 {
		return "", fmt.Errorf("mint: TTL must not be negative, got %s", c.TTL)
	}
	if c.TTL == 0 {
		c.TTL = DefaultMintTTL
	}
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	iat := c.Now.Unix()
	appMeta := map[string]any{"provider": "email", "providers": []string{"email"}}
	if c.Admin {
		appMeta["role"] = "admin"
	}
	userMeta := map[string]any{}
	if c.FullName != "" {
		userMeta["full_name"] = c.FullName
	}
	if c.AvatarURL != "" {
		userMeta["avatar_url"] = c.AvatarURL
	}
	method := "password"
	if c.Anonymous {
		method = "anonymous"
	}
	claims := gojwt.MapClaims{
		"sub":           sub,
		"aud":           c.Audience,
		"iat":           iat,
		"exp":           c.Now.Add(c.TTL).Unix(),
		"email":         c.Email,
		"phone":         "",
		"role":          "authenticated",
		"aal":           "aal1",
		"amr":           []map[string]any{{"method": method, "timestamp": iat}},
		"session_id":    randomUUID(),
		"is_anonymous":  c.Anonymous,
		"app_metadata":  appMeta,
		"user_metadata": userMeta,
	}
	if c.Issuer != "" {
		claims["iss"] = c.Issuer
	}
	signed, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		return "", fmt.Errorf("mint: sign: %w", err)
	}
	return signed, nil
}

// randomUUID returns a version 4 UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
