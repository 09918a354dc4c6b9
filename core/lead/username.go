package lead

import (
	"net/url"
	"strings"
)

// MaxUsernameLength is Instagram's limit on a username's length.
const MaxUsernameLength = 30

// NormalizeUsername turns what a user typed into the canonical handle: surrounding space and a
// leading "@" removed, a profile URL ("instagram.com/natgeo/", with or without scheme or "www.")
// reduced to its first path segment, and lowercased. The result must be 1–30 characters of
// [a-z0-9._], else ErrInvalidUsername.
//
// Unlike the original's legacy normaliser, characters outside the set are rejected rather than
// silently dropped: "nasa!" is a typo to report, not the handle "nasa".
func NormalizeUsername(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if strings.Contains(strings.ToLower(s), "instagram.com") {
		if !strings.Contains(s, "://") {
			s = "https://" + s
		}
		u, err := url.Parse(s)
		if err != nil {
			return "", ErrInvalidUsername
		}
		s, _, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	}
	s = strings.ToLower(strings.TrimPrefix(s, "@"))
	if s == "" || len(s) > MaxUsernameLength {
		return "", ErrInvalidUsername
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_') {
			return "", ErrInvalidUsername
		}
	}
	return s, nil
}
