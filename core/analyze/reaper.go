package analyze

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/maintenance"
	"github.com/oslira/oslira/core/workflow"
)

// Reaper defaults.
const (
	// DefaultPendingExpiry: an analysis still pending after a day is given up (the seed's
	// "pending > 24 h → failed"), its run cancelled and its credits refunded.
	DefaultPendingExpiry = 24 * time.Hour
	// DefaultOrphanAfter: a running analysis whose run the engine has finished (failed or
	// cancelled) without finishing the analysis is failed and refunded once it is this old.
	DefaultOrphanAfter = 15 * time.Minute
	// DefaultReapLimit caps the analyses examined per status and sweep.
	DefaultReapLimit = 500
)

// Sweeper is the stale-analysis reaper (a maintenance.Sweeper run by the cron host):
//   - pending analyses older than PendingExpiry: the run is cancelled (it would find the
//     analysis finished anyway) and the analysis finished Expired, refunded;
//   - running analyses older than OrphanAfter whose run is failed or cancelled in the engine, or
//     does not exist: finished Errored, refunded. A run still enqueued or running is the
//     engine's (in flight); a succeeded run that left the analysis running is reported stuck.
//
// Finishing goes through RunStore.Finish, whose status guard and the ledger's idempotency make
// a race with the workflow harmless: whichever finishes first wins, the refund happens once.
type Sweeper struct {
	store         RunStore
	engine        workflow.Engine
	pendingExpiry time.Duration
	orphanAfter   time.Duration
	limit         int
	log           *slog.Logger
}

var _ maintenance.Sweeper = (*Sweeper)(nil)

// NewSweeper returns the reaper with the defaults above.
func NewSweeper(store RunStore, engine workflow.Engine, log *slog.Logger) *Sweeper {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sweeper{store: store, engine: engine, pendingExpiry: DefaultPendingExpiry,
		orphanAfter: DefaultOrphanAfter, limit: DefaultReapLimit, log: log}
}

// Name implements maintenance.Sweeper.
func (s *Sweeper) Name() string { return "analyses" }

// Sweep implements maintenance.Sweeper.
func (s *Sweeper) Sweep(ctx context.Context, now time.Time) (maintenance.SweepReport, error) {
	var rep maintenance.SweepReport
	pending, err := s.store.Stale(ctx, analysis.Pending, now.Add(-s.pendingExpiry), s.limit)
	if err != nil {
		return rep, fmt.Errorf("stale pending analyses: %w", err)
	}
	var errs []error
	for _, a := range pending {
		rep.Found++
		if err := s.engine.Cancel(ctx, a.RunID()); err != nil && !errors.Is(err, workflow.ErrNotFound) {
			errs = append(errs, fmt.Errorf("cancel %s: %w", a.RunID(), err))
			continue
		}
		if s.finish(ctx, &rep, &errs, Finish{ID: a.ID, Outcome: analysis.Expired, ErrorCode: CodeExpired}) {
			s.log.WarnContext(ctx, "analysis expired while pending", "analysis_id", a.ID, "created_at", a.CreatedAt)
		}
	}
	running, err := s.store.Stale(ctx, analysis.Running, now.Add(-s.orphanAfter), s.limit)
	if err != nil {
		return rep, errors.Join(append(errs, fmt.Errorf("stale running analyses: %w", err))...)
	}
	for _, a := range running {
		rep.Found++
		st, err := s.engine.Status(ctx, a.RunID())
		switch {
		case errors.Is(err, workflow.ErrNotFound):
		case err != nil:
			errs = append(errs, fmt.Errorf("status of %s: %w", a.RunID(), err))
			continue
		case !st.State.Terminal():
			rep.InFlight++
			continue
		case st.State == workflow.StateSucceeded:
			rep.Stuck++
			rep.StuckIDs = append(rep.StuckIDs, a.ID)
			continue
		}
		code := st.ErrorCode
		if code == "" {
			code = apperr.CodeInternal
		}
		if s.finish(ctx, &rep, &errs, Finish{ID: a.ID, Outcome: analysis.Errored, ErrorCode: code}) {
			s.log.WarnContext(ctx, "analysis orphaned by its run", "analysis_id", a.ID, "run_state", string(st.State))
		}
	}
	return rep, errors.Join(errs...)
}

// finish records f, counting it as restarted when it changed the analysis.
func (s *Sweeper) finish(ctx context.Context, rep *maintenance.SweepReport, errs *[]error, f Finish) bool {
	changed, err := s.store.Finish(ctx, f)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("finish %s: %w", f.ID, err))
		return false
	}
	if changed {
		rep.Restarted++
	}
	return changed
}
