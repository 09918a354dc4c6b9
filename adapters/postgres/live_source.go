package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/live"
	"github.com/oslira/oslira/core/tenant"
)

// LiveGapGrace is how long the source waits for a missing event ID before it reads past it.
// Event IDs come from an identity column, handed out when a row is inserted, not when its
// transaction commits: the hub may see event n+1 while event n is still in flight, and a hub
// that moved past n would never deliver it (its NOTIFY then finds nothing new after n+1). So
// After stops before a missing ID until the event after the gap is this old; by then the
// missing one is taken for a permanent hole (a rolled-back insert, sequence values lost in a
// crash). Publish transactions are two short statements, far quicker than this.
const LiveGapGrace = 3 * time.Second

// LiveSource reads the stored progress events for the live hub (live.Source, admin scope: every
// account) and for a caller's replay (live.Replayer, user scope: row-level security and the
// principal's account).
type LiveSource struct {
	db    *DB
	grace time.Duration
}

var (
	_ live.Source   = (*LiveSource)(nil)
	_ live.Replayer = (*LiveSource)(nil)
)

// NewLiveSource returns a LiveSource over db.
func NewLiveSource(db *DB) *LiveSource { return &LiveSource{db: db, grace: LiveGapGrace} }

// liveEventColumns are the columns scanEvent reads, over events e joined with their analyses a.
const liveEventColumns = `e.id, e.account_id::text, e.analysis_id::text, coalesce(a.batch_id::text, ''), e.type,
  e.step, e.step_index, e.step_total, e.percent, e.message, e.created_at`

// sqlLiveAfter reads the events after $1 in ID order (the primary key's index), each with
// whether it is older than the gap grace ($3 seconds) by the database's clock.
const sqlLiveAfter = `select ` + liveEventColumns + `,
  e.created_at < clock_timestamp() - make_interval(secs => $3::float8)
from public.analysis_events e
join public.analyses a on a.id = e.analysis_id
where e.id > $1
order by e.id
limit $2`

const sqlLiveLatest = `select coalesce(max(id), 0) from public.analysis_events`

// After implements live.Source. It returns the events after `after` up to the first missing ID
// that may still be in flight (see LiveGapGrace); a short answer makes the hub stop reading
// until its next wake-up, which the missing event's own NOTIFY, or the poll, provides.
func (s *LiveSource) After(ctx context.Context, after int64, limit int) ([]live.Event, error) {
	if limit <= 0 {
		return []live.Event{}, nil
	}
	rows, err := s.db.Pool().Query(ctx, sqlLiveAfter, after, limit, s.grace.Seconds())
	if err != nil {
		return nil, MapError(fmt.Errorf("live events: %w", err))
	}
	defer rows.Close()
	out := []live.Event{}
	prev := after
	for rows.Next() {
		var settled bool
		e, err := scanLiveEvent(rows, &settled)
		if err != nil {
			return nil, MapError(fmt.Errorf("live events: %w", err))
		}
		if e.ID != prev+1 && !settled {
			break
		}
		out = append(out, e)
		prev = e.ID
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, MapError(fmt.Errorf("live events: %w", err))
	}
	return out, nil
}

// Latest implements live.Source.
func (s *LiveSource) Latest(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.Pool().QueryRow(ctx, sqlLiveLatest).Scan(&id); err != nil {
		return 0, MapError(fmt.Errorf("latest live event: %w", err))
	}
	return id, nil
}

// sqlLiveReplay reads the caller's events in ($3, $4] in ID order: $1 the principal's account
// (row-level security limits the rows to the user's accounts; this condition to the one it acts
// for), $2 the analysis or $5 the batch when the filter names them (null: any).
const sqlLiveReplay = `select ` + liveEventColumns + `
from public.analysis_events e
join public.analyses a on a.id = e.analysis_id
where e.account_id = $1
  and e.id > $3 and e.id <= $4
  and ($2::uuid is null or e.analysis_id = $2::uuid)
  and ($5::uuid is null or a.batch_id = $5::uuid)
order by e.id
limit $6`

// Replay implements live.Replayer. A filter for another account than the principal's, or
// naming an analysis or batch that is not a UUID, matches nothing.
func (s *LiveSource) Replay(ctx context.Context, p tenant.Principal, f live.Filter, after, upTo int64, limit int) ([]live.Event, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok || f.AccountID != p.AccountID || limit <= 0 || upTo <= after {
		return []live.Event{}, nil
	}
	analysisID, ok := optionalUUID(f.AnalysisID)
	if !ok {
		return []live.Event{}, nil
	}
	batchID, ok := optionalUUID(f.BatchID)
	if !ok {
		return []live.Event{}, nil
	}
	out := []live.Event{}
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		rows, err := q.Query(ctx, sqlLiveReplay, accountID, analysisID, after, upTo, batchID, limit)
		if err != nil {
			return fmt.Errorf("replay live events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanLiveEvent(rows)
			if err != nil {
				return fmt.Errorf("replay live events: %w", err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// optionalUUID maps "" to nil (no condition) and a UUID to itself; anything else is not ok.
func optionalUUID(s string) (*string, bool) {
	if s == "" {
		return nil, true
	}
	id, ok := tenant.ParseUUID(s)
	return &id, ok
}

// scanLiveEvent reads liveEventColumns and then extra.
func scanLiveEvent(row pgx.Row, extra ...any) (live.Event, error) {
	var (
		e   live.Event
		typ string
	)
	dest := append([]any{&e.ID, &e.AccountID, &e.AnalysisID, &e.BatchID, &typ, &e.Step, &e.StepIndex,
		&e.StepTotal, &e.Percent, &e.Message, &e.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return live.Event{}, err
	}
	e.Type = analyze.EventType(typ)
	return e, nil
}
