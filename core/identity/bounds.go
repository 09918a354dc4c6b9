package identity

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of the claims this API stores (users.email, users.full_name, users.avatar_url). A token
// is signed by Supabase Auth, but user_metadata is user-editable and Supabase Auth does not bound
// it, so a validly signed token can carry a value of any size. Unbounded, a long e-mail fails the
// unique index on users.email (a B-tree entry holds at most ~2.7 kB) and the request ends in a
// 500; bounded here, it is a 401 (ErrTokenClaims) before anything is written.
const (
	// MaxEmailBytes is RFC 5321's limit on a forward path (256 octets with its angle brackets,
	// §4.5.3.1.3), so no longer address can receive mail.
	MaxEmailBytes = 254
	// MaxFullNameChars bounds user_metadata.full_name (or name), in Unicode characters; at most
	// 1 KiB of UTF-8. Far above any real name, far below any storage limit.
	MaxFullNameChars = 256
	// MaxAvatarURLBytes bounds user_metadata.avatar_url (or picture), in octets: the URL length
	// every browser and CDN handles (identity providers' picture URLs are a few hundred octets).
	MaxAvatarURLBytes = 2048
)

// CheckStored reports whether the claims that provisioning stores are within bounds, returning
// ErrTokenClaims with a cause naming the offending claim (never its value) otherwise. Empty values
// are accepted: Supabase sends "" for the e-mail of a phone sign-in, and the metadata is optional.
//
//   - email: at most MaxEmailBytes octets and a plausible address: one "@" with a non-empty local
//     part before it and a domain of non-empty dot-separated labels after it, no white space and
//     no control characters. Deliberately no stricter: Supabase Auth has already accepted the
//     address, and refusing it here would lock its owner out.
//   - full name: at most MaxFullNameChars characters, no control characters.
//   - avatar URL: at most MaxAvatarURLBytes octets, no white space and no control characters.
//
// Control characters are refused everywhere because PostgreSQL text cannot hold NUL (another
// 500 otherwise) and none belongs in a name, an address or a URL.
func (c Claims) CheckStored() error {
	if c.Email != "" {
		if len(c.Email) > MaxEmailBytes {
			return ErrTokenClaims.WithCause(fmt.Errorf("email claim is %d octets, the limit is %d", len(c.Email), MaxEmailBytes))
		}
		if !plausibleEmail(c.Email) {
			return ErrTokenClaims.WithCause(errors.New("email claim is not an e-mail address"))
		}
	}
	if n := utf8.RuneCountInString(c.FullName); n > MaxFullNameChars {
		return ErrTokenClaims.WithCause(fmt.Errorf("full_name is %d characters, the limit is %d", n, MaxFullNameChars))
	}
	if strings.IndexFunc(c.FullName, unicode.IsControl) >= 0 {
		return ErrTokenClaims.WithCause(errors.New("full_name contains a control character"))
	}
	if len(c.AvatarURL) > MaxAvatarURLBytes {
		return ErrTokenClaims.WithCause(fmt.Errorf("avatar_url is %d octets, the limit is %d", len(c.AvatarURL), MaxAvatarURLBytes))
	}
	if strings.IndexFunc(c.AvatarURL, spaceOrControl) >= 0 {
		return ErrTokenClaims.WithCause(errors.New("avatar_url contains white space or a control character"))
	}
	return nil
}

// plausibleEmail is the shape check of CheckStored: local@label(.label)*.
func plausibleEmail(s string) bool {
	if strings.IndexFunc(s, spaceOrControl) >= 0 || !utf8.ValidString(s) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" {
			return false
		}
	}
	return true
}

func spaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
