// Package sentrytest is a fake Sentry ingestion server speaking the envelope protocol
// (POST /api/<project>/envelope/, newline-separated envelope header, item headers and payloads),
// for tests that point a DSN at it.
package sentrytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Event is one "event" item received: its payload decoded, and the raw payload.
type Event struct {
	Raw  []byte
	Data map[string]any
}

// Tags returns the event's tags.
func (e Event) Tags() map[string]string {
	out := map[string]string{}
	if m, ok := e.Data["tags"].(map[string]any); ok {
		for k, v := range m {
			s, _ := v.(string)
			out[k] = s
		}
	}
	return out
}

// Fake records every envelope posted to it.
type Fake struct {
	Server *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	items  []string // item types, in order
	events []Event
	auth   []string
}

// New starts a fake and closes it when t ends.
func New(t testing.TB) *Fake {
	f := &Fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// DSN is a DSN pointing at the fake, project 42.
func (f *Fake) DSN() string {
	return "http://testkey@" + strings.TrimPrefix(f.Server.URL, "http://") + "/42"
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/42/envelope/" {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, body)
	f.auth = append(f.auth, r.Header.Get("X-Sentry-Auth"))
	f.parse(body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"id":"ok"}`))
}

// parse splits an envelope into items: after the envelope header line, each item is a header
// line and a payload of header.length bytes (or up to the next newline without a length).
func (f *Fake) parse(body []byte) {
	_, rest, ok := bytes.Cut(body, []byte("\n"))
	for ok && len(bytes.TrimSpace(rest)) > 0 {
		var hdrLine []byte
		hdrLine, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return
		}
		var hdr struct {
			Type   string `json:"type"`
			Length *int   `json:"length"`
		}
		if json.Unmarshal(hdrLine, &hdr) != nil {
			return
		}
		var payload []byte
		if hdr.Length != nil && *hdr.Length <= len(rest) {
			payload, rest = rest[:*hdr.Length], rest[*hdr.Length:]
			rest = bytes.TrimPrefix(rest, []byte("\n"))
		} else {
			payload, rest, _ = bytes.Cut(rest, []byte("\n"))
		}
		f.items = append(f.items, hdr.Type)
		if hdr.Type == "event" {
			var m map[string]any
			if json.Unmarshal(payload, &m) == nil {
				f.events = append(f.events, Event{Raw: append([]byte(nil), payload...), Data: m})
			}
		}
	}
}

// Events returns the error events received so far.
func (f *Fake) Events() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Event(nil), f.events...)
}

// ItemTypes returns the type of every item received, in order.
func (f *Fake) ItemTypes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.items...)
}

// Payload is every request body received, concatenated: what a secret must never appear in.
func (f *Fake) Payload() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, body := range f.bodies {
		b.Write(body)
		b.WriteByte('\n')
	}
	return b.String()
}

// Requests is how many envelopes arrived.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

// Auth returns the X-Sentry-Auth header of request i.
func (f *Fake) Auth(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.auth) {
		return ""
	}
	return f.auth[i]
}
