package dbos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/core/observe"
	"github.com/oslira/oslira/core/workflow"
)

// Executor is the engine of worker processes: a launched DBOS context that runs every
// definition it was given, on their queues, recovers the runs its executor id left behind, and
// writes a heartbeat for the janitor. It is also a workflow.Engine (its starts carry its
// application version).
//
// Every launched process consumes every queue and DBOS's internal queue, so every executor of
// the application must be given every definition (a run claimed by a process that does not know
// its definition stays stranded until the janitor moves it).
type Executor struct {
	*Engine
	cfg       Config
	dctx      sdk.Context
	retrier   workflow.Retrier
	sink      workflow.ProgressSink
	observer  Observer
	reporter  observe.Reporter // CRITICAL run failures (report.go); nil: none
	heartbeat *heartbeat

	mu      sync.Mutex
	stop    context.CancelFunc // stops the heartbeat loop
	done    chan struct{}
	started bool
}

// NewExecutor creates the DBOS context for defs on its own pool cloned from app (see ownPool)
// and registers every definition; nothing runs before Launch. sink receives Run.Progress
// reports and may be nil. The DBOS context lives on context.Background() (never on a caller's,
// fx's start context included: DBOS derives its whole runtime from it) until Shutdown.
//
// It fails when schema "dbos" is not migrated (run Migrate), when a definition is invalid, or
// when the environment overrides the configured executor id or application version
// (DBOS__VMID, DBOS__APPVERSION): the configuration must be the only source of both.
// Options (WithObserver) apply before any definition is registered.
func NewExecutor(app *pgxpool.Pool, cfg Config, defs []workflow.Definition, sink workflow.ProgressSink, log *slog.Logger, opts ...ExecutorOption) (*Executor, error) {
	cfg, pool, log, err := prepare(app, cfg, defs, log)
	if err != nil {
		return nil, err
	}
	dctx, err := sdk.NewContext(context.Background(), sdk.Config{
		AppName:                cfg.AppName,
		SystemDBPool:           pool,
		DatabaseSchema:         Schema,
		Logger:                 log,
		ApplicationVersion:     cfg.ApplicationVersion,
		ExecutorID:             cfg.ExecutorID,
		SkipMigrations:         true,
		SystemDBStartupTimeout: cfg.StartupTimeout,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("dbos: new context: %w", err)
	}
	x := &Executor{
		Engine:    newEngine(dctx, pool, defs, log),
		cfg:       cfg,
		dctx:      dctx,
		sink:      sink,
		observer:  nopObserver{},
		heartbeat: newHeartbeat(pool, cfg, log),
	}
	for _, o := range opts {
		o(x)
	}
	x.retrier = workflow.Retrier{OnRetry: func(ev workflow.RetryEvent) {
		log.Warn("workflow step attempt failed; retrying", "attempt", ev.Attempt, "delay", ev.Delay, "error", ev.Err)
	}}
	if err := x.setUp(defs); err != nil {
		_ = sdk.Shutdown(dctx, cfg.ShutdownTimeout)
		return nil, err
	}
	return x, nil
}

// setUp checks the identity DBOS ended up with and registers the definitions.
func (x *Executor) setUp(defs []workflow.Definition) (err error) {
	if got := x.dctx.GetExecutorID(); got != x.cfg.ExecutorID {
		return fmt.Errorf("dbos: executor id is %q, not the configured %q: unset DBOS__VMID", got, x.cfg.ExecutorID)
	}
	if got := x.dctx.GetApplicationVersion(); got != x.cfg.ApplicationVersion {
		return fmt.Errorf("dbos: application version is %q, not the configured %q: unset DBOS__APPVERSION", got, x.cfg.ApplicationVersion)
	}
	defer func() { // RegisterWorkflow panics on a conflicting registration
		if v := recover(); v != nil {
			err = fmt.Errorf("dbos: register workflows: %v", v)
		}
	}()
	for _, d := range defs {
		r := &definitionRunner{def: d, x: x}
		sdk.RegisterWorkflow[json.RawMessage, json.RawMessage](x.dctx, r.run,
			sdk.WithInstance(r), sdk.WithWorkflowName(d.Name),
			sdk.WithMaxRecoveryAttempts(x.cfg.MaxRecoveryAttempts))
	}
	return nil
}

// Launch writes the first heartbeat, registers the queues, launches DBOS (which recovers the runs
// this executor id left pending, then starts polling) and starts the heartbeat loop. ctx bounds
// nothing DBOS keeps: the start-up calls run under Config.StartupTimeout. Launching twice is an
// error (DBOS's Launch is one-shot).
func (x *Executor) Launch(context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.started {
		return errors.New("dbos: executor already launched")
	}
	x.started = true
	setup, cancel := x.dctx.WithTimeout(x.dctx, x.cfg.StartupTimeout)
	defer cancel()
	if err := x.heartbeat.beat(setup, true); err != nil {
		return err
	}
	// Registered before Launch so the queue runner polls them from its first pass, and again
	// after, when this version has become the latest: DBOS only overwrites a queue's stored
	// limits from the latest application version.
	if err := x.registerQueues(setup); err != nil {
		return err
	}
	if err := x.dctx.Launch(); err != nil {
		return fmt.Errorf("dbos: launch: %w", err)
	}
	if err := x.registerQueues(setup); err != nil {
		return err
	}
	loopCtx, stop := context.WithCancel(context.Background())
	x.stop, x.done = stop, make(chan struct{})
	go x.heartbeat.loop(loopCtx, x.done)
	x.log.Info("workflow executor started", "version", x.cfg.ApplicationVersion, "definitions", len(x.queues))
	return nil
}

// registerQueues creates (or updates) every queue the definitions use, with its configured limits.
func (x *Executor) registerQueues(ctx sdk.Context) error {
	seen := map[string]bool{}
	for _, q := range x.queues {
		if seen[q] {
			continue
		}
		seen[q] = true
		qc := x.cfg.queueConfig(q)
		opts := []sdk.QueueOption{sdk.WithQueueBasePollingInterval(qc.PollInterval)}
		if qc.WorkerConcurrency > 0 {
			opts = append(opts, sdk.WithWorkerConcurrency(qc.WorkerConcurrency))
		}
		if qc.GlobalConcurrency > 0 {
			opts = append(opts, sdk.WithGlobalConcurrency(qc.GlobalConcurrency))
		}
		if qc.PartitionConcurrency > 0 {
			opts = append(opts, sdk.WithPartitionConcurrency(qc.PartitionConcurrency))
		}
		if _, err := sdk.RegisterQueue(ctx, q, opts...); err != nil {
			return fmt.Errorf("dbos: register queue %q: %w", q, err)
		}
	}
	return nil
}

// Shutdown stops the heartbeat, releases the executor id (its heartbeat row says the process
// stopped, so an immediate restart with the same id does not warn about a live twin) and shuts
// DBOS down within the configured shutdown timeout (or ctx's deadline, when sooner): running
// workflows are interrupted and stay pending for the next launch of this executor id (or the
// janitor). DBOS closes the executor's own pool. Shutdown is idempotent and may be called
// without Launch. A failed release is logged, not returned: the id is then free again after
// three missed heartbeats, as after a crash.
func (x *Executor) Shutdown(ctx context.Context) error {
	x.mu.Lock()
	stop, done := x.stop, x.done
	x.stop, x.done = nil, nil
	x.mu.Unlock()
	if stop != nil {
		stop()
		<-done
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout(ctx, x.cfg.HeartbeatInterval))
		if err := x.heartbeat.release(rctx); err != nil {
			x.log.Warn("could not release the executor id", "error", err)
		}
		cancel()
	}
	if err := sdk.Shutdown(x.dctx, shutdownTimeout(ctx, x.cfg.ShutdownTimeout)); err != nil {
		return fmt.Errorf("dbos: shutdown: %w", err)
	}
	return nil
}

// ID returns the executor id.
func (x *Executor) ID() string { return x.cfg.ExecutorID }
