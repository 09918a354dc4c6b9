package cron

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/oslira/oslira/core/maintenance"
)

// Config configures the cron host. Start from DefaultConfig: in the zero Config, Enabled is
// false and the hours are midnight. WithDefaults fills the other zero fields.
type Config struct {
	// Enabled runs the scheduler. When false the host starts nothing (for example a staging
	// environment that shares production's database, where production's cron does the work).
	Enabled bool
	// Tick is how often the scheduler checks leadership and due jobs; it bounds how late a job
	// starts and how long a failover takes. Default 10 s.
	Tick time.Duration
	// RunnerID names this process in cron_runs.runner. Default "<hostname>-<pid>".
	RunnerID string
	// LockKey is the advisory-lock key the schedulers contend for. Default DefaultLockKey.
	LockKey int64
	// RetryAfter is how long after a failed run its period may run again. Default 5 min.
	RetryAfter time.Duration

	// JanitorEvery is the janitor's interval. Default 30 s.
	JanitorEvery time.Duration
	// ReaperEvery is the stale-work reaper's interval. Default 10 min.
	ReaperEvery time.Duration
	// StaleWebhookAfter is how long an unprocessed webhook event waits before the reaper
	// re-starts its processing. Default 1 h.
	StaleWebhookAfter time.Duration

	// FreeGrantDay and FreeGrantHour: the free-plan grant runs monthly on this day (1–28) at this
	// hour (UTC). Default day 1; DefaultConfig's hour is 0.
	FreeGrantDay  int
	FreeGrantHour int
	// RetentionHour: retention runs daily at RetentionHour:00 UTC and workflow retention at
	// RetentionHour:30. DefaultConfig: 2.
	RetentionHour int

	// WebhookEventRetentionDays keeps processed webhook events (default 90); unprocessed ones are
	// never deleted. CronRunRetentionDays keeps cron_runs rows (default 90).
	// WorkflowRetentionDays keeps finished workflow runs (default 30); keep it below
	// WebhookEventRetentionDays (see maintenance.WorkflowRetention).
	WebhookEventRetentionDays int
	CronRunRetentionDays      int
	WorkflowRetentionDays     int
	// AnalyticsRetentionMonths keeps the request analytics of the current UTC month and of this
	// many months before it (default 13); older monthly partitions are dropped.
	AnalyticsRetentionMonths int
}

// DefaultLockKey is the leader lock's advisory-lock key: "oslcron" in ASCII.
const DefaultLockKey int64 = 0x6f736c63726f6e

// Defaults.
const (
	DefaultTick              = 10 * time.Second
	DefaultRetryAfter        = 5 * time.Minute
	DefaultJanitorEvery      = 30 * time.Second
	DefaultReaperEvery       = 10 * time.Minute
	DefaultFreeGrantDay      = 1
	DefaultRetentionHour     = 2
	DefaultStaleWebhookAfter = maintenance.DefaultWebhookStaleAfter
)

// DefaultConfig is the configuration of a production cron host: enabled, with every default.
func DefaultConfig() Config {
	return Config{Enabled: true, RetentionHour: DefaultRetentionHour}.WithDefaults()
}

// WithDefaults fills zero fields (but not Enabled and the hours, whose zero is meaningful).
func (c Config) WithDefaults() Config {
	if c.Tick <= 0 {
		c.Tick = DefaultTick
	}
	if c.RunnerID == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "cron"
		}
		c.RunnerID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if c.LockKey == 0 {
		c.LockKey = DefaultLockKey
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = DefaultRetryAfter
	}
	if c.JanitorEvery <= 0 {
		c.JanitorEvery = DefaultJanitorEvery
	}
	if c.ReaperEvery <= 0 {
		c.ReaperEvery = DefaultReaperEvery
	}
	if c.StaleWebhookAfter <= 0 {
		c.StaleWebhookAfter = DefaultStaleWebhookAfter
	}
	if c.FreeGrantDay == 0 {
		c.FreeGrantDay = DefaultFreeGrantDay
	}
	if c.WebhookEventRetentionDays <= 0 {
		c.WebhookEventRetentionDays = maintenance.DefaultWebhookEventDays
	}
	if c.CronRunRetentionDays <= 0 {
		c.CronRunRetentionDays = maintenance.DefaultCronRunDays
	}
	if c.WorkflowRetentionDays <= 0 {
		c.WorkflowRetentionDays = maintenance.DefaultWorkflowRetentionDays
	}
	if c.AnalyticsRetentionMonths <= 0 {
		c.AnalyticsRetentionMonths = maintenance.DefaultAnalyticsRetentionMonths
	}
	return c
}

// Validate checks a configuration after WithDefaults.
func (c Config) Validate() error {
	var errs []error
	for _, s := range []maintenance.Schedule{
		maintenance.Every(c.JanitorEvery), maintenance.Every(c.ReaperEvery),
		maintenance.Monthly(c.FreeGrantDay, c.FreeGrantHour, 0), maintenance.Daily(c.RetentionHour, 0),
	} {
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("cron config: %w", err))
		}
	}
	if c.Tick < 10*time.Millisecond {
		errs = append(errs, errors.New("cron config: Tick must be at least 10ms"))
	}
	if c.WorkflowRetentionDays >= c.WebhookEventRetentionDays {
		errs = append(errs, fmt.Errorf("cron config: WorkflowRetentionDays (%d) must be below WebhookEventRetentionDays (%d)",
			c.WorkflowRetentionDays, c.WebhookEventRetentionDays))
	}
	return errors.Join(errs...)
}
