package maintenance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AnalyticsPartitioner keeps the monthly partitions of the request analytics table (UTC months).
type AnalyticsPartitioner interface {
	// EnsureAnalyticsPartitions creates the partitions of the months UTC months starting with
	// from's month that do not exist yet, and returns the names it created.
	EnsureAnalyticsPartitions(ctx context.Context, from time.Time, months int) ([]string, error)
	// DropAnalyticsPartitions drops every monthly partition whose month ends at or before
	// before, deletes the rows older than before that other partitions hold (the default one),
	// and returns the names of the partitions dropped.
	DropAnalyticsPartitions(ctx context.Context, before time.Time) ([]string, error)
}

// Defaults of AnalyticsPartitions.
const (
	// DefaultAnalyticsRetentionMonths: the current month and the 13 before it are kept.
	DefaultAnalyticsRetentionMonths = 13
	// AnalyticsMonthsAhead: partitions exist for the current month and the next two, so a
	// missed run or two never sends a month's events to the default partition.
	AnalyticsMonthsAhead = 2
)

// AnalyticsPartitions is the monthly upkeep of the analytics table: it creates the partitions of
// the current UTC month and the next AnalyticsMonthsAhead, and drops those of the months before
// the last retention months (with retention 13 in March 2026, January 2025 and older go,
// February 2025 stays). Idempotent: a second run in the same month creates and drops nothing.
type AnalyticsPartitions struct {
	p         AnalyticsPartitioner
	retention int
}

// NewAnalyticsPartitions returns the use case; retentionMonths <= 0 takes
// DefaultAnalyticsRetentionMonths.
func NewAnalyticsPartitions(p AnalyticsPartitioner, retentionMonths int) *AnalyticsPartitions {
	if retentionMonths <= 0 {
		retentionMonths = DefaultAnalyticsRetentionMonths
	}
	return &AnalyticsPartitions{p: p, retention: retentionMonths}
}

// AnalyticsPartitionsReport names the partitions created and dropped.
type AnalyticsPartitionsReport struct {
	Created []string
	Dropped []string
}

// String summarises the report for the run log.
func (r AnalyticsPartitionsReport) String() string {
	return fmt.Sprintf("created %d [%s]; dropped %d [%s]",
		len(r.Created), strings.Join(r.Created, " "), len(r.Dropped), strings.Join(r.Dropped, " "))
}

// Run creates the months ahead and drops the expired ones, as of now. A failure of one half
// does not stop the other; both errors are returned.
func (a *AnalyticsPartitions) Run(ctx context.Context, now time.Time) (AnalyticsPartitionsReport, error) {
	month := monthStart(now)
	var rep AnalyticsPartitionsReport
	created, errCreate := a.p.EnsureAnalyticsPartitions(ctx, month, 1+AnalyticsMonthsAhead)
	rep.Created = created
	if errCreate != nil {
		errCreate = fmt.Errorf("create analytics partitions: %w", errCreate)
	}
	dropped, errDrop := a.p.DropAnalyticsPartitions(ctx, month.AddDate(0, -a.retention, 0))
	rep.Dropped = dropped
	if errDrop != nil {
		errDrop = fmt.Errorf("drop analytics partitions: %w", errDrop)
	}
	return rep, errors.Join(errCreate, errDrop)
}

// monthStart is the first instant of t's UTC month.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
