package postgres

import (
	"context"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
)

var _ billing.EventInbox = (*BillingStore)(nil)

// Accept implements billing.EventInbox: one admin-scope transaction stores the delivery
// (RecordWebhookEvent) and runs start with the transaction in its context (workflow.WithTx), so
// a workflow engine that joins pgx transactions (the DBOS adapter) creates the processing run
// inside it. Either both commit or neither does; a failing start rolls the row back.
//
// start runs for a repeated delivery too: the row stays as it was, and the engine's start is
// idempotent by run id. Concurrent deliveries of one event serialise on the row's primary key
// (the second insert waits for the first transaction, then does nothing).
func (s *BillingStore) Accept(ctx context.Context, e billing.ReceivedEvent, start func(ctx context.Context) error) (bool, error) {
	var inserted bool
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		if inserted, err = RecordWebhookEvent(ctx, q, e); err != nil {
			return err
		}
		return start(workflow.WithTx(ctx, q))
	})
	if err != nil {
		return false, err
	}
	return inserted, nil
}
