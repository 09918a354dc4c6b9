package postgres

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
)

// Fuzz targets of the ledger cursor, the one parser of GET /v1/credits/transactions's
// ?cursor= (untrusted: clients send it back). Seeds live in testdata/fuzz/<target>/; the valid
// cursors among them were made with fuzzCursorKey for fuzzAccount, so changing either turns
// those seeds into refusals (still valid seeds, but weaker ones).

// fuzzCursorKey is the fixed signing key of the fuzz targets (32 bytes).
var fuzzCursorKey = CursorKey("fuzz-cursor-key-0123456789abcdef")

const (
	fuzzAccount      = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
	fuzzOtherAccount = "0b7e6c1e-2d1f-4c7a-9c53-5a0d2f1b9e11"
)

// requireInvalidCursor fails unless err is the 400 request.invalid-cursor refusal.
func requireInvalidCursor(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, errInvalidCursor) || apperr.CodeOf(err) != apperr.CodeInvalidCursor || apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("%s: err = %v, want %s", what, err, apperr.CodeInvalidCursor)
	}
}

// requireSameCursor fails unless got is want: the same instant and the same id.
func requireSameCursor(t *testing.T, got, want ledgerCursor, what string) {
	t.Helper()
	if !got.T.Equal(want.T) || got.ID != want.ID {
		t.Fatalf("%s: decoded %v %s, want %v %s", what, got.T, got.ID, want.T, want.ID)
	}
}

// FuzzCursorDecode: any string is a position or request.invalid-cursor. An accepted cursor is
// exactly the string encode makes for its position (a cursor has one spelling: nothing a client
// changes is accepted), names a canonical UUID and a non-zero instant, and is refused for any
// other account.
func FuzzCursorDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		c, err := fuzzCursorKey.decode(fuzzAccount, s)
		if err != nil {
			requireInvalidCursor(t, err, "decode")
			return
		}
		if id, ok := tenant.ParseUUID(c.ID); !ok || id != c.ID || c.T.IsZero() {
			t.Fatalf("accepted %q as %v %q", s, c.T, c.ID)
		}
		if again := fuzzCursorKey.encode(fuzzAccount, c); again != s {
			t.Fatalf("accepted %q, but the cursor of that position is %q", s, again)
		}
		_, err = fuzzCursorKey.decode(fuzzOtherAccount, s)
		requireInvalidCursor(t, err, "another account's cursor")
	})
}

// FuzzCursorPayload: a payload that carries a valid signature (so the MAC check passes and the
// JSON, time and UUID parsing behind it is reached) is a position or request.invalid-cursor;
// an accepted one re-encodes to a cursor that decodes to the same position.
func FuzzCursorPayload(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		p := base64.RawURLEncoding.EncodeToString(payload)
		s := p + "." + base64.RawURLEncoding.EncodeToString(fuzzCursorKey.mac(fuzzAccount, p))
		c, err := fuzzCursorKey.decode(fuzzAccount, s)
		if err != nil {
			requireInvalidCursor(t, err, "decode")
			return
		}
		if len(s) > maxCursorLength {
			t.Fatalf("accepted a cursor of %d bytes, the limit is %d", len(s), maxCursorLength)
		}
		if id, ok := tenant.ParseUUID(c.ID); !ok || id != c.ID || c.T.IsZero() {
			t.Fatalf("accepted payload %q as %v %q", payload, c.T, c.ID)
		}
		again, err := fuzzCursorKey.decode(fuzzAccount, fuzzCursorKey.encode(fuzzAccount, c))
		if err != nil {
			t.Fatalf("re-encoded cursor of %v %s refused: %v", c.T, c.ID, err)
		}
		requireSameCursor(t, again, c, "re-encoded")
	})
}

// FuzzCursorRoundTrip: the cursor of any position decodes to that position, and the same cursor
// with any one byte changed (XOR with a non-zero mask) is refused.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, nanos int64, idBytes []byte, pos uint16, mask byte) {
		var raw [16]byte
		copy(raw[:], idBytes)
		h := hex.EncodeToString(raw[:])
		want := ledgerCursor{T: time.Unix(0, nanos), ID: h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]}
		s := fuzzCursorKey.encode(fuzzAccount, want)
		got, err := fuzzCursorKey.decode(fuzzAccount, s)
		if err != nil {
			t.Fatalf("cursor %q of %v %s refused: %v", s, want.T, want.ID, err)
		}
		requireSameCursor(t, got, want, "round trip")
		if mask == 0 {
			mask = 1
		}
		b := []byte(s)
		b[int(pos)%len(b)] ^= mask
		if c, err := fuzzCursorKey.decode(fuzzAccount, string(b)); err == nil {
			t.Fatalf("cursor %q with byte %d changed (%q) accepted as %v %s", s, int(pos)%len(b), b, c.T, c.ID)
		} else {
			requireInvalidCursor(t, err, "altered cursor")
		}
	})
}
