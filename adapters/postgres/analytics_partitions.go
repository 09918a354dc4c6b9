package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/maintenance"
)

// AnalyticsPartitionStore keeps the monthly partitions of public.analytics_events
// (maintenance.AnalyticsPartitioner), as the login role: creation through
// app.ensure_analytics_partitions (the migration's function), removal by detaching and dropping
// each expired month in a transaction of its own.
type AnalyticsPartitionStore struct {
	db *DB
}

var _ maintenance.AnalyticsPartitioner = (*AnalyticsPartitionStore)(nil)

// NewAnalyticsPartitionStore returns the store over db.
func NewAnalyticsPartitionStore(db *DB) *AnalyticsPartitionStore {
	return &AnalyticsPartitionStore{db: db}
}

// EnsureAnalyticsPartitions implements maintenance.AnalyticsPartitioner.
func (s *AnalyticsPartitionStore) EnsureAnalyticsPartitions(ctx context.Context, from time.Time, months int) ([]string, error) {
	var created []string
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		rows, err := q.Query(ctx, `select app.ensure_analytics_partitions($1::date, $2)`, from.UTC().Format(time.DateOnly), months)
		if err != nil {
			return fmt.Errorf("ensure analytics partitions: %w", err)
		}
		created, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return created, err
}

// monthlyPartition matches the names app.ensure_analytics_partitions gives: the UTC month.
var monthlyPartition = regexp.MustCompile(`^analytics_events_y(\d{4})m(\d{2})$`)

// sqlAnalyticsPartitions lists the partitions of public.analytics_events.
const sqlAnalyticsPartitions = `
select c.relname::text from pg_catalog.pg_inherits i
join pg_catalog.pg_class c on c.oid = i.inhrelid
where i.inhparent = 'public.analytics_events'::regclass
order by c.relname`

// DropAnalyticsPartitions implements maintenance.AnalyticsPartitioner: a monthly partition goes
// when its month ends at or before before (detached, then dropped, in one transaction: the
// table's other months stay writable); the default partition keeps only younger rows.
func (s *AnalyticsPartitionStore) DropAnalyticsPartitions(ctx context.Context, before time.Time) ([]string, error) {
	rows, err := s.db.Pool().Query(ctx, sqlAnalyticsPartitions)
	if err != nil {
		return nil, MapError(fmt.Errorf("list analytics partitions: %w", err))
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, MapError(fmt.Errorf("list analytics partitions: %w", err))
	}
	var dropped []string
	for _, name := range names {
		end, ok := partitionEnd(name)
		if !ok || end.After(before) {
			continue
		}
		ident := pgx.Identifier{"public", name}.Sanitize()
		err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
			if _, err := q.Exec(ctx, `alter table public.analytics_events detach partition `+ident); err != nil {
				return fmt.Errorf("detach %s: %w", name, err)
			}
			if _, err := q.Exec(ctx, `drop table `+ident); err != nil {
				return fmt.Errorf("drop %s: %w", name, err)
			}
			return nil
		})
		if err != nil {
			return dropped, err
		}
		dropped = append(dropped, name)
	}
	if _, err := s.db.Pool().Exec(ctx, `delete from public.analytics_events_default where occurred_at < $1`, before); err != nil {
		return dropped, MapError(fmt.Errorf("delete expired analytics events of the default partition: %w", err))
	}
	return dropped, nil
}

// partitionEnd is the end (exclusive, UTC) of a monthly partition's month, from its name.
func partitionEnd(name string) (time.Time, bool) {
	m := monthlyPartition.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, false
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	if month < 1 || month > 12 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC), true
}
