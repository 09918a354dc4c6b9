package cron

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/oslira/oslira/core/maintenance"
)

// Job is one scheduled job: Run is called once per period of Schedule, by the leader only.
type Job struct {
	// Name identifies the job in cron_runs (lowercase letters, digits, '-', '_', '.').
	Name     string
	Schedule maintenance.Schedule
	// Timeout bounds one run (its context ends then). The period is presumed abandoned, and may
	// be claimed again, a minute after it. Default 10 min.
	Timeout time.Duration
	// Quiet logs successful runs at debug level (jobs that run every few seconds).
	Quiet bool
	// Run does the work of period p and returns a one-line summary for cron_runs.detail.
	Run func(ctx context.Context, p maintenance.Period) (detail string, err error)
}

// DefaultJobTimeout is a Job's timeout when it sets none.
const DefaultJobTimeout = 10 * time.Minute

// leaseMargin is added to a job's timeout to form its lease: the run has ended (its context
// did) well before the period may be claimed again.
const leaseMargin = time.Minute

// finishTimeout bounds recording a run's outcome, after the run's own context may have ended.
const finishTimeout = 10 * time.Second

// Leadership says whether this process is the one that runs jobs (postgres.LeaderLock).
type Leadership interface {
	// TryLead reports whether this process leads now, taking leadership when it is free. false
	// with an error when leadership could not be checked or was lost.
	TryLead(ctx context.Context) (bool, error)
	// Release gives leadership up.
	Release(ctx context.Context) error
}

// SchedulerConfig configures a Scheduler.
type SchedulerConfig struct {
	Tick       time.Duration    // default DefaultTick
	RunnerID   string           // recorded in the run log
	RetryAfter time.Duration    // default DefaultRetryAfter
	Now        func() time.Time // default time.Now
}

// Scheduler runs jobs on their schedules while this process leads. Start and Stop bracket its
// loop; the loop's context is its own, never a caller's.
type Scheduler struct {
	lead Leadership
	runs maintenance.RunLog
	jobs []Job
	cfg  SchedulerConfig
	log  *slog.Logger

	mu         sync.Mutex
	stop       context.CancelFunc // ends the loop
	done       chan struct{}      // closed when the loop has returned
	leading    bool
	leadCtx    context.Context    // the context of jobs started under the current leadership
	leadCancel context.CancelFunc // ends it
	running    map[string]bool    // jobs with a run in flight
	finished   map[string]string  // job → key of a period known to have succeeded
	jobsWG     sync.WaitGroup
}

// NewScheduler validates the jobs (names unique and well formed, schedules valid) and returns a
// stopped scheduler.
func NewScheduler(lead Leadership, runs maintenance.RunLog, jobs []Job, cfg SchedulerConfig, log *slog.Logger) (*Scheduler, error) {
	if cfg.Tick <= 0 {
		cfg.Tick = DefaultTick
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	var errs []error
	seen := map[string]bool{}
	jobs = append([]Job(nil), jobs...)
	for i := range jobs {
		j := &jobs[i]
		if !validJobName(j.Name) || seen[j.Name] {
			errs = append(errs, fmt.Errorf("cron: job name %q is invalid or used twice", j.Name))
		}
		seen[j.Name] = true
		if err := j.Schedule.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("cron: job %s: %w", j.Name, err))
		}
		if j.Run == nil {
			errs = append(errs, fmt.Errorf("cron: job %s: Run is nil", j.Name))
		}
		if j.Timeout <= 0 {
			j.Timeout = DefaultJobTimeout
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Scheduler{
		lead: lead, runs: runs, jobs: jobs, cfg: cfg, log: log.With("component", "cron"),
		running: map[string]bool{}, finished: map[string]string{},
	}, nil
}

// validJobName mirrors cron_runs' check: ^[a-z][a-z0-9_.-]{0,62}$.
func validJobName(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		lower, digit, punct := r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_' || r == '.' || r == '-'
		if !lower && !digit && !punct {
			return false
		}
	}
	return true
}

// Start launches the loop and returns at once; ctx is not kept (fx cancels it after start-up).
// Starting a running scheduler does nothing.
func (s *Scheduler) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.done = cancel, make(chan struct{})
	go s.loop(ctx, s.done)
	s.log.Info("cron started", "runner", s.cfg.RunnerID, "tick", s.cfg.Tick.String(), "jobs", len(s.jobs))
	return nil
}

// Stop ends the loop: running jobs are cancelled and their outcome recorded, then leadership is
// released. It returns when all that is done, or with ctx's error when ctx ends first (the loop
// still finishes in the background). Stopping a stopped scheduler does nothing.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	stop()
	select {
	case <-done:
		s.log.Info("cron stopped")
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cron: stop: %w", ctx.Err())
	}
}

