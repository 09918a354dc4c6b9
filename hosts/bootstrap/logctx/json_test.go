package logctx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"
)

func parseLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// TestJSONHandlerConforms runs the standard library's handler conformance suite (attributes,
// groups, WithAttrs/WithGroup, empty attributes and groups, LogValuer resolution, zero time).
func TestJSONHandlerConforms(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := NewJSONHandler(&buf, slog.LevelDebug)
	if err := slogtest.TestHandler(h, func() []map[string]any { return parseLines(t, &buf) }); err != nil {
		t.Fatal(err)
	}
}

func TestJSONHandlerContextIDsLevelsAndValues(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(NewJSONHandler(&buf, slog.LevelInfo)).With("process", "serve")
	ctx := WithUser(WithRequestID(context.Background(), "req-1"), "user-1", "acct-1")
	log.DebugContext(ctx, "hidden")
	log.LogAttrs(ctx, slog.LevelInfo, "http request", slog.String("route", "/v1/x"), slog.Int("status", 200),
		slog.Float64("latency_ms", 1.25), slog.Bool("ok", true), slog.Duration("d", time.Millisecond),
		slog.Uint64("u", 7), slog.Any("err", errors.New("boom")), slog.Any("list", []int{1, 2}),
		slog.Float64("nan", math.NaN()), slog.Float64("tiny", 1e-9))
	log.Log(ctx, LevelCritical, "crit")
	log.Log(ctx, slog.LevelError, "err")
	log.Log(ctx, slog.LevelWarn+1, "warn+1")
	log.Info("no context")
	lines := parseLines(t, &buf)
	if len(lines) != 5 {
		t.Fatalf("got %d lines, want 5 (debug filtered): %s", len(lines), buf.String())
	}
	l := lines[0]
	want := map[string]any{"level": "INFO", "msg": "http request", "process": "serve", "request_id": "req-1",
		"user_id": "user-1", "account_id": "acct-1", "route": "/v1/x", "status": 200.0, "latency_ms": 1.25,
		"ok": true, "d": 1e6, "u": 7.0, "err": "boom", "nan": "NaN", "tiny": 1e-9}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("%s = %#v, want %#v", k, l[k], v)
		}
	}
	if s, ok := l["list"].([]any); !ok || len(s) != 2 {
		t.Errorf("list = %#v", l["list"])
	}
	if _, err := time.Parse(time.RFC3339, l["time"].(string)); err != nil {
		t.Errorf("time %v: %v", l["time"], err)
	}
	for i, lvl := range []string{"CRITICAL", "ERROR", "WARN+1"} {
		if lines[i+1]["level"] != lvl {
			t.Errorf("line %d level = %v, want %s", i+1, lines[i+1]["level"], lvl)
		}
	}
	if _, ok := lines[4]["request_id"]; ok {
		t.Errorf("a line without context has a request id: %v", lines[4])
	}
}

// TestJSONHandlerEscapes: no value can end the line or forge a key.
func TestJSONHandlerEscapes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(NewJSONHandler(&buf, slog.LevelInfo))
	nasty := "a\"}{\"level\":\"ERROR\"\n\r\t\\\x01\u2028\xff✓"
	log.Info(nasty, nasty, nasty)
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d newlines in %q", n, buf.String())
	}
	l := parseLines(t, &buf)[0]
	clean := strings.Replace(nasty, "\xff", "\ufffd", 1)
	if l["msg"] != clean || l[clean] != clean || l["level"] != "INFO" {
		t.Errorf("round trip: %#v", l)
	}
}

type flushCounter struct {
	bytes.Buffer
	flushes int
}

func (f *flushCounter) Flush() error { f.flushes++; return nil }

func TestJSONHandlerFlushesWarnAndAbove(t *testing.T) {
	t.Parallel()
	var w flushCounter
	log := slog.New(NewJSONHandler(&w, slog.LevelDebug))
	log.Info("a")
	log.Debug("b")
	if w.flushes != 0 {
		t.Fatalf("INFO/DEBUG flushed %d times", w.flushes)
	}
	log.Warn("c")
	log.Error("d")
	if w.flushes != 2 {
		t.Errorf("WARN and ERROR flushed %d times, want 2", w.flushes)
	}
}

func TestJSONHandlerLevelVarChangesLive(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	log := slog.New(NewJSONHandler(&buf, &lv))
	log.Info("dropped")
	lv.Set(slog.LevelDebug)
	log.Debug("kept")
	lines := parseLines(t, &buf)
	if len(lines) != 1 || lines[0]["msg"] != "kept" {
		t.Errorf("lines %v", lines)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	n  int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.b.Write(p)
}

func (s *syncBuffer) writes() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n, s.b.String()
}

// TestLineBufferBatchesAndFlushes: lines are held until Flush, a timer or Close, and then go out
// in one write.
func TestLineBufferBatchesAndFlushes(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	b := NewLineBuffer(&out, time.Hour) // the timer never fires in this test
	for range 100 {
		_, _ = io.WriteString(b, "line\n")
	}
	if n, _ := out.writes(); n != 0 {
		t.Fatalf("%d writes before a flush", n)
	}
	_ = b.Flush()
	if n, s := out.writes(); n != 1 || strings.Count(s, "line\n") != 100 {
		t.Fatalf("after Flush: %d writes, %q", n, s)
	}
	_, _ = io.WriteString(b, "last\n")
	_ = b.Close()
	if _, s := out.writes(); !strings.HasSuffix(s, "last\n") {
		t.Errorf("Close did not flush: %q", s)
	}
}

func TestLineBufferFlushesOnItsInterval(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	b := NewLineBuffer(&out, time.Millisecond)
	defer b.Close()
	_, _ = io.WriteString(b, "x\n")
	for i := 0; ; i++ {
		if _, s := out.writes(); s == "x\n" {
			return
		}
		if i > 5000 {
			t.Fatal("the periodic flush never wrote the line")
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkJSONHandlerAccessLine(b *testing.B) {
	log := slog.New(NewJSONHandler(io.Discard, slog.LevelInfo)).With("process", "serve")
	ctx := WithUser(WithRequestID(context.Background(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", "2b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed")
	b.ReportAllocs()
	for b.Loop() {
		log.LogAttrs(ctx, slog.LevelInfo, "http request",
			slog.String("method", "GET"), slog.String("route", "/v1/credits/balance"),
			slog.Int("status", 200), slog.Int("bytes", 60), slog.Float64("latency_ms", 1.234))
	}
}
