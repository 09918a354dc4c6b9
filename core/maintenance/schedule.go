package maintenance

import (
	"errors"
	"fmt"
	"time"
)

// scheduleKind is the shape of a Schedule.
type scheduleKind int

const (
	kindNone scheduleKind = iota
	kindEvery
	kindDaily
	kindMonthly
)

// Schedule says when a job is due. Every schedule divides time into consecutive periods (all in
// UTC); a job runs once per period, as soon as the period has begun. Build one with Every, Daily
// or Monthly; the zero Schedule is invalid.
type Schedule struct {
	kind              scheduleKind
	every             time.Duration
	day, hour, minute int
}

// Period is one period of a Schedule: [Start, End). Key names it in the run log and in job
// references; it is unique per schedule and stable across processes.
type Period struct {
	Key   string
	Start time.Time
	End   time.Time
}

// Shortest interval Every accepts: the scheduler cannot honour finer ones.
const minEvery = time.Second

// Every is a schedule of fixed windows of length d, at multiples of d since Go's zero time, so
// an interval that divides a day starts its windows at midnight UTC: with d = 30 s, the periods
// start at :00 and :30 of each minute. Keys look like "2026-03-01T12:00:30Z".
func Every(d time.Duration) Schedule { return Schedule{kind: kindEvery, every: d} }

// Daily is a schedule of days that begin at hour:minute UTC. Keys are the date the period
// starts: "2026-03-01".
func Daily(hour, minute int) Schedule {
	return Schedule{kind: kindDaily, hour: hour, minute: minute}
}

// Monthly is a schedule of months that begin on day (1–28, so every month has it) at
// hour:minute UTC. Keys are the month the period starts: "2026-03".
func Monthly(day, hour, minute int) Schedule {
	return Schedule{kind: kindMonthly, day: day, hour: hour, minute: minute}
}

// Validate reports a schedule that cannot be used: the zero Schedule, an interval under a
// second, an hour outside 0–23, a minute outside 0–59, a day outside 1–28.
func (s Schedule) Validate() error {
	var errs []error
	switch s.kind {
	case kindEvery:
		if s.every < minEvery {
			errs = append(errs, fmt.Errorf("schedule: interval %v is shorter than %v", s.every, minEvery))
		}
		return errors.Join(errs...)
	case kindMonthly:
		if s.day < 1 || s.day > 28 {
			errs = append(errs, fmt.Errorf("schedule: day %d of the month is outside 1-28", s.day))
		}
	case kindDaily:
	default:
		return errors.New("schedule: empty (use Every, Daily or Monthly)")
	}
	if s.hour < 0 || s.hour > 23 {
		errs = append(errs, fmt.Errorf("schedule: hour %d is outside 0-23", s.hour))
	}
	if s.minute < 0 || s.minute > 59 {
		errs = append(errs, fmt.Errorf("schedule: minute %d is outside 0-59", s.minute))
	}
	return errors.Join(errs...)
}

// Current returns the period now falls in: the latest one that has begun. s must be valid.
func (s Schedule) Current(now time.Time) Period {
	now = now.UTC()
	switch s.kind {
	case kindEvery:
		start := now.Truncate(s.every)
		return Period{Key: start.Format(time.RFC3339), Start: start, End: start.Add(s.every)}
	case kindDaily:
		start := time.Date(now.Year(), now.Month(), now.Day(), s.hour, s.minute, 0, 0, time.UTC)
		if now.Before(start) {
			start = start.AddDate(0, 0, -1)
		}
		return Period{Key: start.Format(time.DateOnly), Start: start, End: start.AddDate(0, 0, 1)}
	case kindMonthly:
		start := time.Date(now.Year(), now.Month(), s.day, s.hour, s.minute, 0, 0, time.UTC)
		if now.Before(start) {
			start = start.AddDate(0, -1, 0) // day <= 28: no normalisation into the next month
		}
		return Period{Key: start.Format(monthLayout), Start: start, End: start.AddDate(0, 1, 0)}
	}
	panic("maintenance: Current on an invalid schedule")
}

// String describes the schedule for logs: "every 30s", "daily at 02:00 UTC", "monthly on day 1
// at 00:00 UTC".
func (s Schedule) String() string {
	switch s.kind {
	case kindEvery:
		return "every " + s.every.String()
	case kindDaily:
		return fmt.Sprintf("daily at %02d:%02d UTC", s.hour, s.minute)
	case kindMonthly:
		return fmt.Sprintf("monthly on day %d at %02d:%02d UTC", s.day, s.hour, s.minute)
	}
	return "invalid schedule"
}

// monthLayout formats a month key: "2026-03".
const monthLayout = "2006-01"
