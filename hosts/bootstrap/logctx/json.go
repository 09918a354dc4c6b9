package logctx

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// JSONHandler writes one JSON object per record, like slog.JSONHandler, with the request id,
// user id and account id of the record's context at the top level (after time, level and msg),
// and LevelCritical named "CRITICAL". It exists because the access log line is written once per
// request: slog.JSONHandler with a ReplaceAttr hook, a wrapping handler adding the ids to a copy
// of the record and json.Marshal for every float cost ~4 µs and 5 allocations a line; this one
// appends into a pooled buffer with strconv and no reflection for the usual kinds (~1 µs, no
// allocation), and writes the line with one Write.
//
// Output differences from slog.JSONHandler: the context ids come first, not last; a value that
// is neither a basic kind, an error nor JSON-marshalable is written as its fmt %+v string.
// Records of WARN and above flush the writer when it has a Flush method (see LineBuffer).
type JSONHandler struct {
	w       io.Writer
	mu      *sync.Mutex
	level   slog.Leveler
	pre     []byte   // the attributes and groups of WithAttrs/WithGroup, encoded
	open    int      // groups opened in pre
	pending []string // groups of WithGroup not yet holding an attribute (empty groups are not written)
}

// NewJSONHandler writes to w records at level and above (level may be a *slog.LevelVar, changed
// while the process runs).
func NewJSONHandler(w io.Writer, level slog.Leveler) *JSONHandler {
	if level == nil {
		level = slog.LevelInfo
	}
	return &JSONHandler{w: w, mu: new(sync.Mutex), level: level}
}

// Enabled reports whether level is at or above the handler's level.
func (h *JSONHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Handle encodes r and writes it.
func (h *JSONHandler) Handle(ctx context.Context, r slog.Record) error {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, '{')
	if !r.Time.IsZero() {
		b = append(b, `"time":"`...)
		b = r.Time.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		b = append(b, `",`...)
	}
	b = append(b, `"level":`...)
	b = appendString(b, levelName(r.Level))
	b = append(b, `,"msg":`...)
	b = appendString(b, r.Message)
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			b = appendKey(b, KeyRequestID)
			b = appendString(b, id)
		}
		if userID, accountID := User(ctx); userID != "" || accountID != "" {
			if userID != "" {
				b = appendKey(b, KeyUserID)
				b = appendString(b, userID)
			}
			if accountID != "" {
				b = appendKey(b, KeyAccountID)
				b = appendString(b, accountID)
			}
		}
	}
	if len(h.pre) > 0 {
		b = append(b, ',')
		b = append(b, h.pre...)
	}
	closing := h.open
	if r.NumAttrs() > 0 {
		mark := len(b)
		b = appendGroups(b, h.pending, false) // b holds at least "msg": a comma is always due
		first := len(h.pending) > 0
		attrs := 0
		r.Attrs(func(a slog.Attr) bool {
			n := len(b)
			b, first = appendAttr(b, a, first)
			if len(b) > n {
				attrs++
			}
			return true
		})
		if attrs == 0 {
			b = b[:mark]
		} else {
			closing += len(h.pending)
		}
	}
	for range closing {
		b = append(b, '}')
	}
	b = append(b, '}', '\n')
	h.mu.Lock()
	_, err := h.w.Write(b)
	if f, ok := h.w.(interface{ Flush() error }); ok && r.Level >= slog.LevelWarn && err == nil {
		err = f.Flush()
	}
	h.mu.Unlock()
	if cap(b) <= 64<<10 { // a huge line's buffer is not kept
		*bp = b
		bufPool.Put(bp)
	}
	return err
}

// WithAttrs returns a handler whose lines carry attrs (inside the open groups).
func (h *JSONHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var enc []byte
	first := true
	for _, a := range attrs {
		enc, first = appendAttr(enc, a, first)
	}
	if len(enc) == 0 {
		return h
	}
	c := *h
	c.pre = appendGroups(append([]byte(nil), h.pre...), h.pending, len(h.pre) == 0)
	if len(h.pending) == 0 && len(h.pre) > 0 {
		c.pre = append(c.pre, ',')
	}
	c.pre = append(c.pre, enc...)
	c.open += len(h.pending)
	c.pending = nil
	return &c
}

// WithGroup returns a handler whose later attributes are nested under name; a group that never
// holds an attribute is not written.
func (h *JSONHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.pending = append(append([]string(nil), h.pending...), name)
	return &c
}

// appendGroups opens groups: ,"a":{"b":{ (no leading comma when first).
func appendGroups(b []byte, groups []string, first bool) []byte {
	for _, g := range groups {
		if !first {
			b = append(b, ',')
		}
		b = appendString(b, g)
		b = append(b, ':', '{')
		first = true
	}
	return b
}

// levelName is slog's name of l, except that LevelCritical and above are "CRITICAL".
func levelName(l slog.Level) string {
	switch {
	case l >= LevelCritical:
		return "CRITICAL"
	case l == slog.LevelError:
		return "ERROR"
	case l == slog.LevelWarn:
		return "WARN"
	case l == slog.LevelInfo:
		return "INFO"
	case l == slog.LevelDebug:
		return "DEBUG"
	}
	return l.String()
}

// appendAttr appends ,"key":value (no comma when first) and reports whether the next attribute
// is still the first. Empty attributes and empty groups are skipped, as slog does.
func appendAttr(b []byte, a slog.Attr, first bool) ([]byte, bool) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b, first
	}
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		if len(attrs) == 0 {
			return b, first
		}
		if a.Key == "" { // an unnamed group's attributes are inlined
			for _, ga := range attrs {
				b, first = appendAttr(b, ga, first)
			}
			return b, first
		}
		if !first {
			b = append(b, ',')
		}
		b = appendString(b, a.Key)
		b = append(b, ':', '{')
		inner := true
		for _, ga := range attrs {
			b, inner = appendAttr(b, ga, inner)
		}
		return append(b, '}'), false
	}
	if !first {
		b = append(b, ',')
	}
	b = appendString(b, a.Key)
	b = append(b, ':')
	return appendValue(b, a.Value), false
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',')
	b = appendString(b, key)
	return append(b, ':')
}

// appendValue appends v as JSON: numbers with strconv, durations as nanoseconds and times as
// RFC 3339 strings (as slog.JSONHandler does), errors as their text.
func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return appendFloat(b, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return strconv.AppendInt(b, int64(v.Duration()), 10)
	case slog.KindTime:
		b = append(b, '"')
		b = v.Time().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	x := v.Any()
	if _, ok := x.(json.Marshaler); !ok {
		if err, ok := x.(error); ok {
			return appendString(b, err.Error())
		}
	}
	if enc, err := json.Marshal(x); err == nil {
		return append(b, enc...)
	}
	return appendString(b, fmt.Sprintf("%+v", x))
}

// appendFloat writes f as encoding/json would (NaN and infinities, which JSON lacks, as strings).
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendString(b, strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped (as encoding/json does), so no
// value can end the line or forge structure.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
