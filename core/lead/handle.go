package lead

import (
	"strings"

	"github.com/oslira/oslira/core/apperr"
)

// MaxUsernameLength is Instagram's limit on a username's length.
const MaxUsernameLength = 30

// Handle is an Instagram username that passed ParseHandle: 1–30 characters of [a-z0-9._], not
// starting or ending with a period, without two periods in a row, and not one of Instagram's
// reserved paths. It is comparable (usable as a map key, so duplicates after normalisation are
// found by equality). The zero Handle is "no handle" (IsZero); every other Handle is valid, because
// ParseHandle is the only way to make one.
type Handle struct{ name string }

// String returns the canonical username: lowercase, without "@". ParseHandle(h.String()) == h.
func (h Handle) String() string { return h.name }

// IsZero reports whether h is the zero Handle (no handle).
func (h Handle) IsZero() bool { return h.name == "" }

// MarshalText implements encoding.TextMarshaler: the canonical username.
func (h Handle) MarshalText() ([]byte, error) { return []byte(h.name), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseHandle (field "username"), so a
// Handle decoded from JSON is as valid as one parsed from a request.
func (h *Handle) UnmarshalText(b []byte) error {
	p, err := ParseHandle(string(b), "username")
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHandle is the one place a handle is read from what a person typed. It accepts
//   - a username: "natgeo", "NatGeo" (lowercased, ASCII letters only);
//   - a username with a leading "@": "@natgeo";
//   - a profile link: "instagram.com/natgeo", with or without "http://" or "https://", with or
//     without "www." or "m.", with further path segments ("/reels/", "/tagged/"), trailing slashes,
//     a query string ("?igshid=…") and a fragment — the first path segment is the username;
//
// surrounding white space ignored. Everything else is an apperr.Invalid error with code
// CodeInvalidUsername (errors.Is matches ErrInvalidUsername) and one FieldError for field, the
// name the caller gives the input ("username", "usernames[3]"), whose message says what is wrong
// without quoting the input. Links to other sites, links with a port or credentials, and
// Instagram's own pages (instagram.com/p/…, /reel/…, /explore/, …: see reservedPaths) are not
// handles. Unlike the original's legacy normaliser, characters outside the set are refused, never
// silently dropped: "nasa!" is a typo to report, not the handle "nasa".
func ParseHandle(raw, field string) (Handle, error) {
	s := asciiLower(strings.TrimSpace(raw))
	if name, problem, isLink := linkedName(s); isLink {
		if problem != "" {
			return Handle{}, handleError(field, problem)
		}
		s = name
	} else {
		s = strings.TrimPrefix(s, "@")
	}
	if problem := checkUsername(s); problem != "" {
		return Handle{}, handleError(field, problem)
	}
	return Handle{name: s}, nil
}

// NormalizeUsername is ParseHandle for callers that keep usernames as strings: the canonical
// username, or ErrInvalidUsername's code with a FieldError for "username".
func NormalizeUsername(raw string) (string, error) {
	h, err := ParseHandle(raw, "username")
	return h.String(), err
}

// The problems ParseHandle reports, as FieldError messages.
const (
	problemEmpty     = "must not be empty"
	problemTooLong   = "must be at most 30 characters"
	problemCharset   = "may contain only letters, digits, periods and underscores"
	problemEdgeDot   = "must not start or end with a period"
	problemDoubleDot = "must not contain two periods in a row"
	problemReserved  = "is an Instagram page, not a username"
	problemOtherSite = "must be an Instagram username or an instagram.com profile link"
	problemNoProfile = "the link names no profile"
)

// reservedPaths are first path segments of instagram.com that are Instagram's own pages, never
// profiles: a link to them is not a handle, and neither is the bare word, since
// instagram.com/<word> could never show that user's profile.
var reservedPaths = map[string]bool{
	"p": true, "reel": true, "reels": true, "tv": true, "explore": true, "stories": true,
	"accounts": true, "direct": true, "about": true, "developer": true, "legal": true,
	"challenge": true, "emails": true, "web": true, "api": true, "graphql": true, "oauth": true,
	"static": true,
}

// instagramHosts are the host names of profile links.
var instagramHosts = map[string]bool{"instagram.com": true, "www.instagram.com": true, "m.instagram.com": true}

// linkedName reads s (lowercased) as a link when it is written as one: it has a scheme, starts
// with an Instagram host name followed by the end, "/", "?" or "#", or contains a "/" at all. For a
// link it returns the first path segment of an Instagram link, or the problem; isLink is false for
// anything else (a bare or "@" username, checked by the caller).
func linkedName(s string) (name, problem string, isLink bool) {
	rest, hasScheme := cutScheme(s)
	host, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	switch {
	case instagramHosts[host]:
	case hasScheme || strings.Contains(s, "/"):
		// "tiktok.com/@nasa", "//instagram.com/nasa", "instagram.com:8080/nasa": a link, not ours.
		return "", problemOtherSite, true
	default:
		return "", "", false
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	name, _, _ = strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if name == "" {
		return "", problemNoProfile, true
	}
	return name, "", true
}

// cutScheme removes a leading "http://" or "https://"; ok is true when s has any "scheme://"
// prefix (an unsupported scheme leaves rest without an Instagram host, hence refused).
func cutScheme(s string) (rest string, ok bool) {
	for _, p := range []string{"https://", "http://"} {
		if r, found := strings.CutPrefix(s, p); found {
			return r, true
		}
	}
	return s, strings.Contains(s, "://")
}

// checkUsername returns "" when s is a valid username, else the problem.
func checkUsername(s string) string {
	if s == "" {
		return problemEmpty
	}
	for i := 0; i < len(s); i++ {
		if !handleByte(s[i]) {
			return problemCharset
		}
	}
	switch {
	case len(s) > MaxUsernameLength:
		return problemTooLong
	case s[0] == '.' || s[len(s)-1] == '.':
		return problemEdgeDot
	case strings.Contains(s, ".."):
		return problemDoubleDot
	case reservedPaths[s]:
		return problemReserved
	}
	return ""
}

// handleByte reports whether c may appear in a username: [a-z0-9._].
func handleByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_'
}

// asciiLower lowercases A–Z only. strings.ToLower would also fold non-ASCII letters into ASCII
// ones (the Kelvin sign "K" becomes "k"), letting a look-alike through as a real handle.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

func handleError(field, problem string) error {
	return apperr.Validation(CodeInvalidUsername, ErrInvalidUsername.Message,
		apperr.FieldError{Field: field, Message: problem})
}
