// Package cron is the scheduling host: the process (or part of `oslira serve`) that will start
// periodic jobs (credit resets, cache clean-up, analytics roll-ups).
//
// For now it only has a lifecycle: a runner goroutine that starts with the application, waits,
// and stops cleanly. Schedules arrive in a later issue (as DBOS scheduled workflows) and will be
// registered by this runner.
package cron

import (
	"context"
	"log/slog"
	"sync"
)

// Runner owns the scheduler's background goroutine. Its context is its own (never the OnStart
// context, which fx cancels when start-up ends) and is cancelled by Stop.
type Runner struct {
	log *slog.Logger

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewRunner returns a stopped runner.
func NewRunner(log *slog.Logger) *Runner {
	return &Runner{log: log.With("component", "cron")}
}

// Start launches the background goroutine and returns at once. Starting a running runner is a
// no-op.
func (r *Runner) Start(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go r.run(ctx, r.done)
	r.log.Info("cron started")
	return nil
}

// run is the scheduler loop. It has nothing to do yet but wait for Stop.
func (r *Runner) run(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	<-ctx.Done()
}

// Stop cancels the goroutine and waits for it to return, or for ctx to end (then it returns
// ctx's error). Stopping a stopped runner is a no-op.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.cancel, r.done = nil, nil
	r.mu.Unlock()
	if done == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		r.log.Info("cron stopped")
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
