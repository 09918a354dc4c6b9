package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/tenant"
)

// sqlRecordEvent stores a delivery once; a repeated delivery leaves the first row as it is.
const sqlRecordEvent = `insert into public.webhook_events (stripe_event_id, type, account_id, payload)
values ($1, $2, $3, $4::jsonb)
on conflict (stripe_event_id) do nothing`

// RecordEvent implements billing.Store in its own transaction. See RecordWebhookEvent.
func (s *BillingStore) RecordEvent(ctx context.Context, e billing.ReceivedEvent) (bool, error) {
	var inserted bool
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		inserted, err = RecordWebhookEvent(ctx, q, e)
		return err
	})
	return inserted, err
}

// RecordWebhookEvent stores a webhook delivery on q, for the webhook endpoint, which must store
// the event and start its processing workflow in one transaction. inserted is false when the
// event id was already stored. The payload must be a JSON object (it is stored as jsonb, so not
// byte for byte); a payload that is not JSON is an Invalid error and aborts the transaction.
// Errors are raw (the scope maps them).
func RecordWebhookEvent(ctx context.Context, q Querier, e billing.ReceivedEvent) (bool, error) {
	if e.ID == "" || e.Type == "" {
		return false, billing.ErrInvalidEvent
	}
	tag, err := q.Exec(ctx, sqlRecordEvent, e.ID, e.Type, uuidOrNil(e.AccountID), string(e.Payload))
	if err != nil {
		return false, fmt.Errorf("record webhook event: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// EventRecord implements billing.Store.
func (s *BillingStore) EventRecord(ctx context.Context, eventID string) (billing.EventRecord, bool, error) {
	var (
		r                        billing.EventRecord
		processedAt              *time.Time
		outcome, detail, lastErr *string
	)
	err := s.db.Pool().QueryRow(ctx, `select stripe_event_id, type, coalesce(account_id::text, ''), received_at,
		processed_at, outcome, outcome_detail, last_error
		from public.webhook_events where stripe_event_id = $1`, eventID).
		Scan(&r.ID, &r.Type, &r.AccountID, &r.ReceivedAt, &processedAt, &outcome, &detail, &lastErr)
	if errors.Is(err, pgx.ErrNoRows) {
		return billing.EventRecord{}, false, nil
	}
	if err != nil {
		return billing.EventRecord{}, false, MapError(fmt.Errorf("read webhook event: %w", err))
	}
	r.ReceivedAt = r.ReceivedAt.UTC()
	r.ProcessedAt = utcOrZero(processedAt)
	r.Result = billing.Result(deref(outcome))
	r.Detail, r.LastError = deref(detail), deref(lastErr)
	return r, true, nil
}

// sqlFinishEvent marks an event processed. The WHERE clause makes the first finish win, so a
// concurrent or later run of the same event cannot overwrite the recorded outcome.
const sqlFinishEvent = `insert into public.webhook_events as w
  (stripe_event_id, type, account_id, processed_at, outcome, outcome_detail)
values ($1, $2, $3, now(), $4, $5)
on conflict (stripe_event_id) do update set
  processed_at = now(), outcome = excluded.outcome, outcome_detail = excluded.outcome_detail,
  account_id = coalesce(excluded.account_id, w.account_id), last_error = null
where w.processed_at is null`

// FinishEvent implements billing.Store.
func (s *BillingStore) FinishEvent(ctx context.Context, e billing.Event, o billing.Outcome) error {
	accountID := o.AccountID
	if accountID == "" {
		accountID = e.AccountID
	}
	_, err := s.db.Pool().Exec(ctx, sqlFinishEvent, e.ID, e.Type, uuidOrNil(accountID), string(o.Result), o.Detail)
	if err != nil {
		return MapError(fmt.Errorf("finish webhook event: %w", err))
	}
	return nil
}

// sqlFailEvent stores the last failure of an unprocessed event.
const sqlFailEvent = `insert into public.webhook_events as w (stripe_event_id, type, account_id, last_error)
values ($1, $2, $3, $4)
on conflict (stripe_event_id) do update set last_error = excluded.last_error
where w.processed_at is null`

// FailEvent implements billing.Store.
func (s *BillingStore) FailEvent(ctx context.Context, e billing.Event, reason string) error {
	_, err := s.db.Pool().Exec(ctx, sqlFailEvent, e.ID, e.Type, uuidOrNil(e.AccountID), reason)
	if err != nil {
		return MapError(fmt.Errorf("record webhook failure: %w", err))
	}
	return nil
}

// uuidOrNil returns the canonical form of s when it is a UUID, else SQL NULL.
func uuidOrNil(s string) *string {
	if id, ok := tenant.ParseUUID(s); ok {
		return &id
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
