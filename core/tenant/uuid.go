package tenant

import (
	"encoding/hex"
	"strings"
)

// ParseUUID validates the canonical 8-4-4-4-12 hexadecimal form and returns it lower-cased.
// Identifiers stay strings in core (no third-party UUID type), but only valid ones get in.
func ParseUUID(s string) (string, bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return "", false
	}
	raw := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.DecodeString(raw); err != nil {
		return "", false
	}
	return strings.ToLower(s), true
}
