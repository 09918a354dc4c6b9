package dbos

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"net"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
)

// DBOS stores a step's or a run's error gob-encoded when its concrete type is registered, and
// only its text otherwise (then errors.As and workflow.IsPermanent fail once it is read back,
// after a recovery or in another process). Every error the adapter hands to DBOS is a
// *workflow.Error (workflow.Flatten), registered here. Its gob name includes the package path:
// moving or renaming workflow.Error breaks reading errors stored before the move.
func init() { gob.Register(&workflow.Error{}) }

var errConflictingRun = apperr.New(apperr.Conflict, apperr.CodeConflict, "the run id belongs to another workflow definition or queue")

// mapError translates an error of a DBOS call made by an Engine method into the port's errors.
// The DBOS error itself is not kept in the chain (only its text): a *dbos.Error travelling
// inside a body's error would be mistaken by the adapter for an engine signal.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	detached := fmt.Errorf("%s: %s", op, err.Error())
	var de *sdk.Error
	if errors.As(err, &de) {
		switch de.Code {
		case sdk.ErrorCodeNonExistentWorkflow:
			return workflow.ErrNotFound
		case sdk.ErrorCodeUnexpectedWorkflow, sdk.ErrorCodeConflictingID, sdk.ErrorCodeWorkflowIDInUse:
			return errConflictingRun.WithCause(detached)
		}
	}
	var pgErr *pgconn.PgError
	var netErr net.Error
	var connErr *pgconn.ConnectError
	switch {
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return apperr.Wrap(detached, apperr.Unavailable, apperr.CodeTimeout, "the workflow engine did not answer in time")
	case errors.Is(err, context.Canceled), errors.As(err, &connErr), errors.As(err, &netErr):
		return apperr.Wrap(detached, apperr.Unavailable, apperr.CodeUnavailable, "the workflow engine is unavailable")
	case errors.As(err, &pgErr) && transientClass(pgErr.Code):
		return apperr.Wrap(detached, apperr.Unavailable, apperr.CodeUnavailable, "the workflow engine is unavailable")
	}
	return apperr.Wrap(detached, apperr.Internal, apperr.CodeInternal, "internal error")
}

// transientClass reports SQLSTATEs after which the same call may succeed: connection (08),
// resources (53), operator intervention (57), serialization and deadlock (40).
func transientClass(code string) bool {
	if len(code) != 5 {
		return false
	}
	switch code[:2] {
	case "08", "53", "57", "40":
		return true
	}
	return false
}

// outcomeError is what a run's function returns to DBOS for err, the body's error: DBOS's own
// errors (cancellation, lost ownership, a replay that diverged) as they are, because DBOS acts
// on them; anything else flattened, so it is stored in a form that reads back intact.
func outcomeError(err error) error {
	var de *sdk.Error
	if errors.As(err, &de) {
		return de
	}
	return workflow.Flatten(err)
}
