package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// maxLogLevelFile bounds what ReadLogLevel reads: a level name and a newline.
const maxLogLevelFile = 64

// ReadLogLevel reads a level name (debug, info, warn or error, surrounding space ignored) from
// the file at path: the LOG_LEVEL_FILE an operator edits to change the level of a running
// process (WatchLogLevel).
func ReadLogLevel(path string) (slog.Level, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, maxLogLevelFile+1)
	n, _ := f.Read(buf)
	if n > maxLogLevelFile {
		return 0, fmt.Errorf("%s: longer than a level name", path)
	}
	v := strings.TrimSpace(string(buf[:n]))
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil || strings.ContainsAny(v, "+-") || v == "" {
		return 0, fmt.Errorf("%s: %q is not debug, info, warn or error", path, v)
	}
	return l, nil
}

// WatchLogLevel changes lv, without a restart, each time the process receives SIGHUP: it reads
// LOG_LEVEL_FILE (path) and sets the level it names, logging the change at WARN (so the line is
// seen whatever the level); a missing or unreadable file changes nothing and says so. An empty
// path watches nothing. It returns a function that stops watching.
func WatchLogLevel(lv *slog.LevelVar, path string, log *slog.Logger) (stop func()) {
	if path == "" {
		return func() {}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchLogLevel(ctx, lv, path, log, ch)
	}()
	return func() {
		signal.Stop(ch)
		cancel()
		<-done
	}
}

// watchLogLevel applies path's level to lv on every value of signals until ctx ends.
func watchLogLevel(ctx context.Context, lv *slog.LevelVar, path string, log *slog.Logger, signals <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-signals:
			l, err := ReadLogLevel(path)
			if err != nil {
				log.Warn("log level unchanged", "file", path, "error", err)
				continue
			}
			old := lv.Level()
			lv.Set(l)
			log.Warn("log level changed", "from", old.String(), "to", l.String(), "file", path)
		}
	}
}
