package postgres

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
)

// CursorKey is the HMAC-SHA256 key that signs page cursors, at least MinCursorKeyBytes long. The
// hosts read it through the secret port (bootstrap.CursorKeyName), so every instance of a
// deployment accepts the cursors of every other and of its own earlier life. Rotating it only
// invalidates the cursors clients hold at that moment (they get 400 request.invalid-cursor and
// start again from the first page); nothing stored depends on it.
type CursorKey []byte

// MinCursorKeyBytes is the shortest accepted CursorKey.
const MinCursorKeyBytes = 32

// cursorMACBytes is the length of the signature carried in a cursor (128 bits of HMAC-SHA256).
const cursorMACBytes = 16

// cursorDomain separates ledger-cursor signatures from any other use of the key.
const cursorDomain = "oslira.ledger-cursor.v1"

// ledgerCursor is the keyset position after the last entry of a page: listings are ordered by
// (created_at desc, id desc), so the next page starts strictly below (T, ID).
//
// On the wire it is "<payload>.<mac>": payload is base64url (unpadded) of {"t": RFC 3339 with
// nanoseconds, "id": uuid}, mac the first 16 bytes of HMAC-SHA256(key, domain, account, payload)
// in base64url. Clients treat it as opaque; a cursor that was not made by this API for this
// account, or was altered, is refused before anything is parsed.
type ledgerCursor struct {
	T  time.Time `json:"t"`
	ID string    `json:"id"`
}

// maxCursorLength bounds what decodeCursor is willing to parse; real cursors are ~140 bytes.
const maxCursorLength = 256

// cursorEncoding reads both parts of a cursor. Strict: the unused low bits of a part's last
// character must be zero, as encode writes them; otherwise 16 characters in the MAC's last place
// (4 unused bits) decode to the same bytes and a changed cursor is accepted (found by the fuzz
// targets in credit_cursor_fuzz_test.go).
var cursorEncoding = base64.RawURLEncoding.Strict()

var errInvalidCursor = apperr.Validation(apperr.CodeInvalidCursor, "invalid page cursor",
	apperr.FieldError{Field: "cursor", Message: "must be the next_cursor of a previous page, unchanged"})

// newCursorSigner checks key, or makes a random one when key is nil (cursors then live as long
// as the store: fine for tests and single processes, wrong for a deployment — see CursorKey).
func newCursorSigner(key CursorKey) (CursorKey, error) {
	if key == nil {
		key = make(CursorKey, MinCursorKeyBytes)
		_, _ = rand.Read(key) // crypto/rand.Read never fails (Go ≥ 1.24)
		return key, nil
	}
	if len(key) < MinCursorKeyBytes {
		return nil, fmt.Errorf("cursor signing key: %d bytes, want at least %d", len(key), MinCursorKeyBytes)
	}
	return key, nil
}

// mac signs payload for accountID's ledger listing.
func (k CursorKey) mac(accountID, payload string) []byte {
	return k.macIn(cursorDomain, accountID, payload)
}

// macIn signs payload for accountID's listing named by domain.
func (k CursorKey) macIn(domain, accountID, payload string) []byte {
	h := hmac.New(sha256.New, k)
	h.Write([]byte(domain + "\x00" + accountID + "\x00" + payload))
	return h.Sum(nil)[:cursorMACBytes]
}

// encode returns the signed cursor of c for accountID's ledger listing.
func (k CursorKey) encode(accountID string, c ledgerCursor) string {
	return k.encodeIn(cursorDomain, accountID, c)
}

// decode verifies and parses a cursor made by encode for accountID; anything else is
// errInvalidCursor.
func (k CursorKey) decode(accountID, s string) (ledgerCursor, error) {
	return k.decodeIn(cursorDomain, accountID, s)
}

// encodeIn is encode for another keyset listing ordered by (time desc, id desc): domain names
// the listing, so a cursor of one listing is refused by every other.
func (k CursorKey) encodeIn(domain, accountID string, c ledgerCursor) string {
	b, _ := json.Marshal(ledgerCursor{T: c.T.UTC(), ID: c.ID}) // cannot fail: a time and a string
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(k.macIn(domain, accountID, payload))
}

// decodeIn is decode for the listing named by domain (see encodeIn).
func (k CursorKey) decodeIn(domain, accountID, s string) (ledgerCursor, error) {
	if len(s) > maxCursorLength {
		return ledgerCursor{}, errInvalidCursor
	}
	payload, sig, ok := strings.Cut(s, ".")
	if !ok {
		return ledgerCursor{}, errInvalidCursor
	}
	mac, err := cursorEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, k.macIn(domain, accountID, payload)) {
		return ledgerCursor{}, errInvalidCursor
	}
	b, err := cursorEncoding.DecodeString(payload)
	if err != nil {
		return ledgerCursor{}, errInvalidCursor.WithCause(err)
	}
	var c ledgerCursor
	if err := json.Unmarshal(b, &c); err != nil {
		return ledgerCursor{}, errInvalidCursor.WithCause(err)
	}
	id, ok := tenant.ParseUUID(c.ID)
	if !ok || c.T.IsZero() {
		return ledgerCursor{}, errInvalidCursor
	}
	return ledgerCursor{T: c.T, ID: id}, nil
}
