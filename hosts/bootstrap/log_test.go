package bootstrap

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestLoggerAddsContextIDs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := NewLogger(&buf, slog.LevelDebug)

	ctx := logctx.WithRequestID(context.Background(), "req-1")
	ctx = logctx.WithUser(ctx, "user-1", "acct-1")
	log.InfoContext(ctx, "with ids", "k", "v")
	log.With("component", "x").WarnContext(ctx, "derived logger")
	log.Info("no context")

	lines := decodeLines(t, &buf)
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %s", len(lines), buf.String())
	}
	for i, l := range lines[:2] {
		if l["request_id"] != "req-1" || l["user_id"] != "user-1" || l["account_id"] != "acct-1" {
			t.Errorf("line %d lacks context ids: %v", i, l)
		}
	}
	if lines[1]["component"] != "x" {
		t.Errorf("derived logger lost its attribute: %v", lines[1])
	}
	if _, ok := lines[2]["request_id"]; ok {
		t.Errorf("line without context has a request id: %v", lines[2])
	}
}

func TestLoggerLevels(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := NewLogger(&buf, slog.LevelInfo)
	log.Debug("hidden")
	log.Log(context.Background(), logctx.Level(apperr.Internal.Level()), "boom")
	log.Log(context.Background(), logctx.Level(apperr.Unavailable.Level()), "down")

	lines := decodeLines(t, &buf)
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2 (debug filtered): %s", len(lines), buf.String())
	}
	if lines[0]["level"] != "CRITICAL" {
		t.Errorf("internal error level = %v, want CRITICAL", lines[0]["level"])
	}
	if lines[1]["level"] != "WARN" {
		t.Errorf("unavailable level = %v, want WARN", lines[1]["level"])
	}
}
