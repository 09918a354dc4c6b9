// Package stripetest is a local server speaking Stripe's API wire format for the endpoints the
// stripe adapter calls — form-encoded POST bodies, Bearer key, Idempotency-Key replays, JSON
// objects and the {"error": {...}} envelope — with failures that tests queue per path. It is
// imported by tests only (the stripe adapter's and the HTTP host's).
//
// Why not stripe-mock: it is stateless (no idempotent replays to observe), would need installing
// on every CI machine, and cannot be told to answer 429 or drop a connection.
package stripetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// DropConnection, queued with FailNext, closes the connection without answering.
const DropConnection = -1

// Request is one call the fake received.
type Request struct {
	Path           string
	Form           url.Values
	IdempotencyKey string
}

// Fake is the server. URL is its base URL (stripe.Config.APIURL).
type Fake struct {
	URL string

	srv      *httptest.Server
	key      string
	mu       sync.Mutex
	requests []Request
	fail     map[string][]int  // path → statuses to answer before succeeding
	byKey    map[string]string // Idempotency-Key → customer id (Stripe replays the first answer)
	next     int
}

// New starts a fake that accepts only the secret key key; it stops when t ends.
func New(t testing.TB, key string) *Fake {
	t.Helper()
	f := &Fake{key: key, fail: map[string][]int{}, byKey: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	f.URL = f.srv.URL
	return f
}

// Close stops the server early, to test an unreachable API.
func (f *Fake) Close() { f.srv.Close() }

// FailNext makes the next len(statuses) requests to path fail with these statuses, in order:
// 429 as Stripe's rate limit, 400 as an invalid parameter, DropConnection as a dropped
// connection, anything else as an api_error with that status.
func (f *Fake) FailNext(path string, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[path] = append(f.fail[path], statuses...)
}

// Calls returns the requests made to path, in order.
func (f *Fake) Calls(path string) []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Request
	for _, r := range f.requests {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "", "Invalid API Key provided")
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "expected a form-encoded POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, Request{Path: r.URL.Path, Form: r.PostForm, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	var status int
	if q := f.fail[r.URL.Path]; len(q) > 0 {
		status, f.fail[r.URL.Path] = q[0], q[1:]
	}
	f.next++
	n := f.next
	f.mu.Unlock()

	switch status {
	case 0:
	case DropConnection:
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	case http.StatusTooManyRequests:
		writeError(w, status, "invalid_request_error", "rate_limit", "Request rate limit exceeded.")
		return
	case http.StatusBadRequest:
		writeError(w, status, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: abc")
		return
	default:
		writeError(w, status, "api_error", "", "An unknown error occurred")
		return
	}

	switch r.URL.Path {
	case "/v1/customers":
		key := r.Header.Get("Idempotency-Key")
		f.mu.Lock()
		id, seen := f.byKey[key]
		if !seen {
			id = fmt.Sprintf("cus_fake%d", n)
			f.byKey[key] = id
		}
		f.mu.Unlock()
		writeJSON(w, map[string]any{"id": id, "object": "customer", "email": r.PostForm.Get("email"),
			"metadata": map[string]string{"account_id": r.PostForm.Get("metadata[account_id]")}})
	case "/v1/checkout/sessions":
		id := fmt.Sprintf("cs_test_fake%d", n)
		writeJSON(w, map[string]any{"id": id, "object": "checkout.session", "mode": r.PostForm.Get("mode"),
			"status": "open", "url": "https://checkout.stripe.com/c/pay/" + id})
	case "/v1/billing_portal/sessions":
		writeJSON(w, map[string]any{"id": fmt.Sprintf("bps_fake%d", n), "object": "billing_portal.session",
			"customer": r.PostForm.Get("customer"), "return_url": r.PostForm.Get("return_url"),
			"url": fmt.Sprintf("https://billing.stripe.com/p/session/test_fake%d", n)})
	default:
		writeError(w, http.StatusNotFound, "invalid_request_error", "resource_missing", "Unrecognized request URL (POST: "+r.URL.Path+")")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, typ, code, message string) {
	body := map[string]any{"type": typ, "message": message}
	if code != "" {
		body["code"] = code
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}
