package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/workflow"
)

var _ billing.EventInbox = (*BillingStore)(nil)

// sqlLockInboxEntry reads an event's row for intake and locks it until the transaction ends.
const sqlLockInboxEntry = `select type, attempts, processed_at is not null, payload::text
from public.webhook_events where stripe_event_id = $1
for update`

// sqlSetAttempt counts a new processing attempt; the row is locked by sqlLockInboxEntry.
const sqlSetAttempt = `update public.webhook_events set attempts = $2 where stripe_event_id = $1`

// Accept implements billing.EventInbox: one admin-scope transaction stores the delivery
// (RecordWebhookEvent), locks its row (SELECT … FOR UPDATE) and runs start with the transaction
// in its context (workflow.WithTx), so a workflow engine that joins pgx transactions (the DBOS
// adapter) creates the processing run inside it; a new attempt chosen by start is stored on
// the row before the commit. Either all of it commits or none does; a failing start rolls the
// row back.
//
// Concurrent deliveries of one event serialise on the row: a second insert of a new event waits
// for the first transaction and then does nothing; the row lock then makes each start see the
// attempt (and the run) the previous delivery committed.
func (s *BillingStore) Accept(ctx context.Context, e billing.ReceivedEvent, start billing.AttemptStart) (billing.InboxEntry, error) {
	var entry billing.InboxEntry
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		inserted, err := RecordWebhookEvent(ctx, q, e)
		if err != nil {
			return err
		}
		if entry, err = lockInboxEntry(ctx, q, e.ID); err != nil {
			return err
		}
		entry.Inserted, entry.Payload = inserted, nil
		return startAttempt(ctx, q, &entry, start)
	})
	if err != nil {
		return billing.InboxEntry{}, err
	}
	return entry, nil
}

// Redrive implements billing.EventInbox for a stored event, as Accept does after its insert.
func (s *BillingStore) Redrive(ctx context.Context, eventID string, start billing.AttemptStart) (billing.InboxEntry, error) {
	var entry billing.InboxEntry
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		if entry, err = lockInboxEntry(ctx, q, eventID); err != nil {
			return err
		}
		return startAttempt(ctx, q, &entry, start)
	})
	if err != nil {
		return billing.InboxEntry{}, err
	}
	return entry, nil
}

// lockInboxEntry reads and locks the row of eventID; billing.ErrWebhookNotFound when none.
func lockInboxEntry(ctx context.Context, q Querier, eventID string) (billing.InboxEntry, error) {
	entry := billing.InboxEntry{EventID: eventID}
	var payload *string
	err := q.QueryRow(ctx, sqlLockInboxEntry, eventID).Scan(&entry.Type, &entry.Attempt, &entry.Processed, &payload)
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.InboxEntry{}, billing.ErrWebhookNotFound
	}
	if err != nil {
		return billing.InboxEntry{}, fmt.Errorf("lock webhook event: %w", err)
	}
	if payload != nil {
		entry.Payload = []byte(*payload)
	}
	return entry, nil
}

// startAttempt calls start on the locked entry and stores the attempt it chose.
func startAttempt(ctx context.Context, q Querier, entry *billing.InboxEntry, start billing.AttemptStart) error {
	n, err := start(workflow.WithTx(ctx, q), *entry)
	if err != nil {
		return err
	}
	switch n {
	case entry.Attempt:
		return nil
	case entry.Attempt + 1:
		if _, err := q.Exec(ctx, sqlSetAttempt, entry.EventID, n); err != nil {
			return fmt.Errorf("count webhook attempt: %w", err)
		}
		entry.Attempt = n
		return nil
	default:
		return apperr.New(apperr.Internal, apperr.CodeInternal,
			fmt.Sprintf("webhook event %s: attempt %d after attempt %d", entry.EventID, n, entry.Attempt))
	}
}

// sqlInboxEvents pages stored events newest first; $1 restricts to unprocessed ones (on the
// partial index webhook_events_unprocessed_idx).
const sqlInboxEvents = `
select stripe_event_id, type, coalesce(account_id::text, ''), received_at, processed_at,
       outcome, outcome_detail, last_error, attempts
from public.webhook_events
where (not $1 or processed_at is null)
  and ($2::timestamptz is null or (received_at, stripe_event_id) < ($2, $3))
order by received_at desc, stripe_event_id desc
limit $4`

// InboxEvents implements billing.EventInbox.
func (s *BillingStore) InboxEvents(ctx context.Context, q billing.InboxQuery) ([]billing.InboxEvent, error) {
	var before *time.Time
	if !q.BeforeReceived.IsZero() {
		before = &q.BeforeReceived
	}
	limit := min(max(q.Limit, 1), workflow.MaxListLimit)
	rows, err := s.db.Pool().Query(ctx, sqlInboxEvents, q.Unprocessed, before, q.BeforeID, limit)
	if err != nil {
		return nil, MapError(fmt.Errorf("list webhook events: %w", err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (billing.InboxEvent, error) {
		var (
			e                        billing.InboxEvent
			processedAt              *time.Time
			outcome, detail, lastErr *string
		)
		err := row.Scan(&e.ID, &e.Type, &e.AccountID, &e.ReceivedAt, &processedAt, &outcome, &detail, &lastErr, &e.Attempts)
		e.ReceivedAt = e.ReceivedAt.UTC()
		e.ProcessedAt = utcOrZero(processedAt)
		e.Result = billing.Result(deref(outcome))
		e.Detail, e.LastError = deref(detail), deref(lastErr)
		return e, err
	})
	if err != nil {
		return nil, MapError(fmt.Errorf("list webhook events: %w", err))
	}
	return out, nil
}
