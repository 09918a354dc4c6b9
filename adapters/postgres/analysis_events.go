package postgres

import (
	"context"
	"fmt"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/tenant"
)

// sqlInsertEvent stores a progress event of an analysis of the account (no row when the
// analysis is not the account's). The table's trigger sends pg_notify('analysis_events',
// {"id","account_id","analysis_id"}), delivered when the transaction commits.
const sqlInsertEvent = `insert into public.analysis_events (account_id, analysis_id, type, step, step_index, step_total, percent, message)
select a.account_id, a.id, $3::text, $4::text, $5::int, $6::int, $7::int, $8::text from public.analyses a
where a.id = $2 and a.account_id = $1`

// sqlEventProgress copies the event's values onto the analysis: absolute values, so a
// duplicate is harmless; a complete or failed event sets 100. A finished analysis keeps its 100
// and step against a late progress event (a step re-run after the finish).
const sqlEventProgress = `update public.analyses
set progress = case when $3 = 'progress' then $5::int else 100 end, step = $4, updated_at = clock_timestamp()
where id = $2 and account_id = $1
  and ($3 <> 'progress' or status in ('pending', 'running'))`

// Publish implements analyze.Events: the event row and the analysis's progress and step in one
// admin-scope transaction. An analysis that is not the account's is analyze.ErrNotFound;
// a type, step index or percent outside the table's rules is Invalid.
func (s *AnalysisStore) Publish(ctx context.Context, e analyze.Event) error {
	accountID, okA := tenant.ParseUUID(e.AccountID)
	analysisID, okID := tenant.ParseUUID(e.AnalysisID)
	if !okA || !okID {
		return analyze.ErrNotFound
	}
	return s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		tag, err := q.Exec(ctx, sqlInsertEvent, accountID, analysisID, string(e.Type), e.Step,
			e.StepIndex, e.StepTotal, e.Percent, e.Message)
		if err != nil {
			return fmt.Errorf("insert analysis event: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return analyze.ErrNotFound
		}
		if _, err := q.Exec(ctx, sqlEventProgress, accountID, analysisID, string(e.Type), e.Step, e.Percent); err != nil {
			return fmt.Errorf("record analysis progress: %w", err)
		}
		return nil
	})
}
