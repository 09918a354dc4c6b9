package dbos

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"
)

// Schema is the PostgreSQL schema holding DBOS's system tables and the adapter's own two
// (oslira_executors, oslira_janitor).
const Schema = "dbos"

// Defaults applied by Config.WithDefaults and JanitorConfig.WithDefaults.
const (
	DefaultAppName               = "oslira"
	DefaultRole                  = "worker"
	DefaultMaxConns        int32 = 10
	DefaultPollInterval          = time.Second
	DefaultHeartbeat             = 10 * time.Second
	DefaultStartupTimeout        = 30 * time.Second
	DefaultShutdownTimeout       = 10 * time.Second
	DefaultMaxRecoveries         = 100
	DefaultStaleAfter            = time.Minute
	DefaultMaxResumes            = 3
	DefaultJanitorLimit          = 500
	// DefaultWorkerConcurrency bounds the runs one executor takes from one queue at once. DBOS's
	// own default is unbounded: one executor would claim a whole backlog in a single poll.
	DefaultWorkerConcurrency = 16
)

// Config configures a Client or an Executor. Zero fields take the defaults above, except
// ApplicationVersion, which must be set.
type Config struct {
	// AppName is the DBOS application name every process of the product shares.
	AppName string
	// ApplicationVersion pins runs to the code that can execute them: an executor only runs and
	// recovers runs of its own version. Set it explicitly (never DBOS's binary-hash default) and
	// bump it only for incompatible workflow-code changes; see the package documentation.
	ApplicationVersion string
	// ExecutorID names this process to DBOS; it must be unique among live processes and stable
	// across restarts of the same process (a restarted executor recovers the runs its
	// predecessor left behind). Default: "<hostname>-<Role>".
	ExecutorID string
	// Role is the host role ("http", "worker", "cron", "serve"); it names the default executor id
	// and the DBOS pool's application_name.
	Role string
	// MaxConns sizes the adapter's own connection pool (see NewClient); one connection is held
	// for LISTEN. At least 2.
	MaxConns int32
	// QueuePollInterval is how often an executor polls each queue (per queue, per process);
	// it bounds start latency and costs one query per poll.
	QueuePollInterval time.Duration
	// Queues sets limits per queue; definitions' queues not listed get the default limits.
	Queues []QueueConfig
	// HeartbeatInterval is how often an executor writes its heartbeat (the janitor's liveness
	// signal); keep it well below Janitor.StaleAfter.
	HeartbeatInterval time.Duration
	// StartupTimeout bounds connecting, schema verification and queue registration.
	StartupTimeout time.Duration
	// ShutdownTimeout bounds draining on stop (fx's stop deadline, when sooner, wins).
	ShutdownTimeout time.Duration
	// MaxRecoveryAttempts: a run recovered (or dequeued) more often than this is dead-lettered
	// by DBOS (it fails). Guards against a run that kills its process every time.
	MaxRecoveryAttempts int
	// Janitor configures the janitor built from this engine.
	Janitor JanitorConfig
}

// QueueConfig holds the limits of one queue.
type QueueConfig struct {
	Name              string
	WorkerConcurrency int // runs at once per executor; 0: DefaultWorkerConcurrency, -1: unlimited
	GlobalConcurrency int // runs at once across executors; 0: unlimited
	// PartitionConcurrency caps the runs of one partition (workflow.WithPartition: the analyses
	// queue is partitioned by account) running at once across executors; 0: the queue is not
	// partitioned. It must not exceed GlobalConcurrency when both are set.
	PartitionConcurrency int
	PollInterval         time.Duration // 0: Config.QueuePollInterval
}

// JanitorConfig configures the Janitor.
type JanitorConfig struct {
	// StaleAfter: an executor whose last heartbeat is older is considered dead.
	StaleAfter time.Duration
	// MaxResumes: how many times one run may be resumed by the janitor; a run stranded again
	// after that is cancelled.
	MaxResumes int
	// Limit caps the stranded runs handled per pass.
	Limit int
}

// WithDefaults returns c with zero fields replaced by their defaults; the default executor id
// uses the host name.
func (c Config) WithDefaults() Config {
	if c.AppName == "" {
		c.AppName = DefaultAppName
	}
	if c.Role == "" {
		c.Role = DefaultRole
	}
	if c.ExecutorID == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "localhost"
		}
		c.ExecutorID = host + "-" + c.Role
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.QueuePollInterval == 0 {
		c.QueuePollInterval = DefaultPollInterval
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeat
	}
	if c.StartupTimeout == 0 {
		c.StartupTimeout = DefaultStartupTimeout
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.MaxRecoveryAttempts == 0 {
		c.MaxRecoveryAttempts = DefaultMaxRecoveries
	}
	c.Janitor = c.Janitor.WithDefaults()
	return c
}

