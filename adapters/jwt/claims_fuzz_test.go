package jwt_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// FuzzVerifyClaims: any claims JSON in a correctly signed HS256 token is identity.Claims or an
// auth.token-* refusal (401), never a panic. Accepted claims are within the stored bounds
// (Claims.CheckStored) and say what the payload says, read by encoding/json independently: the
// subject as a lower-case UUID, the e-mail, is_anonymous, operator exactly when
// app_metadata.role is "admin" (never from user_metadata), the name and avatar from
// user_metadata's first non-empty string of full_name/name and avatar_url/picture, an expiry
// not in the past. A refusal for the claims or the subject is justified by the payload.
//
// Seeds: testdata/fuzz/FuzzVerifyClaims (Supabase-shaped payloads expiring in 2100: a user, an
// operator, an anonymous sign-in, metadata of the wrong types, claims at and past their bounds).
func FuzzVerifyClaims(f *testing.F) {
	v, err := jwt.New(context.Background(), jwt.Config{HS256Secret: testSecret}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(v.Close)
	f.Fuzz(func(t *testing.T, payload []byte) {
		signingInput := b64([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + b64(payload)
		mac := hmac.New(sha256.New, []byte(testSecret))
		mac.Write([]byte(signingInput))
		sig := b64(mac.Sum(nil))
		token := signingInput + "." + sig

		got, err := v.Verify(context.Background(), token)
		var sent struct {
			Sub          string         `json:"sub"`
			Email        string         `json:"email"`
			IsAnonymous  bool           `json:"is_anonymous"`
			AppMetadata  map[string]any `json:"app_metadata"`
			UserMetadata map[string]any `json:"user_metadata"`
		}
		sentErr := json.NewDecoder(bytes.NewReader(payload)).Decode(&sent) // as the token library reads it
		stored := identity.Claims{
			Email:     sent.Email,
			FullName:  firstNonEmpty(sent.UserMetadata, "full_name", "name"),
			AvatarURL: firstNonEmpty(sent.UserMetadata, "avatar_url", "picture"),
		}
		if err != nil {
			code := apperr.CodeOf(err)
			if apperr.KindOf(err) != apperr.Unauthenticated || !strings.HasPrefix(code, "auth.token-") {
				t.Fatalf("payload %q: err = %v (code %q), want an auth.token-* refusal", payload, err, code)
			}
			if strings.Contains(err.Error(), sig) {
				t.Fatalf("payload %q: the error quotes the token's signature", payload)
			}
			if _, ok := tenant.ParseUUID(sent.Sub); code == identity.CodeTokenSubject && sentErr == nil && ok {
				t.Fatalf("payload %q: subject %q refused", payload, sent.Sub)
			}
			if code == identity.CodeTokenClaims && (sentErr != nil || stored.CheckStored() == nil) {
				t.Fatalf("payload %q refused with %s, but its stored claims %+v are within bounds", payload, code, stored)
			}
			return
		}
		if sentErr != nil {
			t.Fatalf("payload %q accepted, but encoding/json cannot read it: %v", payload, sentErr)
		}
		if err := got.CheckStored(); err != nil {
			t.Fatalf("payload %q: accepted claims %+v out of bounds: %v", payload, got, err)
		}
		if id, ok := tenant.ParseUUID(sent.Sub); !ok || got.UserID != id {
			t.Fatalf("payload %q: user id %q for subject %q", payload, got.UserID, sent.Sub)
		}
		if role, _ := sent.AppMetadata["role"].(string); got.Operator != (role == "admin") {
			t.Fatalf("payload %q: operator = %v with app_metadata.role %q", payload, got.Operator, role)
		}
		if got.Email != stored.Email || got.FullName != stored.FullName || got.AvatarURL != stored.AvatarURL || got.IsAnonymous != sent.IsAnonymous {
			t.Fatalf("payload %q: claims %+v, want e-mail %q, name %q, avatar %q, anonymous %v",
				payload, got, stored.Email, stored.FullName, stored.AvatarURL, sent.IsAnonymous)
		}
		if got.ExpiresAt.Before(time.Now().Add(-jwt.MaxLeeway)) {
			t.Fatalf("payload %q: accepted with expiry %v", payload, got.ExpiresAt)
		}
	})
}

// firstNonEmpty is the first of keys whose value in m is a non-empty string.
func firstNonEmpty(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, _ := m[k].(string); s != "" {
			return s
		}
	}
	return ""
}
