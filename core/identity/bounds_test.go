package identity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
)

// TestCheckStored: each stored claim is accepted at its bound and refused one past it, and every
// shape rule refuses with auth.token-claims and a cause naming the claim (never quoting it). The
// verifier's tests (adapters/jwt) prove the rule is applied to tokens; this one pins the rule itself
// — boundaries at exactly the limit, a forbidden character at the very first position, empty values.
func TestCheckStored(t *testing.T) {
	t.Parallel()
	local := strings.Repeat("a", 64)
	emailOf := func(n int) string { // a plausible address of exactly n octets (70 ≤ n ≤ 317)
		rest := n - len(local) - 1 - len(".com")
		return local + "@" + strings.Repeat("d", rest-64-1) + "." + strings.Repeat("e", 64) + ".com"
	}
	avatarOf := func(n int) string { return "https://cdn.example/" + strings.Repeat("p", n-len("https://cdn.example/")) }
	cases := []struct {
		name  string
		c     identity.Claims
		claim string // the claim the cause names; "" = accepted
	}{
		{"nothing to store", identity.Claims{UserID: "u"}, ""},
		{"email of exactly MaxEmailBytes", identity.Claims{Email: emailOf(identity.MaxEmailBytes)}, ""},
		{"email one octet over", identity.Claims{Email: emailOf(identity.MaxEmailBytes + 1)}, "email"},
		{"one-label domain", identity.Claims{Email: "a@b"}, ""},
		{"no at", identity.Claims{Email: "ann.example.com"}, "email"},
		{"empty local part", identity.Claims{Email: "@example.com"}, "email"},
		{"empty domain", identity.Claims{Email: "ann@"}, "email"},
		{"two ats", identity.Claims{Email: "ann@b@example.com"}, "email"},
		{"empty first label", identity.Claims{Email: "ann@.example.com"}, "email"},
		{"empty last label", identity.Claims{Email: "ann@example.com."}, "email"},
		{"white space first", identity.Claims{Email: " ann@example.com"}, "email"},
		{"control character last", identity.Claims{Email: "ann@example.com\x7f"}, "email"},
		{"invalid UTF-8", identity.Claims{Email: "ann\xff@example.com"}, "email"},
		{"full name of exactly MaxFullNameChars characters", identity.Claims{FullName: strings.Repeat("é", identity.MaxFullNameChars)}, ""},
		{"full name one character over", identity.Claims{FullName: strings.Repeat("n", identity.MaxFullNameChars+1)}, "full_name"},
		{"full name with spaces", identity.Claims{FullName: "Ann Lee Smith"}, ""},
		{"full name with a control character first", identity.Claims{FullName: "\x00Ann"}, "full_name"},
		{"full name with a newline", identity.Claims{FullName: "Ann\nLee"}, "full_name"},
		{"avatar URL of exactly MaxAvatarURLBytes", identity.Claims{AvatarURL: avatarOf(identity.MaxAvatarURLBytes)}, ""},
		{"avatar URL one octet over", identity.Claims{AvatarURL: avatarOf(identity.MaxAvatarURLBytes + 1)}, "avatar_url"},
		{"avatar URL with white space first", identity.Claims{AvatarURL: " https://cdn.example/a.png"}, "avatar_url"},
		{"avatar URL with a control character", identity.Claims{AvatarURL: "https://cdn.example/a\x01.png"}, "avatar_url"},
		{"every claim at its bound", identity.Claims{Email: emailOf(identity.MaxEmailBytes), FullName: strings.Repeat("n", identity.MaxFullNameChars), AvatarURL: avatarOf(identity.MaxAvatarURLBytes)}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.c.CheckStored()
			if tc.claim == "" {
				if err != nil {
					t.Fatalf("CheckStored = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, identity.ErrTokenClaims) || apperr.CodeOf(err) != identity.CodeTokenClaims {
				t.Fatalf("CheckStored = %v, want %s", err, identity.CodeTokenClaims)
			}
			cause := errors.Unwrap(err)
			if cause == nil || !strings.HasPrefix(cause.Error(), tc.claim) {
				t.Fatalf("cause = %v, want one naming %s", cause, tc.claim)
			}
			for _, v := range []string{tc.c.Email, tc.c.FullName, tc.c.AvatarURL} {
				if len(v) > 3 && strings.Contains(err.Error(), v) {
					t.Fatalf("the error quotes the claim: %.200s", err)
				}
			}
		})
	}
}
