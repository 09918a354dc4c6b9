package jwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
)

// rsaPublicPEM is what an attacker can download: the RSA public key as PEM.
func rsaPublicPEM(t *testing.T) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&rsaKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// tamper replaces the payload of a signed token, keeping header and signature.
func tamper(t *testing.T, token string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	edit(payload)
	out, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return parts[0] + "." + b64(out) + "." + parts[2]
}

// TestTokenMatrix is issue 3's token matrix against a verifier that accepts HS256 (legacy
// secret) and ES256/RS256 (JWKS from a fake Supabase), with an issuer configured.
func TestTokenMatrix(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"), rsaJWK(rsaKey(), "k-rsa"), ecJWK(ecKey(), "k-ec-noalg", ""))
	v := newVerifier(t, jwt.Config{HS256Secret: testSecret, JWKSURL: fake.URL(), Issuer: testIssuer, RefreshFloor: time.Hour})
	now := time.Now()
	otherEC := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	hs := func(c gojwt.MapClaims) string { return sign(t, gojwt.SigningMethodHS256, []byte(testSecret), "", c) }
	es := func(c gojwt.MapClaims) string { return sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", c) }

	cases := []struct {
		name  string
		token string
		want  *apperr.Error // nil: accepted
	}{
		{"valid HS256", hs(claims()), nil},
		{"valid ES256 via JWKS", es(claims()), nil},
		{"valid RS256 via JWKS", sign(t, gojwt.SigningMethodRS256, rsaKey(), "k-rsa", claims()), nil},
		{"audience list containing authenticated", hs(with(func(c gojwt.MapClaims) { c["aud"] = []string{"other", "authenticated"} })), nil},
		{"expired", hs(with(func(c gojwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), identity.ErrTokenExpired},
		{"expired within leeway", hs(with(func(c gojwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() })), nil},
		{"expired ES256", es(with(func(c gojwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() })), identity.ErrTokenExpired},
		{"not yet valid", hs(with(func(c gojwt.MapClaims) { c["nbf"] = now.Add(2 * time.Minute).Unix() })), identity.ErrTokenNotYetValid},
		{"nbf within leeway", hs(with(func(c gojwt.MapClaims) { c["nbf"] = now.Add(10 * time.Second).Unix() })), nil},
		{"wrong audience", hs(with(func(c gojwt.MapClaims) { c["aud"] = "anon" })), identity.ErrTokenAudience},
		{"missing audience", hs(with(func(c gojwt.MapClaims) { delete(c, "aud") })), identity.ErrTokenAudience},
		{"wrong issuer", hs(with(func(c gojwt.MapClaims) { c["iss"] = "https://evil.supabase.co/auth/v1" })), identity.ErrTokenIssuer},
		{"missing issuer", hs(with(func(c gojwt.MapClaims) { delete(c, "iss") })), identity.ErrTokenIssuer},
		{"expired and wrong audience reports expiry", hs(with(func(c gojwt.MapClaims) {
			c["exp"], c["aud"] = now.Add(-time.Hour).Unix(), "anon"
		})), identity.ErrTokenExpired},
		{"missing exp", hs(with(func(c gojwt.MapClaims) { delete(c, "exp") })), identity.ErrTokenMalformed},
		{"exp of the wrong type", hs(with(func(c gojwt.MapClaims) { c["exp"] = "tomorrow" })), identity.ErrTokenMalformed},
		{"alg none", rawToken(t, map[string]any{"alg": "none", "typ": "JWT"}, claims(), ""), identity.ErrTokenAlgorithm},
		{"alg none with a signature", rawToken(t, map[string]any{"alg": "none"}, claims(), b64([]byte("sig"))), identity.ErrTokenAlgorithm},
		{"alg missing", rawToken(t, map[string]any{"typ": "JWT"}, claims(), b64([]byte("sig"))), identity.ErrTokenAlgorithm},
		{"alg unknown", rawToken(t, map[string]any{"alg": "XS999"}, claims(), b64([]byte("sig"))), identity.ErrTokenAlgorithm},
		{"HS512 with the right secret", sign(t, gojwt.SigningMethodHS512, []byte(testSecret), "", claims()), identity.ErrTokenAlgorithm},
		{"HS256 MACed with the RSA public key PEM", sign(t, gojwt.SigningMethodHS256, rsaPublicPEM(t), "k-rsa", claims()), identity.ErrTokenInvalid},
		{"HS256 MACed with the EC key's JWK x", sign(t, gojwt.SigningMethodHS256, []byte(ecJWK(ecKey(), "", "")["x"].(string)), "k-ec", claims()), identity.ErrTokenInvalid},
		{"ES256 signed by another key under a known kid", sign(t, gojwt.SigningMethodES256, otherEC, "k-ec", claims()), identity.ErrTokenInvalid},
		{"ES256 without kid", sign(t, gojwt.SigningMethodES256, ecKey(), "", claims()), identity.ErrTokenUnknownKey},
		{"RS256 naming an ES256 key", sign(t, gojwt.SigningMethodRS256, rsaKey(), "k-ec", claims()), identity.ErrTokenUnknownKey},
		{"RS256 naming an EC key without alg", sign(t, gojwt.SigningMethodRS256, rsaKey(), "k-ec-noalg", claims()), identity.ErrTokenAlgorithm},
		{"tampered HS256 payload", tamper(t, hs(claims()), func(p map[string]any) { p["app_metadata"] = map[string]any{"role": "admin"} }), identity.ErrTokenInvalid},
		{"tampered ES256 payload", tamper(t, es(claims()), func(p map[string]any) { p["sub"] = "11111111-2222-4333-8444-555555555555" }), identity.ErrTokenInvalid},
		{"missing sub", hs(with(func(c gojwt.MapClaims) { delete(c, "sub") })), identity.ErrTokenSubject},
		{"non-UUID sub", hs(with(func(c gojwt.MapClaims) { c["sub"] = "admin" })), identity.ErrTokenSubject},
		{"crit header", func() string {
			tok := gojwt.NewWithClaims(gojwt.SigningMethodHS256, claims())
			tok.Header["crit"] = []string{"exp"}
			return must(tok.SignedString([]byte(testSecret)))
		}(), identity.ErrTokenMalformed},
		{"empty", "", identity.ErrTokenMissing},
		{"one segment", "abc", identity.ErrTokenMalformed},
		{"bad base64", "a.b.c", identity.ErrTokenMalformed},
		{"header not JSON", b64([]byte("nope")) + "." + b64([]byte("{}")) + ".", identity.ErrTokenMalformed},
		{"oversized", strings.Repeat("a", 17<<10), identity.ErrTokenMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got.UserID != testUserID {
					t.Errorf("UserID = %q", got.UserID)
				}
				return
			}
			assertRefused(t, err, tc.want, tc.token)
		})
	}
	// Every kid in the matrix is cached (or refused without a lookup): one fetch at start-up and
	// none after. Cleanup runs once the parallel subtests are done.
	t.Cleanup(func() {
		if n := fake.hits.Load(); n != 1 {
			t.Errorf("JWKS fetched %d times, want 1", n)
		}
	})
}

// TestKeyConfusionWithoutSecret: with only a JWKS configured, an HS256 token MACed with the
// published RSA key is refused before any key is looked at.
func TestKeyConfusionWithoutSecret(t *testing.T) {
	t.Parallel()
	fake := newFakeJWKS(t, rsaJWK(rsaKey(), "k-rsa"))
	v := newVerifier(t, jwt.Config{JWKSURL: fake.URL()})
	for name, secret := range map[string][]byte{
		"PEM":     rsaPublicPEM(t),
		"modulus": rsaKey().N.Bytes(),
	} {
		token := sign(t, gojwt.SigningMethodHS256, secret, "k-rsa", claims())
		_, err := v.Verify(context.Background(), token)
		if err == nil {
			t.Fatalf("%s: forged HS256 token accepted", name)
		}
		assertRefused(t, err, identity.ErrTokenAlgorithm, token)
	}
	// And a genuine RS256 token still works on that verifier.
	if _, err := v.Verify(context.Background(), sign(t, gojwt.SigningMethodRS256, rsaKey(), "k-rsa", claims())); err != nil {
		t.Fatalf("RS256: %v", err)
	}
}

func TestHS256OnlyRefusesAsymmetricAndNoSecretRefusesHS256(t *testing.T) {
	t.Parallel()
	hsOnly := newVerifier(t, jwt.Config{HS256Secret: testSecret})
	token := sign(t, gojwt.SigningMethodES256, ecKey(), "k-ec", claims())
	_, err := hsOnly.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrTokenAlgorithm, token)

	fake := newFakeJWKS(t, ecJWK(ecKey(), "k-ec", "ES256"))
	jwksOnly := newVerifier(t, jwt.Config{JWKSURL: fake.URL()})
	token = sign(t, gojwt.SigningMethodHS256, []byte(testSecret), "", claims())
	_, err = jwksOnly.Verify(context.Background(), token)
	assertRefused(t, err, identity.ErrTokenAlgorithm, token)
}

