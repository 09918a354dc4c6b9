package httpclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scripted answers the i-th request (0-based) with statuses[i], the last status repeating.
func scripted(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Body", string(body))
		w.WriteHeader(statuses[min(i, len(statuses)-1)])
		_, _ = io.WriteString(w, "answer "+strconv.Itoa(i))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetriesInfrastructureStatusesThenReturnsTheAnswer(t *testing.T) {
	for _, first := range []int{408, 429, 500, 502, 503, 504} {
		t.Run(strconv.Itoa(first), func(t *testing.T) {
			srv, n := scripted(t, first, first, 201)
			m := &recorder{}
			c := mustNew(t, fastConfig("p", m, nil))
			resp, err := post(t, c, srv.URL+"/run", `{"usernames":["nasa"]}`)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 201 || string(b) != "answer 2" || n.Load() != 3 {
				t.Fatalf("status %d body %q after %d requests", resp.StatusCode, b, n.Load())
			}
			if got := resp.Header.Get("X-Body"); got != `{"usernames":["nasa"]}` {
				t.Fatalf("body not resent on retry: %q", got)
			}
			calls, retries, _ := m.snapshot()
			if len(calls) != 1 || calls[0].Attempts != 3 || calls[0].Status != 201 || calls[0].Err != nil {
				t.Fatalf("call events %+v", calls)
			}
			if len(retries) != 2 || retries[0].Status != first || retries[0].Attempt != 1 || retries[1].Attempt != 2 {
				t.Fatalf("retry events %+v", retries)
			}
		})
	}
}

func TestNeverRetriesBusinessAnswers(t *testing.T) {
	for _, status := range []int{400, 401, 402, 403, 404, 409, 422, 501, 505} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv, n := scripted(t, status, 200)
			c := mustNew(t, fastConfig("p", nil, nil))
			resp, err := get(t, c, srv.URL)
			if err != nil || resp.StatusCode != status || n.Load() != 1 {
				t.Fatalf("got %v, %v after %d requests; want %d after 1", resp, err, n.Load(), status)
			}
		})
	}
}

func TestProviderStatusLists(t *testing.T) {
	srv, n := scripted(t, 408, 200)
	cfg := fastConfig("apify", nil, nil)
	cfg.NoRetryStatuses = []int{408}
	resp, err := get(t, mustNew(t, cfg), srv.URL)
	if err != nil || resp.StatusCode != 408 || n.Load() != 1 {
		t.Fatalf("NoRetryStatuses: got %v, %v after %d", resp, err, n.Load())
	}

	srv2, n2 := scripted(t, 420, 200)
	cfg = fastConfig("anthropic", nil, nil)
	cfg.RetryStatuses = []int{420}
	resp, err = get(t, mustNew(t, cfg), srv2.URL)
	if err != nil || resp.StatusCode != 200 || n2.Load() != 2 {
		t.Fatalf("RetryStatuses: got %v, %v after %d", resp, err, n2.Load())
	}
}

func TestMaxRetriesBoundsAttemptsAndReturnsTheLastResponse(t *testing.T) {
	srv, n := scripted(t, 503)
	cfg := fastConfig("p", nil, nil)
	cfg.MaxRetries = 2
	resp, err := get(t, mustNew(t, cfg), srv.URL)
	if err != nil || resp.StatusCode != 503 || n.Load() != 3 {
		t.Fatalf("got %v, %v after %d requests; want the 503 after 3", resp, err, n.Load())
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "answer 2" {
		t.Fatalf("body of the last attempt not readable: %q", b)
	}

	srv2, n2 := scripted(t, 503)
	cfg.NoRetries = true
	if resp, _ := get(t, mustNew(t, cfg), srv2.URL); resp.StatusCode != 503 || n2.Load() != 1 {
		t.Fatalf("NoRetries sent %d requests", n2.Load())
	}
}

func TestRetryAfterIsHonouredUpToTheCap(t *testing.T) {
	var n atomic.Int32
	var gap atomic.Int64
	var last atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UnixNano()
		if prev := last.Swap(now); prev != 0 {
			gap.Store(now - prev)
		}
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	resp, err := get(t, mustNew(t, fastConfig("p", nil, nil)), srv.URL)
	if err != nil || resp.StatusCode != 200 || n.Load() != 2 {
		t.Fatalf("got %v, %v after %d", resp, err, n.Load())
	}
	if g := time.Duration(gap.Load()); g < time.Second || g > 3*time.Second {
		t.Fatalf("waited %v between attempts; Retry-After asked for 1s (the backoff alone is ≤ 5ms)", g)
	}
}

func TestRetryAfterBeyondTheCapReturnsAtOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	cfg := fastConfig("p", nil, nil)
	cfg.MaxRetryAfter = time.Second
	start := time.Now()
	resp, err := get(t, mustNew(t, cfg), srv.URL)
	if err != nil || resp.StatusCode != 429 || time.Since(start) > time.Second {
		t.Fatalf("got %v, %v in %v", resp, err, time.Since(start))
	}
	if d, ok := RetryAfterHeader(resp); !ok || d != 120*time.Second {
		t.Fatalf("caller cannot read the wait: %v %v", d, ok)
	}
}

