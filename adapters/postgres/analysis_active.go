package postgres

import (
	"context"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/tenant"
)

// sqlActiveAnalyses reads the account's analyses in flight, newest first (the partial index
// analyses_unfinished_idx holds exactly those rows).
const sqlActiveAnalyses = sqlAnalysisSelect + `
  and status in ('pending', 'running')
order by created_at desc, id desc
limit $2`

// Active implements analyze.Reader.
func (s *AnalysisStore) Active(ctx context.Context, p tenant.Principal, limit int) ([]analyze.Analysis, error) {
	accountID, ok := tenant.ParseUUID(p.AccountID)
	if !ok {
		return []analyze.Analysis{}, nil
	}
	limit = min(max(limit, 1), analyze.MaxActive)
	var out []analyze.Analysis
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var err error
		out, err = queryAnalyses(ctx, q, sqlActiveAnalyses, accountID, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []analyze.Analysis{}
	}
	return out, nil
}
