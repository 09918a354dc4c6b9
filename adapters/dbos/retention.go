package dbos

import (
	"context"
	"time"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"

	"github.com/oslira/oslira/core/maintenance"
)

var _ maintenance.FinishedRunPurger = (*Engine)(nil)

// finishedStatuses are DBOS's terminal statuses; DBOS stamps completed_at on each transition
// to one of them (and clears it when a cancelled run is resumed).
var finishedStatuses = []sdk.WorkflowStatusType{
	sdk.WorkflowStatusSuccess, sdk.WorkflowStatusError, sdk.WorkflowStatusCancelled,
	sdk.WorkflowStatusMaxRecoveryAttemptsExceeded,
}

// DeleteFinished implements maintenance.FinishedRunPurger: it lists at most limit runs that
// reached a terminal status at or before `before` (on DBOS's completed_at index) and deletes
// them with DBOS's DeleteWorkflows, which removes their status row, input, output and step
// checkpoints in one transaction. DBOS has no garbage collection of its own in the Go library.
//
// Children are not deleted with their parent: a child is deleted on its own once it has
// finished long enough ago. DeleteWorkflows deletes whatever ids it is given regardless of
// status, so a cancelled run resumed between the listing and the delete (a window of one round
// trip, on runs finished at least a retention period ago) would be deleted too. The janitor's
// resume counts of deleted runs are pruned by its next pass.
func (e *Engine) DeleteFinished(ctx context.Context, before time.Time, limit int) (int, error) {
	ws, err := sdk.ListWorkflows(e.on(ctx), sdk.WithFilterStatus(finishedStatuses...),
		sdk.WithFilterCompletedBefore(before), sdk.WithFilterLimit(limit),
		sdk.WithFilterLoadInput(false), sdk.WithFilterLoadOutput(false))
	if err != nil {
		return 0, mapError("list finished runs", err)
	}
	if len(ws) == 0 {
		return 0, nil
	}
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	if err := sdk.DeleteWorkflows(e.on(ctx), ids); err != nil {
		return 0, mapError("delete finished runs", err)
	}
	return len(ids), nil
}
