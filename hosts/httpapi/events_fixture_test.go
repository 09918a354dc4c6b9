package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/adapters/postgres"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/live"
)

// hangGuard bounds every wait of the live tests: a deadline against a hang, not a timing
// assertion.
const hangGuard = 30 * time.Second

// testLive is the live progress of a test API: a hub over the real postgres source and
// listener, running until the test ends (or stop), and the real replayer and ticket store.
type testLive struct {
	hub     *live.Hub
	source  *postgres.LiveSource
	tickets *postgres.TicketStore
	stop    func() // stops the hub (every subscription ends) and waits for it
	started <-chan struct{}
}

// startedSource tells when the hub has read its starting position: it reads events (After)
// only after that, and the listener's first connection wakes it at once.
type startedSource struct {
	live.Source
	once    sync.Once
	started chan struct{}
}

func (s *startedSource) After(ctx context.Context, after int64, limit int) ([]live.Event, error) {
	s.once.Do(func() { close(s.started) })
	return s.Source.After(ctx, after, limit)
}

// newTestLive starts a hub on pool's database (see waitStarted: a subscription made before it
// follows the events would be dropped as too slow).
func newTestLive(t *testing.T, pool *pgxpool.Pool, db *postgres.DB) *testLive {
	t.Helper()
	src := postgres.NewLiveSource(db)
	ss := &startedSource{Source: src, started: make(chan struct{})}
	hub := live.NewHub(ss, postgres.NewListener(pool, nil), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hub.Run(ctx)
	}()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return &testLive{hub: hub, source: src, tickets: postgres.NewTicketStore(db), stop: stop, started: ss.started}
}

// waitStarted waits until the hub follows the events (a fixture over a database that is down
// never gets there, so the fixture does not wait itself).
func (l *testLive) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-l.started:
	case <-time.After(hangGuard):
		t.Fatal("the live hub did not start")
	}
}

// publish writes one progress event of analysis id of c's account, as the workflow does.
func (f *apiFixture) publish(t *testing.T, c analysisCaller, id string, et analyze.EventType, step string, k, percent int) {
	t.Helper()
	err := f.analyses.Publish(context.Background(), analyze.Event{AccountID: c.account, AnalysisID: id, Type: et,
		Step: step, StepIndex: k, StepTotal: 4, Percent: percent, Message: "step " + step})
	if err != nil {
		t.Fatalf("publish %s %s: %v", et, step, err)
	}
}

// server serves the fixture's engine over a real listener (streams and sockets need one),
// once the hub follows the events.
func (f *apiFixture) server(t *testing.T) *httptest.Server {
	t.Helper()
	f.live.waitStarted(t)
	srv := httptest.NewServer(f.engine)
	t.Cleanup(srv.Close)
	return srv
}

// sseEvent is one event (or comment) read from a stream.
type sseEvent struct {
	id, event, data, comment, retry string
}

// sseReader reads an event stream.
type sseReader struct {
	resp *http.Response
	r    *bufio.Reader
}

// openSSE GETs target on srv as token with the given headers; it fails unless the answer is
// 200 text/event-stream.
func openSSE(t *testing.T, srv *httptest.Server, token, target string, header map[string]string) *sseReader {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET %s: %d %q %q", target, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	return &sseReader{resp: resp, r: bufio.NewReader(resp.Body)}
}

// next reads the next block (an event, a comment or the retry hint); ok is false at the end of
// the stream.
func (s *sseReader) next(t *testing.T) (e sseEvent, ok bool) {
	t.Helper()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if line != "" {
				t.Fatalf("stream ended inside a block: %q", line)
			}
			return e, false
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return e, true
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			e.comment = value
		case "id":
			e.id = value
		case "event":
			e.event = value
		case "data":
			e.data = value
		case "retry":
			e.retry = value
		default:
			t.Fatalf("unknown field in %q", line)
		}
	}
}

// events reads the events (skipping the retry hint and comments) until n were read, or until
// the stream ends when n < 0.
func (s *sseReader) events(t *testing.T, f *apiFixture, n int) []eventJSON {
	t.Helper()
	var out []eventJSON
	for n < 0 || len(out) < n {
		e, ok := s.next(t)
		if !ok {
			if n >= 0 {
				t.Fatalf("the stream ended after %d of %d events", len(out), n)
			}
			return out
		}
		if e.data == "" {
			continue
		}
		ev := f.eventOf(t, e.data)
		if e.id != strconv.FormatInt(ev.ID, 10) || "analysis."+e.event != ev.Type {
			t.Errorf("SSE id %q event %q, data %s", e.id, e.event, e.data)
		}
		out = append(out, ev)
	}
	return out
}

// eventOf decodes an event document, validating it against the contract's AnalysisEvent.
func (f *apiFixture) eventOf(t *testing.T, data string) eventJSON {
	t.Helper()
	f.validateSchema(t, "AnalysisEvent", data)
	var ev eventJSON
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		t.Fatalf("event %s: %v", data, err)
	}
	return ev
}

// validateSchema checks a JSON document against a schema of the contract.
func (f *apiFixture) validateSchema(t *testing.T, schema, data string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatalf("%s is not JSON: %s", schema, data)
	}
	ref := f.doc.Components.Schemas[schema]
	if ref == nil {
		t.Fatalf("the contract has no schema %s", schema)
	}
	if err := ref.Value.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
		t.Errorf("%s does not match the contract: %v\n%s", schema, err, data)
	}
}

// wantSteps checks the events' analysis, type and step, in order.
func wantSteps(t *testing.T, got []eventJSON, analysisID string, want ...string) {
	t.Helper()
	var steps []string
	for _, e := range got {
		if e.AnalysisID != analysisID {
			t.Errorf("event %d is of analysis %s, want %s", e.ID, e.AnalysisID, analysisID)
		}
		steps = append(steps, strings.TrimPrefix(e.Type, "analysis.")+":"+e.Data.Step)
	}
	if strings.Join(steps, " ") != strings.Join(want, " ") {
		t.Errorf("events %v, want %v", steps, want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID <= got[i-1].ID {
			t.Errorf("event ids not increasing: %d then %d", got[i-1].ID, got[i].ID)
		}
	}
}

// handshake is the HTTP side of a WebSocket dial: the refusal, or the 101's headers.
type handshake struct {
	status int
	header http.Header
	body   []byte
}

// dialWS opens GET /v1/events on srv; opts may carry headers and subprotocols.
func dialWS(t *testing.T, srv *httptest.Server, query string, opts *websocket.DialOptions) (*websocket.Conn, handshake, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/events" + query
	c, resp, err := websocket.Dial(ctx, u, opts)
	var h handshake
	if resp != nil {
		h.status, h.header = resp.StatusCode, resp.Header
		if resp.Body != nil {
			h.body, _ = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
		}
	}
	if c != nil {
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, h, err
}

// readWS reads one text message as a JSON object.
func readWS(t *testing.T, c *websocket.Conn) (string, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("message %s: %v", data, err)
	}
	return string(data), m
}

// bufioOf reads a recorded stream.
func bufioOf(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
