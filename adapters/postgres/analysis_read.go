package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
)

// analysisCursorDomain separates analysis-listing cursors from every other listing's.
const analysisCursorDomain = "oslira.analysis-cursor.v1"

// analysisColumns are the columns scanAnalysis reads, in its order (unqualified, so that they
// also serve as an INSERT's or UPDATE's RETURNING list).
const analysisColumns = `id::text, account_id::text, business_profile_id::text, coalesce(batch_id::text, ''),
  coalesce(lead_id::text, ''), username, type, credits, status, coalesce(outcome, ''), score,
  coalesce(tier, ''), summary, result, metrics, coalesce(error_code, ''), progress, step, refunded,
  created_at, started_at, completed_at`

// sqlAnalysisSelect reads the analyses of account $1.
const sqlAnalysisSelect = `select ` + analysisColumns + `
from public.analyses where account_id = $1`

const sqlBatchOne = `select id::text, account_id::text, business_profile_id::text, type, total, created_at, cancelled_at
from public.analysis_batches where account_id = $1 and id = $2`

const sqlBatchItems = sqlAnalysisSelect + `
  and batch_id = $2
order by created_at, id`

// Get implements analyze.Reader.
func (s *AnalysisStore) Get(ctx context.Context, p tenant.Principal, id string) (analyze.Analysis, error) {
	accountID, id, ok := ids(p, id)
	if !ok {
		return analyze.Analysis{}, analyze.ErrNotFound
	}
	var out analyze.Analysis
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var err error
		out, err = readAnalysis(ctx, q, sqlAnalysisSelect+"\n  and id = $2", accountID, id)
		return err
	})
	return out, err
}

// List implements analyze.Reader: newest first, keyset-paged on (created_at, id). It reads
// limit+1 rows to learn whether another page exists.
func (s *AnalysisStore) List(ctx context.Context, p tenant.Principal, f analyze.AnalysisFilter) (analyze.Page[analyze.Analysis], error) {
	empty := analyze.Page[analyze.Analysis]{Items: []analyze.Analysis{}}
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return empty, nil
	}
	var b strings.Builder
	b.WriteString(sqlAnalysisSelect)
	args := []any{accountID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.Status != "" {
		b.WriteString("\n  and status = " + arg(string(f.Status)))
	}
	if f.Type != "" {
		b.WriteString("\n  and type = " + arg(string(f.Type)))
	}
	for _, c := range []struct{ col, v string }{{"business_profile_id", f.BusinessProfileID}, {"lead_id", f.LeadID}} {
		if c.v == "" {
			continue
		}
		id, ok := tenant.ParseUUID(c.v)
		if !ok {
			return empty, nil // matches nothing (the Service validates first)
		}
		b.WriteString("\n  and " + c.col + " = " + arg(id) + "::uuid")
	}
	if f.Cursor != "" {
		c, err := s.cursors.decodeIn(analysisCursorDomain, accountID, f.Cursor)
		if err != nil {
			return analyze.Page[analyze.Analysis]{}, err
		}
		b.WriteString("\n  and (created_at, id) < (" + arg(c.T) + "::timestamptz, " + arg(c.ID) + "::uuid)")
	}
	limit := min(max(f.Limit, 1), analyze.MaxPageSize)
	b.WriteString("\norder by created_at desc, id desc\nlimit " + arg(limit+1))

	var items []analyze.Analysis
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var err error
		items, err = queryAnalyses(ctx, q, b.String(), args...)
		return err
	})
	if err != nil {
		return analyze.Page[analyze.Analysis]{}, err
	}
	page := analyze.Page[analyze.Analysis]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = s.cursors.encodeIn(analysisCursorDomain, accountID, ledgerCursor{T: last.CreatedAt, ID: last.ID})
	}
	return page, nil
}

