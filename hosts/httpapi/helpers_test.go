package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/adapters/metrics"
	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// logBuffer is a concurrency-safe log sink whose lines tests can decode.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes every JSON log line.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

// find returns the first log line with the given msg.
func (b *logBuffer) find(t *testing.T, msg string) map[string]any {
	t.Helper()
	for _, l := range b.lines(t) {
		if l["msg"] == msg {
			return l
		}
	}
	t.Fatalf("no log line %q in:\n%s", msg, b.String())
	return nil
}

func newTestLogger(w io.Writer) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: logctx.ReplaceLevelName})
	return slog.New(logctx.NewHandler(h))
}

// testBundle is a handler under test plus its log sink.
type testBundle struct {
	engine *gin.Engine
	logs   *logBuffer
}

const allowedOrigin = "https://app.oslira.com"

func setup(t *testing.T, checkers ...observe.HealthChecker) *testBundle {
	t.Helper()
	logs := &logBuffer{}
	log := newTestLogger(logs)
	cfg := Config{CORSAllowedOrigins: []string{allowedOrigin}, Version: "test-1"}.WithDefaults()
	h := NewHandler(cfg, log, NewHealth(checkers, cfg.Version), NewAPI(nil, nil, nil, Billing{}), mustContract(t), nil)
	routeMetrics(h.(*gin.Engine), metrics.New().Handler()) // the route, as a graph with a metrics module has it
	return &testBundle{engine: h.(*gin.Engine), logs: logs}
}

// mustContract loads contracts/openapi.yaml (once per test binary).
func mustContract(t testing.TB) *OpenAPI {
	t.Helper()
	contractOnce.Do(func() { contract, contractErr = LoadContract() })
	if contractErr != nil {
		t.Fatalf("load contract: %v", contractErr)
	}
	return contract
}

var (
	contractOnce sync.Once
	contract     *OpenAPI
	contractErr  error
)

// do sends a request and returns the recorded response.
func (b *testBundle) do(t *testing.T, method, target string, body io.Reader, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	b.engine.ServeHTTP(rec, req)
	return rec
}

// problem decodes a problem+json response, failing on any other content type.
func problem(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, rec.Body.String())
	}
	var p Problem
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decode problem: %v; body %s", err, rec.Body.String())
	}
	return p
}