// loop ticks until ctx ends, then winds down.
func (s *Scheduler) loop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		s.tick(ctx)
		select {
		case <-ctx.Done():
			s.windDown()
			return
		case <-t.C:
		}
	}
}

// windDown cancels running jobs, waits for them to record their outcome, and releases
// leadership.
func (s *Scheduler) windDown() {
	s.mu.Lock()
	s.resignLocked()
	s.mu.Unlock()
	s.jobsWG.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
	defer cancel()
	if err := s.lead.Release(ctx); err != nil {
		s.log.Warn("cron: release leadership", "error", err)
	}
}

// resignLocked ends the current leadership, if any, cancelling its jobs.
func (s *Scheduler) resignLocked() {
	if s.leading {
		s.leading = false
		s.leadCancel()
		s.leadCtx, s.leadCancel = nil, nil
	}
}

// tick checks leadership and, when leading, starts every job whose current period is due and
// not already running here.
func (s *Scheduler) tick(ctx context.Context) {
	leading, err := s.lead.TryLead(ctx)
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	if !leading {
		if s.leading {
			s.log.Warn("cron: lost leadership; cancelling running jobs", "error", err)
		} else if err != nil {
			s.log.Warn("cron: cannot check leadership", "error", err)
		}
		s.resignLocked()
		s.mu.Unlock()
		return
	}
	if !s.leading {
		s.leading = true
		s.leadCtx, s.leadCancel = context.WithCancel(ctx)
		s.log.Info("cron: leading", "runner", s.cfg.RunnerID)
	}
	leadCtx := s.leadCtx
	s.mu.Unlock()

	now := s.cfg.Now()
	for _, j := range s.jobs {
		p := j.Schedule.Current(now)
		s.mu.Lock()
		skip := s.running[j.Name] || s.finished[j.Name] == p.Key
		s.mu.Unlock()
		if skip {
			continue
		}
		c, claimed, err := s.runs.Claim(ctx, maintenance.ClaimRequest{
			Job: j.Name, Period: p.Key, Runner: s.cfg.RunnerID,
			Lease: j.Timeout + leaseMargin, RetryAfter: s.cfg.RetryAfter,
		})
		if err != nil {
			s.log.Warn("cron: claim", "job", j.Name, "period", p.Key, "error", err)
			continue
		}
		if !claimed {
			if c.Outcome == maintenance.OutcomeSucceeded {
				s.mu.Lock()
				s.finished[j.Name] = p.Key
				s.mu.Unlock()
			}
			continue
		}
		s.mu.Lock()
		s.running[j.Name] = true
		s.jobsWG.Add(1)
		s.mu.Unlock()
		go s.run(leadCtx, j, p, c)
	}
}

// run executes one claimed period of j and records its outcome.
func (s *Scheduler) run(leadCtx context.Context, j Job, p maintenance.Period, c maintenance.Claim) {
	defer s.jobsWG.Done()
	log := s.log.With("job", j.Name, "period", p.Key, "attempt", c.Attempt)
	start := time.Now()
	ctx, cancel := context.WithTimeout(leadCtx, j.Timeout)
	detail, err := call(ctx, j, p)
	cancel()
	outcome := maintenance.OutcomeSucceeded
	if err != nil {
		outcome = maintenance.OutcomeFailed
		detail = joinDetail(detail, err)
	}
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(leadCtx), finishTimeout)
	ferr := s.runs.Finish(fctx, c, outcome, detail)
	fcancel()
	s.mu.Lock()
	delete(s.running, j.Name)
	if err == nil && ferr == nil {
		s.finished[j.Name] = p.Key
	}
	s.mu.Unlock()

	took := time.Since(start).Round(time.Millisecond).String()
	switch {
	case err != nil:
		log.Error("cron job failed", "took", took, "error", err, "detail", detail)
	case j.Quiet:
		log.Debug("cron job done", "took", took, "detail", detail)
	default:
		log.Info("cron job done", "took", took, "detail", detail)
	}
	if ferr != nil {
		log.Warn("cron: record the outcome", "outcome", outcome, "error", ferr)
	}
}

// call runs j, turning a panic into an error so one bad job cannot take the host down.
func call(ctx context.Context, j Job, p maintenance.Period) (detail string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cron job %s panicked: %v", j.Name, r)
		}
	}()
	return j.Run(ctx, p)
}

func joinDetail(detail string, err error) string {
	if detail == "" {
		return "error: " + err.Error()
	}
	return detail + "; error: " + err.Error()
}
