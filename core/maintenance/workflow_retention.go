package maintenance

import (
	"context"
	"fmt"
	"time"
)

// FinishedRunPurger deletes finished workflow runs (the DBOS adapter's Engine implements it).
type FinishedRunPurger interface {
	// DeleteFinished deletes at most limit runs that finished (succeeded, failed or cancelled)
	// before `before`, with everything the engine recorded for them, and returns how many it
	// deleted. Unfinished runs are never deleted.
	DeleteFinished(ctx context.Context, before time.Time, limit int) (int, error)
}

// DefaultWorkflowRetentionDays is how long finished runs are kept.
const DefaultWorkflowRetentionDays = 30

// DefaultWorkflowRetentionBatch is how many runs one DeleteFinished call deletes at most.
const DefaultWorkflowRetentionBatch = 500

// WorkflowRetention deletes finished workflow runs older than Keep: the engine keeps every run,
// its input, output and step checkpoints forever otherwise.
//
// Deleting a run frees its id, and run ids are idempotency keys (Start with an existing id
// starts nothing). That is safe for every run started today because none relies on the id
// alone: a Stripe event re-delivered after its run was deleted starts a new run, which finds
// every ledger entry already written (the ledger is idempotent per (account, kind, reference)
// and is never deleted), the subscription already at or past the event's state, and the event
// already marked processed in webhook_events (kept longer: DefaultWebhookEventDays). Stripe
// stops retrying a delivery after three days, far inside the 30 days kept here. A new workflow
// whose effects are not idempotent on their own must not rely on its run id for longer than
// this retention.
type WorkflowRetention struct {
	purger FinishedRunPurger
	keep   time.Duration
	batch  int
}

// WorkflowRetentionReport says how many runs one pass deleted.
type WorkflowRetentionReport struct {
	Deleted int
	Before  time.Time
}

func (r WorkflowRetentionReport) String() string {
	return fmt.Sprintf("deleted=%d finished_before=%s", r.Deleted, r.Before.UTC().Format(time.RFC3339))
}

// NewWorkflowRetention keeps finished runs for keepDays (<= 0 takes the default) and deletes
// them in batches of batch (<= 0 takes the default).
func NewWorkflowRetention(p FinishedRunPurger, keepDays, batch int) *WorkflowRetention {
	if keepDays <= 0 {
		keepDays = DefaultWorkflowRetentionDays
	}
	if batch <= 0 {
		batch = DefaultWorkflowRetentionBatch
	}
	return &WorkflowRetention{purger: p, keep: days(keepDays), batch: batch}
}

// Run deletes, batch after batch, the runs that finished before now − keep. Idempotent: a
// second run right after finds nothing.
func (w *WorkflowRetention) Run(ctx context.Context, now time.Time) (WorkflowRetentionReport, error) {
	rep := WorkflowRetentionReport{Before: now.Add(-w.keep)}
	for {
		n, err := w.purger.DeleteFinished(ctx, rep.Before, w.batch)
		rep.Deleted += n
		if err != nil {
			return rep, fmt.Errorf("workflow retention: %w", err)
		}
		if n < w.batch {
			return rep, nil
		}
	}
}
