package maintenance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sweeper finds one kind of stalled work and drives it on: it re-starts work whose run was
// lost, or gives up on work that is too old and undoes its effects. Sweeps are idempotent:
// what a sweep drove on is no longer stalled (or is driven on the same way again, changing
// nothing).
//
// The Reaper runs every sweeper it was given. Today there is one (WebhookSweeper); the analysis
// feature adds its own — analyses pending for more than 24 hours are marked failed and their
// debit refunded once (ledger kind analysis_refund, reference the analysis id) — by
// implementing Sweeper and passing it to NewReaper.
type Sweeper interface {
	// Name identifies the sweeper in reports and logs ("webhooks", "analyses").
	Name() string
	// Sweep handles the work that is stalled at now.
	Sweep(ctx context.Context, now time.Time) (SweepReport, error)
}

// SweepReport says what one sweep found and did.
type SweepReport struct {
	Found     int      // stalled items examined
	Restarted int      // items driven on (re-started, or failed and compensated)
	InFlight  int      // items whose run exists and is still going: left to the engine
	Stuck     int      // items that need an operator
	StuckIDs  []string // the first few of them, for the log
}

// maxStuckIDs bounds SweepReport.StuckIDs.
const maxStuckIDs = 10

func (r *SweepReport) stuck(id string) {
	r.Stuck++
	if len(r.StuckIDs) < maxStuckIDs {
		r.StuckIDs = append(r.StuckIDs, id)
	}
}

func (r SweepReport) String() string {
	s := fmt.Sprintf("found=%d restarted=%d in_flight=%d stuck=%d", r.Found, r.Restarted, r.InFlight, r.Stuck)
	if len(r.StuckIDs) > 0 {
		s += " stuck_ids=" + strings.Join(r.StuckIDs, ",")
	}
	return s
}

// Reaper is the stale-work job: it runs its sweepers in order.
type Reaper struct {
	sweepers []Sweeper
}

// ReaperReport holds each sweeper's report, in the order they ran.
type ReaperReport struct {
	Names   []string
	Reports []SweepReport
}

func (r ReaperReport) String() string {
	parts := make([]string, len(r.Names))
	for i, n := range r.Names {
		parts[i] = n + ": " + r.Reports[i].String()
	}
	return strings.Join(parts, "; ")
}

// Stuck is the number of stuck items over all sweepers.
func (r ReaperReport) Stuck() int {
	n := 0
	for _, s := range r.Reports {
		n += s.Stuck
	}
	return n
}

// NewReaper returns a reaper running sweepers in order.
func NewReaper(sweepers ...Sweeper) *Reaper { return &Reaper{sweepers: sweepers} }

// Run runs every sweeper; a failing one does not stop the others (the errors are joined).
func (r *Reaper) Run(ctx context.Context, now time.Time) (ReaperReport, error) {
	var (
		rep  ReaperReport
		errs []error
	)
	for _, s := range r.sweepers {
		sr, err := s.Sweep(ctx, now)
		rep.Names = append(rep.Names, s.Name())
		rep.Reports = append(rep.Reports, sr)
		if err != nil {
			errs = append(errs, fmt.Errorf("reaper %s: %w", s.Name(), err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return rep, errors.Join(errs...)
}