// WithDefaults returns j with zero fields replaced by their defaults.
func (j JanitorConfig) WithDefaults() JanitorConfig {
	if j.StaleAfter == 0 {
		j.StaleAfter = DefaultStaleAfter
	}
	if j.MaxResumes == 0 {
		j.MaxResumes = DefaultMaxResumes
	}
	if j.Limit == 0 {
		j.Limit = DefaultJanitorLimit
	}
	return j
}

var (
	appNamePattern = regexp.MustCompile(`^[a-z0-9_-]{3,256}$`)
	queuePattern   = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)
)

// Validate reports every invalid field of c (after defaults), each named by its field.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(field, msg string, args ...any) {
		errs = append(errs, fmt.Errorf("dbos config: %s: %s", field, fmt.Sprintf(msg, args...)))
	}
	if !appNamePattern.MatchString(c.AppName) {
		bad("AppName", "must be 3–256 lowercase letters, digits, '-' or '_'")
	}
	if c.ApplicationVersion == "" {
		bad("ApplicationVersion", "is required: set it explicitly and bump it only for incompatible workflow changes")
	} else if len(c.ApplicationVersion) > 128 {
		bad("ApplicationVersion", "is longer than 128 characters")
	}
	if len(c.ExecutorID) > 128 {
		bad("ExecutorID", "is longer than 128 characters")
	}
	if c.MaxConns < 2 {
		bad("MaxConns", "must be at least 2 (one connection is held for LISTEN)")
	}
	for field, d := range map[string]time.Duration{
		"QueuePollInterval": c.QueuePollInterval, "HeartbeatInterval": c.HeartbeatInterval,
		"StartupTimeout": c.StartupTimeout, "ShutdownTimeout": c.ShutdownTimeout,
	} {
		if d <= 0 {
			bad(field, "must be positive")
		}
	}
	if c.MaxRecoveryAttempts < 1 {
		bad("MaxRecoveryAttempts", "must be at least 1")
	}
	seen := map[string]bool{}
	for i, q := range c.Queues {
		field := fmt.Sprintf("Queues[%d]", i)
		switch {
		case !queuePattern.MatchString(q.Name):
			bad(field, "name %q must match %s", q.Name, queuePattern)
		case seen[q.Name]:
			bad(field, "queue %q is listed twice", q.Name)
		}
		seen[q.Name] = true
		if q.WorkerConcurrency < -1 || q.GlobalConcurrency < 0 || q.PartitionConcurrency < 0 || q.PollInterval < 0 {
			bad(field, "limits must not be negative")
		}
		if q.WorkerConcurrency > 0 && q.GlobalConcurrency > 0 && q.WorkerConcurrency > q.GlobalConcurrency {
			bad(field, "WorkerConcurrency exceeds GlobalConcurrency")
		}
		if q.PartitionConcurrency > 0 && q.GlobalConcurrency > 0 && q.PartitionConcurrency > q.GlobalConcurrency {
			bad(field, "PartitionConcurrency exceeds GlobalConcurrency")
		}
	}
	if err := c.Janitor.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.HeartbeatInterval*3 > c.Janitor.StaleAfter {
		bad("HeartbeatInterval", "must be at most a third of Janitor.StaleAfter (%v), or live executors look dead", c.Janitor.StaleAfter)
	}
	return errors.Join(errs...)
}

// Validate reports invalid janitor settings (after defaults).
func (j JanitorConfig) Validate() error {
	j = j.WithDefaults()
	var errs []error
	if j.StaleAfter <= 0 {
		errs = append(errs, errors.New("dbos config: Janitor.StaleAfter: must be positive"))
	}
	if j.MaxResumes < 1 {
		errs = append(errs, errors.New("dbos config: Janitor.MaxResumes: must be at least 1"))
	}
	if j.Limit < 1 {
		errs = append(errs, errors.New("dbos config: Janitor.Limit: must be at least 1"))
	}
	return errors.Join(errs...)
}

// queueConfig returns the limits of queue name, defaults applied (-1 worker concurrency is
// returned as 0: unlimited).
func (c Config) queueConfig(name string) QueueConfig {
	q := QueueConfig{Name: name}
	for _, qc := range c.Queues {
		if qc.Name == name {
			q = qc
		}
	}
	if q.PollInterval == 0 {
		q.PollInterval = c.QueuePollInterval
	}
	switch q.WorkerConcurrency {
	case 0:
		q.WorkerConcurrency = DefaultWorkerConcurrency
		if q.GlobalConcurrency > 0 {
			q.WorkerConcurrency = min(q.WorkerConcurrency, q.GlobalConcurrency)
		}
	case -1:
		q.WorkerConcurrency = 0
	}
	return q
}
