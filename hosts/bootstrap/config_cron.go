package bootstrap

import (
	"strconv"

	"github.com/oslira/oslira/hosts/cron"
)

// maxRetentionDays bounds WORKFLOW_RETENTION_DAYS (ten years).
const maxRetentionDays = 3650

// loadCron reads CRON_ENABLED and WORKFLOW_RETENTION_DAYS.
func (c *Config) loadCron(l *loader) {
	c.CronEnabled = true
	if v := l.get("CRON_ENABLED"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			l.bad("CRON_ENABLED", "must be true or false")
		}
		c.CronEnabled = b
	}
	if v := l.get("WORKFLOW_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxRetentionDays {
			l.bad("WORKFLOW_RETENTION_DAYS", "must be a whole number of days from 1 to "+strconv.Itoa(maxRetentionDays))
		}
		c.WorkflowRetentionDays = n
	}
}

// Cron is the scheduler's configuration: the cron host's defaults, switched on or off by
// CRON_ENABLED (a staging environment sharing production's database turns it off), with the
// workflow retention from WORKFLOW_RETENTION_DAYS when set.
func (c Config) Cron() cron.Config {
	cfg := cron.DefaultConfig()
	cfg.Enabled = c.CronEnabled
	if c.WorkflowRetentionDays > 0 {
		cfg.WorkflowRetentionDays = c.WorkflowRetentionDays
	}
	return cfg
}