func TestRetryAfterHeaderForms(t *testing.T) {
	mk := func(v string) *http.Response { return &http.Response{Header: http.Header{"Retry-After": {v}}} }
	if d, ok := RetryAfterHeader(mk("7")); !ok || d != 7*time.Second {
		t.Fatalf("seconds: %v %v", d, ok)
	}
	future := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	if d, ok := RetryAfterHeader(mk(future)); !ok || d < 8*time.Second || d > 10*time.Second {
		t.Fatalf("date: %v %v", d, ok)
	}
	if d, ok := RetryAfterHeader(mk("Mon, 02 Jan 2006 15:04:05 GMT")); !ok || d != 0 {
		t.Fatalf("past date: %v %v", d, ok)
	}
	for _, bad := range []string{"", "soon", "-3"} {
		if _, ok := RetryAfterHeader(mk(bad)); ok {
			t.Fatalf("%q accepted", bad)
		}
	}
	if _, ok := RetryAfterHeader(nil); ok {
		t.Fatal("nil response accepted")
	}
}

func TestProviderRetryAfterHint(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("X-Reset-Ms", "300")
			w.WriteHeader(429)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	cfg := fastConfig("p", nil, nil)
	cfg.RetryAfter = func(r *http.Response) (time.Duration, bool) {
		ms, err := strconv.Atoi(r.Header.Get("X-Reset-Ms"))
		return time.Duration(ms) * time.Millisecond, err == nil
	}
	start := time.Now()
	resp, err := get(t, mustNew(t, cfg), srv.URL)
	if err != nil || resp.StatusCode != 200 || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("got %v, %v in %v; want 200 after the 300 ms hint", resp, err, time.Since(start))
	}
}

func TestConnectionRefusedIsRetriedAndReported(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	m := &recorder{}
	c := mustNew(t, fastConfig("p", m, nil))
	_, err = post(t, c, "http://"+addr+"/x?token=s3cret", "{}")
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != DefaultMaxRetries+1 {
		t.Fatalf("got %v; want a TransportError after %d attempts", err, DefaultMaxRetries+1)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks the query credential: %v", err)
	}
	if te.Timeout() {
		t.Fatal("a refused connection is not a timeout")
	}
	calls, retries, _ := m.snapshot()
	if len(calls) != 1 || calls[0].Err == nil || calls[0].Status != 0 || len(retries) != DefaultMaxRetries {
		t.Fatalf("events: %+v %+v", calls, retries)
	}
}

// hangUp accepts each request and closes the connection without answering: a failure after the
// request may have reached the server.
func hangUp(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestFailureAfterSendingIsRetriedOnlyWhenIdempotent(t *testing.T) {
	srv, n := hangUp(t)
	c := mustNew(t, fastConfig("p", nil, nil))
	if _, err := post(t, c, srv.URL, "{}"); err == nil || n.Load() != 1 {
		t.Fatalf("POST: %v after %d requests; want an error after 1 (resending may pay twice)", err, n.Load())
	}
	n.Store(0)
	if _, err := get(t, c, srv.URL); err == nil || n.Load() != DefaultMaxRetries+1 {
		t.Fatalf("GET: %v after %d requests; want %d", err, n.Load(), DefaultMaxRetries+1)
	}
	n.Store(0)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
	req.Header.Set("Idempotency-Key", "k1")
	if _, err := c.Do(req); err == nil || n.Load() != DefaultMaxRetries+1 {
		t.Fatalf("POST with Idempotency-Key: %v after %d requests", err, n.Load())
	}
	n.Store(0)
	cfg := fastConfig("llm", nil, nil)
	cfg.RetryNonIdempotent = true
	if _, err := post(t, mustNew(t, cfg), srv.URL, "{}"); err == nil || n.Load() != DefaultMaxRetries+1 {
		t.Fatalf("RetryNonIdempotent: %v after %d requests", err, n.Load())
	}
}

func TestAttemptTimeout(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	cfg := fastConfig("p", nil, nil)
	cfg.Timeout = 50 * time.Millisecond
	cfg.MaxRetries = 1
	_, err := get(t, mustNew(t, cfg), srv.URL)
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout() || n.Load() != 2 {
		t.Fatalf("got %v after %d requests; want a timeout after 2", err, n.Load())
	}
}

func TestCallerCancellationStopsRetrying(t *testing.T) {
	srv, n := scripted(t, 503)
	cfg := fastConfig("p", nil, nil)
	cfg.BackoffMin, cfg.BackoffMax = time.Second, time.Second
	c := mustNew(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := c.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 900*time.Millisecond || n.Load() != 1 {
		t.Fatalf("got %v after %v and %d requests", err, time.Since(start), n.Load())
	}
}

func TestInvalidRequestAndConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("a client without a name was built")
	}
	c := mustNew(t, Config{Name: "p", BackoffMin: time.Second, BackoffMax: time.Millisecond})
	if c.cfg.BackoffMax != time.Second || c.cfg.MaxRetries != DefaultMaxRetries || c.Name() != "p" {
		t.Fatalf("defaults: %+v", c.cfg)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", io.NopCloser(brokenBody{}))
	if _, err := c.Do(req); err == nil || !strings.Contains(err.Error(), "building request") {
		t.Fatalf("unreadable body: %v", err)
	}
}

type brokenBody struct{}

func (brokenBody) Read([]byte) (int, error) { return 0, errors.New("broken body") }

func TestJitterStaysWithinBounds(t *testing.T) {
	lo, hi := 10*time.Millisecond, 200*time.Millisecond
	for attempt := range 40 {
		d := lo << min(attempt, 30)
		if attempt >= 30 || d <= 0 || d > hi {
			d = hi
		}
		for range 50 {
			w := jittered(lo, hi, attempt)
			if w < d || w > min(2*d, hi) {
				t.Fatalf("attempt %d: wait %v outside [%v, %v]", attempt, w, d, min(2*d, hi))
			}
		}
	}
}
