package dbos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	sdk "github.com/dbos-inc/dbos-transact-golang/dbos"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oslira/oslira/core/workflow"
)

// Engine implements workflow.Engine on a DBOS client: enqueue, status, cancel, resume, list. It
// never runs a workflow; Client and Executor both carry one.
type Engine struct {
	client sdk.Client
	pool   *pgxpool.Pool     // the adapter's own pool (see ownPool)
	queues map[string]string // definition name → queue
	log    *slog.Logger
}

var _ workflow.Engine = (*Engine)(nil)

func newEngine(client sdk.Client, pool *pgxpool.Pool, defs []workflow.Definition, log *slog.Logger) *Engine {
	queues := make(map[string]string, len(defs))
	for _, d := range defs {
		queues[d.Name] = d.Queue
	}
	return &Engine{client: client, pool: pool, queues: queues, log: log}
}

// on returns the DBOS handle to use for one call made with ctx: ctx's deadline and cancellation
// apply (DBOS retries system-database calls until its context ends), none of ctx's values do. A
// call from inside a workflow body or step would otherwise be taken by DBOS for a workflow
// operation (it keys that off a context value) and checkpointed as a step, or refused.
func (e *Engine) on(ctx context.Context) sdk.Client {
	if dc, ok := e.client.(sdk.Context); ok {
		return dc.From(dc, valueless{ctx})
	}
	return e.client
}

// valueless keeps a context's deadline and cancellation and hides its values.
type valueless struct{ context.Context }

func (valueless) Value(any) any { return nil }

// Start implements workflow.Engine. The run is enqueued on its definition's queue, registered
// under the definition name with the definition name as DBOS config name (see Executor). A
// pgx.Tx or *sql.Tx carried by ctx (workflow.WithTx) is joined with DBOS's
// WithEnqueueTransaction: it must belong to the database holding schema "dbos" and run as a role
// that may write it (the admin scope, not the RLS user scope).
//
// A partition key carried by ctx (workflow.WithPartition) puts the run in that partition of its
// queue; the queue's PartitionConcurrency (QueueConfig) then caps it. On an unpartitioned queue
// the key only labels the run.
//
// Runs enqueued by a Client carry no application version (the latest-version executors take
// them); runs enqueued by an Executor carry its version.
func (e *Engine) Start(ctx context.Context, def string, input any, id string) (string, error) {
	queue, ok := e.queues[def]
	if !ok {
		return "", fmt.Errorf("start %q: %w", def, workflow.ErrUnknownDefinition)
	}
	in, err := workflow.EncodeInput(input)
	if err != nil {
		return "", err
	}
	opts := []sdk.EnqueueOption{sdk.WithEnqueueConfigName(def)}
	if id != "" {
		opts = append(opts, sdk.WithEnqueueWorkflowID(id))
	}
	if key := workflow.PartitionFrom(ctx); key != "" {
		opts = append(opts, sdk.WithEnqueueQueuePartitionKey(key))
	}
	if tx := workflow.TxFrom(ctx); tx != nil {
		switch tx.(type) {
		case pgx.Tx, *sql.Tx:
			opts = append(opts, sdk.WithEnqueueTransaction(tx))
		default:
			return "", fmt.Errorf("start %q: %T: %w", def, tx, workflow.ErrTxNotSupported)
		}
	}
	h, err := sdk.Enqueue[json.RawMessage](e.on(ctx), queue, def, in, opts...)
	if err != nil {
		return "", mapError("enqueue", err)
	}
	return h.GetWorkflowID(), nil
}

// Status implements workflow.Engine.
func (e *Engine) Status(ctx context.Context, id string) (workflow.Status, error) {
	ws, err := sdk.ListWorkflows(e.on(ctx), sdk.WithFilterWorkflowIDs(id),
		sdk.WithFilterLoadInput(false), sdk.WithFilterLoadOutput(true))
	if err != nil {
		return workflow.Status{}, mapError("status", err)
	}
	if len(ws) == 0 {
		return workflow.Status{}, workflow.ErrNotFound
	}
	return e.status(ws[0], true), nil
}

// Cancel implements workflow.Engine.
func (e *Engine) Cancel(ctx context.Context, id string) error {
	return mapError("cancel", sdk.CancelWorkflow(e.on(ctx), id))
}

