package cron

import (
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsAndValidate(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	if !c.Enabled || c.Tick != 10*time.Second || c.JanitorEvery != 30*time.Second || c.ReaperEvery != 10*time.Minute ||
		c.FreeGrantDay != 1 || c.FreeGrantHour != 0 || c.RetentionHour != 2 || c.StaleWebhookAfter != time.Hour ||
		c.WebhookEventRetentionDays != 90 || c.CronRunRetentionDays != 90 || c.WorkflowRetentionDays != 30 ||
		c.LockKey != DefaultLockKey || c.RunnerID == "" || c.RetryAfter != 5*time.Minute || c.AnalyticsRetentionMonths != 13 {
		t.Fatalf("DefaultConfig() = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if (Config{}).WithDefaults().Enabled {
		t.Error("WithDefaults enabled a zero config")
	}
	bad := map[string]func(*Config){
		"day 29":                             func(c *Config) { c.FreeGrantDay = 29 },
		"hour 24":                            func(c *Config) { c.RetentionHour = 24 },
		"tick":                               func(c *Config) { c.Tick = time.Millisecond },
		"workflows kept as long as webhooks": func(c *Config) { c.WorkflowRetentionDays = 90 },
	}
	for name, mutate := range bad {
		c := DefaultConfig()
		mutate(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c = DefaultConfig()
	c.JanitorEvery = time.Millisecond
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "interval") {
		t.Errorf("sub-second janitor: %v", err)
	}
}
