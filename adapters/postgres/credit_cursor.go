package postgres

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
)

// ledgerCursor is the keyset position after the last entry of a page: listings are ordered by
// (created_at desc, id desc), so the next page starts strictly below (T, ID). On the wire it is
// base64url (unpadded) of {"t": RFC 3339 with nanoseconds, "id": uuid}; clients treat it as
// opaque.
type ledgerCursor struct {
	T  time.Time `json:"t"`
	ID string    `json:"id"`
}

// maxCursorLength bounds what decodeCursor is willing to parse; real cursors are ~100 bytes.
const maxCursorLength = 256

var errInvalidCursor = apperr.Validation(apperr.CodeInvalidCursor, "invalid page cursor",
	apperr.FieldError{Field: "cursor", Message: "must be the next_cursor of a previous page, unchanged"})

func (c ledgerCursor) encode() string {
	b, _ := json.Marshal(ledgerCursor{T: c.T.UTC(), ID: c.ID}) // cannot fail: a time and a string
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor made by encode; anything else is errInvalidCursor.
func decodeCursor(s string) (ledgerCursor, error) {
	if len(s) > maxCursorLength {
		return ledgerCursor{}, errInvalidCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
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
