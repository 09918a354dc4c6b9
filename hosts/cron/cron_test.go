package cron

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestModuleStartsAndStops(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	var r *Runner
	app := fxtest.New(t,
		fx.Supply(slog.New(slog.NewJSONHandler(&logs, nil))),
		Module,
		fx.Populate(&r),
	)
	app.RequireStart()
	if !strings.Contains(logs.String(), "cron started") {
		t.Errorf("no start line in %s", logs.String())
	}
	r.mu.Lock()
	running := r.done != nil
	r.mu.Unlock()
	if !running {
		t.Fatal("runner not running after start")
	}
	app.RequireStop() // returns only after the goroutine exited
	if !strings.Contains(logs.String(), "cron stopped") {
		t.Errorf("no stop line in %s", logs.String())
	}
}

func TestRunnerIsIdempotent(t *testing.T) {
	t.Parallel()
	r := NewRunner(slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if err := r.Stop(ctx); err != nil {
		t.Fatalf("stop before start: %v", err)
	}
	for range 2 {
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := r.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Restartable after a stop.
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
