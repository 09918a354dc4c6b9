package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/billing"
	"github.com/oslira/oslira/core/maintenance"
)

// MaintenanceStore holds the queries of the cron host's jobs, all system work run as the login
// role: the accounts due a free-plan grant (maintenance.FreeAccountSource), unprocessed webhook
// events (maintenance.StaleWebhookSource) and retention deletes (maintenance.Purger, see
// retentionTargets). Every query is one statement in its own implicit transaction.
type MaintenanceStore struct {
	db *DB
}

var (
	_ maintenance.FreeAccountSource  = (*MaintenanceStore)(nil)
	_ maintenance.StaleWebhookSource = (*MaintenanceStore)(nil)
	_ maintenance.Purger             = (*MaintenanceStore)(nil)
)

// NewMaintenanceStore returns a MaintenanceStore over db.
func NewMaintenanceStore(db *DB) *MaintenanceStore { return &MaintenanceStore{db: db} }

// minUUID sorts before every account id: the keyset cursor of the first page.
const minUUID = "00000000-0000-0000-0000-000000000000"

// sqlFreeAccounts pages accounts by id (the primary key). The NOT EXISTS probe uses the ledger's
// unique (account_id, kind, reference) index, so a repeated run skips granted accounts cheaply.
const sqlFreeAccounts = `
select a.id::text
from public.accounts a
join public.credit_balances b on b.account_id = a.id
left join public.subscriptions s on s.account_id = a.id
where a.id > $1::uuid
  and a.deleted_at is null and not a.is_suspended
  and (s.account_id is null or s.plan = $2 or s.status <> all ($3::text[]))
  and not exists (select 1 from public.credit_ledger l
                  where l.account_id = a.id and l.kind = $4 and l.reference = $5)
order by a.id
limit $6`

// FreeAccounts implements maintenance.FreeAccountSource.
func (s *MaintenanceStore) FreeAccounts(ctx context.Context, q maintenance.FreeAccountQuery) ([]string, error) {
	after := q.After
	if after == "" {
		after = minUUID
	}
	rows, err := s.db.Pool().Query(ctx, sqlFreeAccounts, after, billing.FreePlan, q.EntitledStatuses,
		string(q.Kind), q.Reference, q.Limit)
	if err != nil {
		return nil, MapError(fmt.Errorf("list free accounts: %w", err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, MapError(fmt.Errorf("list free accounts: %w", err))
	}
	return ids, nil
}

// sqlStaleWebhooks pages unprocessed events by (received_at, id), on the partial index
// webhook_events_unprocessed_idx.
const sqlStaleWebhooks = `
select stripe_event_id, type, coalesce(account_id::text, ''), payload::text, received_at,
       coalesce(last_error, ''), attempts
from public.webhook_events
where processed_at is null and received_at < $1
  and ($2::timestamptz is null or (received_at, stripe_event_id) > ($2, $3))
order by received_at, stripe_event_id
limit $4`

// StaleWebhooks implements maintenance.StaleWebhookSource.
func (s *MaintenanceStore) StaleWebhooks(ctx context.Context, q maintenance.StaleWebhookQuery) ([]maintenance.StaleWebhook, error) {
	var after *time.Time
	if !q.AfterReceived.IsZero() {
		after = &q.AfterReceived
	}
	rows, err := s.db.Pool().Query(ctx, sqlStaleWebhooks, q.ReceivedBefore, after, q.AfterID, q.Limit)
	if err != nil {
		return nil, MapError(fmt.Errorf("list stale webhook events: %w", err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (maintenance.StaleWebhook, error) {
		var (
			e       maintenance.StaleWebhook
			payload *string
		)
		err := row.Scan(&e.ID, &e.Type, &e.AccountID, &payload, &e.ReceivedAt, &e.LastError, &e.Attempt)
		if payload != nil {
			e.Payload = []byte(*payload)
		}
		e.ReceivedAt = e.ReceivedAt.UTC()
		return e, err
	})
	if err != nil {
		return nil, MapError(fmt.Errorf("list stale webhook events: %w", err))
	}
	return out, nil
}
