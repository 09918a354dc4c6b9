package jwt_test

import (
	"context"
	"strings"
	"testing"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/oslira/oslira/adapters/jwt"
	"github.com/oslira/oslira/core/identity"
)

// emailOf returns a plausible address of exactly n octets (n ≥ 70): a 64-octet local part and a
// domain of labels of at most 63 octets.
func emailOf(n int) string {
	local := strings.Repeat("a", 64)
	rest := n - len(local) - 1 - len(".com")
	var labels []string
	for rest > 0 {
		l := min(rest, 63)
		if rest-l == 1 { // never leave a one-octet remainder for a lone dot
			l--
		}
		labels = append(labels, strings.Repeat("d", l))
		rest -= l + 1
	}
	return local + "@" + strings.Join(labels, ".") + ".com"
}

func TestEmailOfHasTheAskedLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{70, 200, 253, 254, 255, 3000} {
		if got := emailOf(n); len(got) != n || strings.Contains(got, "..") {
			t.Errorf("emailOf(%d) = %d octets %q", n, len(got), got)
		}
	}
}

// TestStoredClaimsAreBounded: each stored claim is accepted at its bound and refused one past it
// with auth.token-claims (issue 7 item 7: a 3 kB e-mail used to reach the database and fail its
// unique index with a 500). Malformed values are refused the same way; empty ones are accepted.
func TestStoredClaimsAreBounded(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, jwt.Config{HS256Secret: testSecret})
	meta := func(k, val string) func(gojwt.MapClaims) {
		return func(c gojwt.MapClaims) { c["user_metadata"] = map[string]any{k: val} }
	}
	email := func(val string) func(gojwt.MapClaims) { return func(c gojwt.MapClaims) { c["email"] = val } }
	cases := []struct {
		name string
		edit func(gojwt.MapClaims)
		ok   bool
	}{
		{"email of 254 octets", email(emailOf(identity.MaxEmailBytes)), true},
		{"email of 255 octets", email(emailOf(identity.MaxEmailBytes + 1)), false},
		{"email of 3000 octets", email(emailOf(3000)), false},
		{"empty email (phone sign-in)", email(""), true},
		{"plus and subdomain", email("ann+tag@mail.example.co.uk"), true},
		{"internationalised", email("jörg@bücher.example"), true},
		{"no at", email("ann.example.com"), false},
		{"two ats", email("ann@b@example.com"), false},
		{"empty local part", email("@example.com"), false},
		{"empty domain", email("ann@"), false},
		{"empty label", email("ann@example..com"), false},
		{"trailing dot", email("ann@example.com."), false},
		{"white space", email("ann smith@example.com"), false},
		{"NUL", email("ann\x00@example.com"), false},
		{"newline", email("ann@example.com\nBcc: x@y.z"), false},
		{"full_name of 256 characters", meta("full_name", strings.Repeat("é", identity.MaxFullNameChars)), true},
		{"full_name of 257 characters", meta("full_name", strings.Repeat("é", identity.MaxFullNameChars+1)), false},
		{"name fallback of 257 characters", meta("name", strings.Repeat("n", identity.MaxFullNameChars+1)), false},
		{"full_name with NUL", meta("full_name", "Ann\x00"), false},
		{"avatar_url of 2048 octets", meta("avatar_url", "https://cdn.example/"+strings.Repeat("p", identity.MaxAvatarURLBytes-20)), true},
		{"avatar_url of 2049 octets", meta("avatar_url", "https://cdn.example/"+strings.Repeat("p", identity.MaxAvatarURLBytes-19)), false},
		{"picture fallback of 2049 octets", meta("picture", "https://cdn.example/"+strings.Repeat("p", identity.MaxAvatarURLBytes-19)), false},
		{"avatar_url with a space", meta("avatar_url", "https://cdn.example/a b.png"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := with(tc.edit)
			token := sign(t, gojwt.SigningMethodHS256, []byte(testSecret), "", c)
			got, err := v.Verify(context.Background(), token)
			if tc.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if e, _ := c["email"].(string); got.Email != e {
					t.Errorf("Email = %q, want %q", got.Email, e)
				}
				return
			}
			assertRefused(t, err, identity.ErrTokenClaims, token)
			if strings.Contains(err.Error(), strings.Repeat("d", 60)) || strings.Contains(err.Error(), strings.Repeat("é", 60)) {
				t.Errorf("the error quotes the claim: %.200s", err)
			}
		})
	}
}

// TestAnonymousClaim: is_anonymous is carried into the claims (the refusal is account.Service's),
// absent means false, and a non-boolean value is not guessed at.
func TestAnonymousClaim(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, jwt.Config{HS256Secret: testSecret})
	verify := func(c gojwt.MapClaims) (identity.Claims, string, error) {
		token := sign(t, gojwt.SigningMethodHS256, []byte(testSecret), "", c)
		got, err := v.Verify(context.Background(), token)
		return got, token, err
	}
	anon := with(func(c gojwt.MapClaims) {
		c["is_anonymous"], c["email"], c["user_metadata"] = true, "", map[string]any{}
		c["amr"] = []map[string]any{{"method": "anonymous", "timestamp": c["iat"]}}
	})
	if got, _, err := verify(anon); err != nil || !got.IsAnonymous || got.UserID != testUserID || got.Email != "" {
		t.Errorf("anonymous sign-in: %+v, %v", got, err)
	}
	if got, _, err := verify(claims()); err != nil || got.IsAnonymous {
		t.Errorf("is_anonymous false: %+v, %v", got, err)
	}
	if got, _, err := verify(with(func(c gojwt.MapClaims) { delete(c, "is_anonymous") })); err != nil || got.IsAnonymous {
		t.Errorf("is_anonymous absent: %+v, %v", got, err)
	}
	_, token, err := verify(with(func(c gojwt.MapClaims) { c["is_anonymous"] = "true" }))
	assertRefused(t, err, identity.ErrTokenMalformed, token)

	// MintHS256 makes the same token for the HTTP tests and `oslira token`.
	minted, err := jwt.MintHS256(testSecret, jwt.MintClaims{UserID: testUserID, Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Verify(context.Background(), minted); err != nil || !got.IsAnonymous {
		t.Errorf("minted anonymous token: %+v, %v", got, err)
	}
	minted, _ = jwt.MintHS256(testSecret, jwt.MintClaims{UserID: testUserID, AvatarURL: "https://cdn.example/a.png"})
	if got, err := v.Verify(context.Background(), minted); err != nil || got.IsAnonymous || got.AvatarURL != "https://cdn.example/a.png" {
		t.Errorf("minted token: %+v, %v", got, err)
	}
}
