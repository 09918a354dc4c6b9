package jwt_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

func TestMintHS256RoundTrip(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, jwt.Config{HS256Secret: testSecret, Issuer: testIssuer})
	now := time.Now().Truncate(time.Second)
	token, err := jwt.MintHS256(testSecret, jwt.MintClaims{
		UserID: strings.ToUpper(testUserID), Email: "ops@example.com", FullName: "Op Erator",
		Admin: true, TTL: 10 * time.Minute, Issuer: testIssuer, Now: now,
	})
	if err != nil {
		t.Fatalf("MintHS256: %v", err)
	}
	got, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := identity.Claims{UserID: testUserID, Email: "ops@example.com", FullName: "Op Erator",
		Operator: true, ExpiresAt: now.Add(10 * time.Minute)}
	if !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want.ExpiresAt)
	}
	got.ExpiresAt = want.ExpiresAt
	if got != want {
		t.Errorf("claims = %+v, want %+v", got, want)
	}

	plain, err := jwt.MintHS256(testSecret, jwt.MintClaims{UserID: testUserID, Email: "u@example.com", Issuer: testIssuer})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Verify(context.Background(), plain); err != nil || got.Operator {
		t.Errorf("non-admin token: claims %+v, err %v", got, err)
	}
}

// TestMintHS256Shape checks the token against what Supabase Auth issues (wire-formats §6.1, §10).
func TestMintHS256Shape(t *testing.T) {
	t.Parallel()
	now := time.Unix(1764500000, 0)
	token, err := jwt.MintHS256(testSecret, jwt.MintClaims{UserID: testUserID, Email: "u@example.com", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	var header, payload map[string]any
	decode := func(seg string, into *map[string]any) {
		raw, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatal(err)
		}
	}
	decode(parts[0], &header)
	decode(parts[1], &payload)
	if header["alg"] != "HS256" || header["typ"] != "JWT" || header["kid"] != nil {
		t.Errorf("header = %v", header)
	}
	for k, want := range map[string]any{
		"sub": testUserID, "aud": "authenticated", "iat": 1764500000.0, "exp": 1764503600.0,
		"email": "u@example.com", "phone": "", "role": "authenticated", "aal": "aal1", "is_anonymous": false,
	} {
		if payload[k] != want {
			t.Errorf("%s = %#v, want %#v", k, payload[k], want)
		}
	}
	if _, ok := payload["iss"]; ok {
		t.Error("iss present without an issuer")
	}
	if sid, _ := payload["session_id"].(string); sid == "" {
		t.Error("session_id missing")
	} else if _, ok := tenant.ParseUUID(sid); !ok {
		t.Errorf("session_id %q is not a UUID", sid)
	}
	app, _ := payload["app_metadata"].(map[string]any)
	if app["provider"] != "email" || len(app["providers"].([]any)) != 1 || app["role"] != nil {
		t.Errorf("app_metadata = %v", app)
	}
	if _, ok := payload["user_metadata"].(map[string]any); !ok {
		t.Errorf("user_metadata = %v", payload["user_metadata"])
	}
	if amr, _ := payload["amr"].([]any); len(amr) != 1 {
		t.Errorf("amr = %v", payload["amr"])
	}
}

func TestMintHS256Expired(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, jwt.Config{HS256Secret: testSecret})
	token, err := jwt.MintHS256(testSecret, jwt.MintClaims{UserID: testUserID, TTL: time.Minute, Now: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrTokenExpired, token)
}

func TestMintHS256Refuses(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		secret string
		c      jwt.MintClaims
	}{
		"short secret":  {"too-short", jwt.MintClaims{UserID: testUserID}},
		"non-UUID user": {testSecret, jwt.MintClaims{UserID: "admin"}},
		"empty user":    {testSecret, jwt.MintClaims{}},
		"negative TTL":  {testSecret, jwt.MintClaims{UserID: testUserID, TTL: -time.Second}},
	}
	for name, tc := range cases {
		if _, err := jwt.MintHS256(tc.secret, tc.c); err == nil {
			t.Errorf("%s: minted", name)
		} else if strings.Contains(err.Error(), tc.secret) {
			t.Errorf("%s: error quotes the secret", name)
		}
	}
}