// Resume implements workflow.Engine. The run goes back on its definition's queue (DBOS would
// use its internal queue, which ignores the queue's limits and polling interval). DBOS resets
// the run's recovery counter: the janitor keeps its own.
func (e *Engine) Resume(ctx context.Context, id string) error {
	st, err := e.Status(ctx, id)
	if err != nil {
		return err
	}
	switch st.State {
	case workflow.StateFailed:
		return workflow.ErrNotResumable
	case workflow.StateSucceeded, workflow.StateEnqueued:
		return nil
	}
	_, err = sdk.ResumeWorkflow[json.RawMessage](e.on(ctx), id, sdk.WithResumeQueue(st.Queue))
	return mapError("resume", err)
}

// List implements workflow.Engine. Errors are loaded (which loads outputs too); outputs are not
// returned.
func (e *Engine) List(ctx context.Context, f workflow.Filter) ([]workflow.Status, error) {
	opts := []sdk.ListWorkflowsOption{
		sdk.WithFilterLoadInput(false), sdk.WithFilterLoadOutput(true),
		sdk.WithFilterSortDesc(), sdk.WithFilterLimit(f.EffectiveLimit()),
	}
	if f.Definition != "" {
		opts = append(opts, sdk.WithFilterName(f.Definition))
	}
	if len(f.States) > 0 {
		opts = append(opts, sdk.WithFilterStatus(dbosStatuses(f.States)...))
	}
	if f.IDPrefix != "" {
		opts = append(opts, sdk.WithFilterWorkflowIDPrefix(f.IDPrefix))
	}
	if !f.CreatedAfter.IsZero() {
		opts = append(opts, sdk.WithFilterCreatedAfter(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		opts = append(opts, sdk.WithFilterCreatedBefore(f.CreatedBefore))
	}
	ws, err := sdk.ListWorkflows(e.on(ctx), opts...)
	if err != nil {
		return nil, mapError("list", err)
	}
	out := make([]workflow.Status, len(ws))
	for i, w := range ws {
		out[i] = e.status(w, false)
	}
	return out, nil
}

// status maps a DBOS workflow status to the port's.
func (e *Engine) status(w sdk.WorkflowStatus, withOutput bool) workflow.Status {
	s := workflow.Status{
		ID: w.ID, Definition: w.Name, Queue: w.QueueName, State: stateOf(w.Status),
		Attempts: w.Attempts, Executor: w.ExecutorID, Version: w.ApplicationVersion,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
	if q, ok := e.queues[w.Name]; ok {
		s.Queue = q // DBOS clears queue_name when it cancels a run
	}
	if w.Error != nil {
		s.Error = w.Error.Error()
		var we *workflow.Error
		if errors.As(w.Error, &we) {
			s.ErrorCode = we.Code
		}
	}
	if w.Status == sdk.WorkflowStatusMaxRecoveryAttemptsExceeded && s.Error == "" {
		s.Error = "the run was recovered too many times and was given up (dead-lettered)"
	}
	if withOutput && s.State == workflow.StateSucceeded {
		switch v := w.Output.(type) {
		case string: // DBOS_JSON outputs come back as their raw JSON text
			s.Output = []byte(v)
		case nil:
		default:
			s.Output, _ = json.Marshal(v)
		}
	}
	return s
}

func stateOf(s sdk.WorkflowStatusType) workflow.State {
	switch s {
	case sdk.WorkflowStatusEnqueued, sdk.WorkflowStatusDelayed:
		return workflow.StateEnqueued
	case sdk.WorkflowStatusPending:
		return workflow.StateRunning
	case sdk.WorkflowStatusSuccess:
		return workflow.StateSucceeded
	case sdk.WorkflowStatusCancelled:
		return workflow.StateCancelled
	default: // ERROR, MAX_RECOVERY_ATTEMPTS_EXCEEDED
		return workflow.StateFailed
	}
}

func dbosStatuses(states []workflow.State) []sdk.WorkflowStatusType {
	var out []sdk.WorkflowStatusType
	for _, s := range states {
		switch s {
		case workflow.StateEnqueued:
			out = append(out, sdk.WorkflowStatusEnqueued, sdk.WorkflowStatusDelayed)
		case workflow.StateRunning:
			out = append(out, sdk.WorkflowStatusPending)
		case workflow.StateSucceeded:
			out = append(out, sdk.WorkflowStatusSuccess)
		case workflow.StateFailed:
			out = append(out, sdk.WorkflowStatusError, sdk.WorkflowStatusMaxRecoveryAttemptsExceeded)
		case workflow.StateCancelled:
			out = append(out, sdk.WorkflowStatusCancelled)
		}
	}
	return out
}
