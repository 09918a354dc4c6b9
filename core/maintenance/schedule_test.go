package maintenance_test

import (
	"testing"
	"time"

	"github.com/oslira/oslira/core/maintenance"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestScheduleCurrentPeriod(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		s          maintenance.Schedule
		now        string
		key        string
		start, end string
	}{
		{"every 30s, inside", maintenance.Every(30 * time.Second), "2026-03-01T12:00:45Z", "2026-03-01T12:00:30Z", "2026-03-01T12:00:30Z", "2026-03-01T12:01:00Z"},
		{"every 30s, on the boundary", maintenance.Every(30 * time.Second), "2026-03-01T12:01:00Z", "2026-03-01T12:01:00Z", "2026-03-01T12:01:00Z", "2026-03-01T12:01:30Z"},
		{"every 10m, other zone", maintenance.Every(10 * time.Minute), "2026-03-01T14:07:00+02:00", "2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T12:10:00Z"},
		{"daily, after the hour", maintenance.Daily(2, 0), "2026-03-01T02:00:00Z", "2026-03-01", "2026-03-01T02:00:00Z", "2026-03-02T02:00:00Z"},
		{"daily, before the hour", maintenance.Daily(2, 30), "2026-03-01T02:29:59Z", "2026-02-28", "2026-02-28T02:30:00Z", "2026-03-01T02:30:00Z"},
		{"monthly, after the day", maintenance.Monthly(1, 0, 0), "2026-03-15T08:00:00Z", "2026-03", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"monthly, a second before", maintenance.Monthly(1, 0, 0), "2026-02-28T23:59:59Z", "2026-02", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		// Each period begins at its exact start instant: a run at 00:00:00 on the 1st belongs to
		// the new month (Before, not !After, in Current).
		{"monthly, the exact start instant", maintenance.Monthly(1, 0, 0), "2026-03-01T00:00:00Z", "2026-03", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"daily, the exact start instant", maintenance.Daily(2, 30), "2026-03-01T02:30:00Z", "2026-03-01", "2026-03-01T02:30:00Z", "2026-03-02T02:30:00Z"},
		{"monthly, day 28, year boundary", maintenance.Monthly(28, 3, 0), "2026-01-10T00:00:00Z", "2025-12", "2025-12-28T03:00:00Z", "2026-01-28T03:00:00Z"},
	}
	for _, c := range cases {
		if err := c.s.Validate(); err != nil {
			t.Fatalf("%s: Validate: %v", c.name, err)
		}
		p := c.s.Current(at(c.now))
		if p.Key != c.key || !p.Start.Equal(at(c.start)) || !p.End.Equal(at(c.end)) {
			t.Errorf("%s: Current(%s) = %s [%s, %s), want %s [%s, %s)", c.name, c.now,
				p.Key, p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339), c.key, c.start, c.end)
		}
		if p.Start.Location() != time.UTC {
			t.Errorf("%s: start not in UTC", c.name)
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	t.Parallel()
	bad := map[string]maintenance.Schedule{
		"zero":         {},
		"sub-second":   maintenance.Every(500 * time.Millisecond),
		"hour 24":      maintenance.Daily(24, 0),
		"minute 60":    maintenance.Daily(0, 60),
		"day 29":       maintenance.Monthly(29, 0, 0),
		"day 0":        maintenance.Monthly(0, 0, 0),
		"negative min": maintenance.Monthly(1, 0, -1),
	}
	for name, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil", name)
		}
	}
	// Every bound itself is valid.
	for name, s := range map[string]maintenance.Schedule{
		"one second":        maintenance.Every(time.Second),
		"23:59 daily":       maintenance.Daily(23, 59),
		"00:00 daily":       maintenance.Daily(0, 0),
		"day 28 at 23:59":   maintenance.Monthly(28, 23, 59),
		"day 1 at midnight": maintenance.Monthly(1, 0, 0),
	} {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: Validate() = %v", name, err)
		}
	}
	if got := maintenance.Monthly(1, 3, 5).String(); got != "monthly on day 1 at 03:05 UTC" {
		t.Errorf("String() = %q", got)
	}
}
