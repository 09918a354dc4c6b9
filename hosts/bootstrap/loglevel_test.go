package bootstrap

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestReadLogLevel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string]struct {
		content string
		want    slog.Level
		ok      bool
	}{
		"debug":   {" debug\n", slog.LevelDebug, true},
		"WARN":    {"WARN", slog.LevelWarn, true},
		"error":   {"error\n", slog.LevelError, true},
		"offset":  {"info+2", 0, false},
		"unknown": {"verbose", 0, false},
		"empty":   {"", 0, false},
		"long":    {strings.Repeat("x", 100), 0, false},
	}
	for name, c := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(c.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadLogLevel(p)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("%s: ReadLogLevel(%q) = %v, %v", name, c.content, got, err)
		}
	}
	if _, err := ReadLogLevel(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file gave a level")
	}
}

// TestWatchLogLevelAppliesFileOnSignal: each signal re-reads the file; a bad file leaves the
// level as it was and says so.
func TestWatchLogLevelAppliesFileOnSignal(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "level")
	var lv slog.LevelVar
	var logs syncBuf
	log := NewLogger(&logs, slog.LevelWarn)
	sig := make(chan os.Signal)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); watchLogLevel(ctx, &lv, path, log, sig) }()
	defer func() { cancel(); <-done }()

	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("debug\n")
	sig <- syscall.SIGHUP
	sig <- syscall.SIGHUP // the second send returns once the first was handled
	if lv.Level() != slog.LevelDebug {
		t.Fatalf("level = %v after SIGHUP with debug in the file", lv.Level())
	}
	write("loud")
	sig <- syscall.SIGHUP
	sig <- syscall.SIGHUP
	if lv.Level() != slog.LevelDebug {
		t.Errorf("a bad file changed the level to %v", lv.Level())
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"log level changed"`) || !strings.Contains(out, `"msg":"log level unchanged"`) {
		t.Errorf("changes not logged: %s", out)
	}
}

func TestWatchLogLevelWithoutFileIsANoop(t *testing.T) {
	t.Parallel()
	var lv slog.LevelVar
	stop := WatchLogLevel(&lv, "", slog.New(slog.DiscardHandler))
	stop()
	stop = WatchLogLevel(&lv, filepath.Join(t.TempDir(), "level"), slog.New(slog.DiscardHandler))
	stop() // registering and stopping a real SIGHUP watch returns
}

type syncBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