func TestClaimsMapping(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, jwt.Config{HS256Secret: testSecret})
	exp := time.Now().Add(30 * time.Minute).Truncate(time.Second)
	verify := func(c gojwt.MapClaims) identity.Claims {
		t.Helper()
		got, err := v.Verify(context.Background(), sign(t, gojwt.SigningMethodHS256, []byte(testSecret), "", c))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		return got
	}

	got := verify(with(func(c gojwt.MapClaims) {
		c["sub"] = strings.ToUpper(testUserID)
		c["exp"] = exp.Unix()
		c["app_metadata"] = map[string]any{"provider": "google", "role": "admin"}
		c["user_metadata"] = map[string]any{"name": "Ada", "picture": "https://example.com/a.png"}
	}))
	want := identity.Claims{UserID: testUserID, Email: "user@example.com", FullName: "Ada",
		AvatarURL: "https://example.com/a.png", Operator: true, ExpiresAt: exp}
	if !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want.ExpiresAt)
	}
	got.ExpiresAt = want.ExpiresAt
	if got != want {
		t.Errorf("claims = %+v, want %+v", got, want)
	}

	// user_metadata is user-editable: it never makes an operator, and odd types in it are ignored.
	got = verify(with(func(c gojwt.MapClaims) {
		c["user_metadata"] = map[string]any{"role": "admin", "full_name": 42, "name": "Fallback", "avatar_url": "https://example.com/b.png"}
		c["app_metadata"] = map[string]any{"role": true}
	}))
	if got.Operator || got.FullName != "Fallback" || got.AvatarURL != "https://example.com/b.png" {
		t.Errorf("claims = %+v", got)
	}

	// Supabase without a configured issuer: no iss, no nbf, no jti — accepted when Issuer is empty.
	got = verify(with(func(c gojwt.MapClaims) { delete(c, "iss"); delete(c, "user_metadata") }))
	if got.FullName != "" || got.Operator {
		t.Errorf("claims = %+v", got)
	}
}