// Batch implements analyze.Reader. Percent is the floor of the items' mean progress, finished
// items counting 100: it reaches 100 only when every item has finished.
func (s *AnalysisStore) Batch(ctx context.Context, p tenant.Principal, id string) (analyze.BatchView, error) {
	accountID, id, ok := ids(p, id)
	if !ok {
		return analyze.BatchView{}, analyze.ErrNotFound
	}
	var v analyze.BatchView
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var (
			typ       string
			cancelled *time.Time
		)
		err := q.QueryRow(ctx, sqlBatchOne, accountID, id).Scan(&v.ID, &v.AccountID, &v.BusinessProfileID,
			&typ, &v.Total, &v.CreatedAt, &cancelled)
		if errors.Is(err, pgx.ErrNoRows) {
			return analyze.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read analysis batch: %w", err)
		}
		v.Type, v.CreatedAt, v.CancelledAt = analysis.Type(typ), v.CreatedAt.UTC(), utcOrZero(cancelled)
		v.Items, err = queryAnalyses(ctx, q, sqlBatchItems, accountID, id)
		return err
	})
	if err != nil {
		return analyze.BatchView{}, err
	}
	v.Counts = make(map[analysis.Status]int, len(analysis.Statuses()))
	for _, st := range analysis.Statuses() {
		v.Counts[st] = 0
	}
	sum := 0
	for _, a := range v.Items {
		v.Counts[a.Status]++
		if a.Status.Terminal() {
			sum += 100
		} else {
			sum += a.Progress
		}
	}
	if len(v.Items) > 0 {
		v.Percent = sum / len(v.Items)
	}
	return v, nil
}

// readAnalysis reads exactly one analysis; analyze.ErrNotFound when there is none.
func readAnalysis(ctx context.Context, q Querier, sql string, args ...any) (analyze.Analysis, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return analyze.Analysis{}, fmt.Errorf("read analysis: %w", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanAnalysisRow)
	if errors.Is(err, pgx.ErrNoRows) {
		return analyze.Analysis{}, analyze.ErrNotFound.WithCause(err)
	}
	if err != nil {
		return analyze.Analysis{}, fmt.Errorf("read analysis: %w", err)
	}
	return a, nil
}

// queryAnalyses reads every analysis sql returns (never nil).
func queryAnalyses(ctx context.Context, q Querier, sql string, args ...any) ([]analyze.Analysis, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("read analyses: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanAnalysisRow)
	if err != nil {
		return nil, fmt.Errorf("read analyses: %w", err)
	}
	if out == nil {
		out = []analyze.Analysis{}
	}
	return out, nil
}

func scanAnalysisRow(r pgx.CollectableRow) (analyze.Analysis, error) { return scanAnalysis(r) }

// scanAnalysis reads one row of analysisColumns.
func scanAnalysis(r pgx.Row) (analyze.Analysis, error) {
	var (
		a                          analyze.Analysis
		typ, status, outcome, tier string
		result, metrics            []byte
		started, completed         *time.Time
	)
	err := r.Scan(&a.ID, &a.AccountID, &a.BusinessProfileID, &a.BatchID, &a.LeadID, &a.Username, &typ,
		&a.Credits, &status, &outcome, &a.Score, &tier, &a.Summary, &result, &metrics, &a.ErrorCode,
		&a.Progress, &a.Step, &a.Refunded, &a.CreatedAt, &started, &completed)
	if err != nil {
		return analyze.Analysis{}, err
	}
	a.Type, a.Status, a.Outcome, a.Tier = analysis.Type(typ), analysis.Status(status), analysis.Outcome(outcome), analysis.Tier(tier)
	if result != nil {
		a.Result = new(analyze.Result)
		if err := json.Unmarshal(result, a.Result); err != nil {
			return analyze.Analysis{}, fmt.Errorf("analysis %s: stored result: %w", a.ID, err)
		}
	}
	if metrics != nil {
		a.Metrics = new(lead.Metrics)
		if err := json.Unmarshal(metrics, a.Metrics); err != nil {
			return analyze.Analysis{}, fmt.Errorf("analysis %s: stored metrics: %w", a.ID, err)
		}
	}
	a.CreatedAt, a.StartedAt, a.CompletedAt = a.CreatedAt.UTC(), utcOrZero(started), utcOrZero(completed)
	return a, nil
}
