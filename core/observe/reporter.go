package observe

import (
	"context"

	"github.com/oslira/oslira/core/apperr"
)

// Reporter sends an error to the error tracker (Sentry in production). Only CRITICAL errors are
// reported (apperr.LevelOf): callers use ReportIfCritical, which applies that rule once. Report
// must not block on the network (the adapter queues), must never panic, and must scrub what it
// sends: tags and the error text may reach a third party, so callers pass ids, never e-mails,
// tokens or bodies.
type Reporter interface {
	Report(ctx context.Context, err error, tags map[string]string)
}

// NopReporter is the Reporter of a deployment without an error tracker.
type NopReporter struct{}

// Report does nothing.
func (NopReporter) Report(context.Context, error, map[string]string) {}

// ReportIfCritical reports err through r when its level is CRITICAL and says whether it did; a
// nil reporter or a nil error reports nothing.
func ReportIfCritical(ctx context.Context, r Reporter, err error, tags map[string]string) bool {
	if r == nil || err == nil || apperr.LevelOf(err) != apperr.LevelCritical {
		return false
	}
	r.Report(ctx, err, tags)
	return true
}
