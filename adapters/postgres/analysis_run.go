package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
)

// The run store's SQL (admin scope). Status changes are conditional updates or happen under
// the row lock of sqlAnalysisLock, so MarkRunning, Finish and CancelPending serialise on the
// analysis row and each sees what the other committed.
const (
	sqlAnalysisByID = `select ` + analysisColumns + ` from public.analyses where id = $1`
	sqlAnalysisLock = sqlAnalysisByID + ` for update`

	sqlMarkRunning = `update public.analyses
set status = 'running', started_at = clock_timestamp(), updated_at = clock_timestamp()
where id = $1 and status = 'pending'
returning ` + analysisColumns

	sqlFinishAnalysis = `update public.analyses
set status = $2, outcome = $3, score = $4, tier = $5, summary = $6, result = $7::jsonb, metrics = $8::jsonb,
    error_code = nullif($9, ''), lead_id = coalesce($10::uuid, lead_id), refunded = $11, progress = 100,
    completed_at = clock_timestamp(), updated_at = clock_timestamp()
where id = $1`

	sqlCancelPending = `update public.analyses
set status = 'cancelled', outcome = 'cancelled', error_code = $3, refunded = true, progress = 100,
    completed_at = clock_timestamp(), updated_at = clock_timestamp()
where account_id = $1 and batch_id = $2 and status = 'pending'
returning ` + analysisColumns

	sqlCancelBatch = `update public.analysis_batches set cancelled_at = coalesce(cancelled_at, clock_timestamp())
where account_id = $1 and id = $2`

	sqlStale = `select ` + analysisColumns + ` from public.analyses
where status = $1 and created_at < $2
order by created_at, id
limit $3`

	sqlInsertOperations = `insert into public.operations_ledger (account_id, analysis_id, analysis_type, username,
  outcome, cost_micros, ai_cost_micros, scrape_cost_micros, duration_ms, metrics)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
on conflict (analysis_id) do nothing`
)

// maxStale bounds one Stale call.
const maxStale = 1000

// Load implements analyze.RunStore.
func (s *AnalysisStore) Load(ctx context.Context, id string) (analyze.Analysis, error) {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return analyze.Analysis{}, analyze.ErrNotFound
	}
	var out analyze.Analysis
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		out, err = readAnalysis(ctx, q, sqlAnalysisByID, id)
		return err
	})
	return out, err
}

// BusinessProfile implements analyze.RunStore with the business store's read.
func (s *AnalysisStore) BusinessProfile(ctx context.Context, accountID, profileID string) (business.Profile, error) {
	accountID, okA := tenant.ParseUUID(accountID)
	profileID, okP := tenant.ParseUUID(profileID)
	if !okA || !okP {
		return business.Profile{}, business.ErrNotFound
	}
	var out business.Profile
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		out, err = readProfile(ctx, q, sqlProfileOne, accountID, profileID)
		return err
	})
	return out, err
}

// MarkRunning implements analyze.RunStore: a conditional update from pending, else a read of
// the analysis as it is. A concurrent CancelPending takes the same row lock, so exactly one of
// them moves a pending analysis.
func (s *AnalysisStore) MarkRunning(ctx context.Context, id string) (analyze.Analysis, bool, error) {
	id, ok := tenant.ParseUUID(id)
	if !ok {
		return analyze.Analysis{}, false, analyze.ErrNotFound
	}
	var out analyze.Analysis
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		out, err = readAnalysis(ctx, q, sqlMarkRunning, id)
		if errors.Is(err, analyze.ErrNotFound) {
			out, err = readAnalysis(ctx, q, sqlAnalysisByID, id)
		}
		return err
	})
	if err != nil {
		return analyze.Analysis{}, false, err
	}
	return out, out.Status == analysis.Running, nil
}

// Finish implements analyze.RunStore: the row is locked, the move is checked with
// analysis.Finish (an illegal one — the analysis already finished, or the outcome does not fit
// its status — returns false and changes nothing), then the lead, the analysis, the operations
// row and the refund are written in the same transaction.
//
// An outcome that is not one, or a scored finish without a valid score, is an error: those are
// bugs of the caller, not repeated steps.
func (s *AnalysisStore) Finish(ctx context.Context, f analyze.Finish) (bool, error) {
	id, ok := tenant.ParseUUID(f.ID)
	if !ok {
		return false, analyze.ErrNotFound
	}
	if !f.Outcome.Valid() {
		return false, fmt.Errorf("finish analysis %s: unknown outcome %q", id, f.Outcome)
	}
	var (
		score *int
		tier  *string
	)
	if f.Outcome == analysis.Scored {
		if f.Score == nil {
			return false, fmt.Errorf("finish analysis %s: scored without a score", id)
		}
		sc, err := analysis.NewScore(*f.Score)
		if err != nil {
			return false, err
		}
		n, t := sc.Int(), string(sc.Tier())
		score, tier = &n, &t
	}
	result, err := jsonOrNil(f.Result)
	if err != nil {
		return false, err
	}
	metrics, err := jsonOrNil(f.Metrics)
	if err != nil {
		return false, err
	}
	var done bool
	err = s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		cur, err := readAnalysis(ctx, q, sqlAnalysisLock, id)
		if err != nil {
			return err
		}
		to, err := analysis.Finish(cur.Status, f.Outcome)
		if err != nil {
			return nil // already finished, or not in a status this outcome may leave
		}
		var leadID *string
		if f.Profile != nil {
			lid, err := upsertLead(ctx, q, cur, f.Profile, score, tier)
			if err != nil {
				return err
			}
			leadID = &lid
		}
		if _, err := q.Exec(ctx, sqlFinishAnalysis, id, string(to), string(f.Outcome), score, tier, f.Summary,
			result, metrics, f.ErrorCode, leadID, f.Outcome.Refunded()); err != nil {
			return fmt.Errorf("finish analysis: %w", err)
		}
		if f.Operations != nil {
			if err := insertOperations(ctx, q, cur, f.Outcome, f.Operations); err != nil {
				return err
			}
		}
		if f.Outcome.Refunded() {
			if err := refund(ctx, q, cur); err != nil {
				return err
			}
		}
		done = true
		return nil
	})
	return done, err
}

// CancelPending implements analyze.RunStore: one conditional update (items still pending; a
// concurrent MarkRunning wins or loses on the row lock), a refund per cancelled item and the
// batch's cancelled_at, in one transaction. Items are returned in creation order.
func (s *AnalysisStore) CancelPending(ctx context.Context, accountID, batchID string) ([]analyze.Analysis, error) {
	accountID, okA := tenant.ParseUUID(accountID)
	batchID, okB := tenant.ParseUUID(batchID)
	if !okA || !okB {
		return []analyze.Analysis{}, nil
	}
	var out []analyze.Analysis
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		if out, err = queryAnalyses(ctx, q, sqlCancelPending, accountID, batchID, analyze.CodeCancelled); err != nil {
			return err
		}
		for _, a := range out {
			if err := refund(ctx, q, a); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, sqlCancelBatch, accountID, batchID); err != nil {
			return fmt.Errorf("cancel analysis batch: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b analyze.Analysis) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Stale implements analyze.RunStore (limit is clamped to 1..1000).
func (s *AnalysisStore) Stale(ctx context.Context, status analysis.Status, before time.Time, limit int) ([]analyze.Analysis, error) {
	limit = min(max(limit, 1), maxStale)
	var out []analyze.Analysis
	err := s.db.AdminScope(ctx, func(ctx context.Context, q Querier) error {
		var err error
		out, err = queryAnalyses(ctx, q, sqlStale, string(status), before, limit)
		return err
	})
	return out, err
}

// sqlUpsertLead saves the analysed profile as the live lead of (account, business profile,
// handle): a new lead, or the existing one with fresh profile fields, this analysis as its
// latest and one more analysis counted.
const sqlUpsertLead = `insert into public.leads (account_id, business_profile_id, username, display_name, biography,
  followers_count, following_count, posts_count, verified, private, business_account, business_category,
  external_url, profile_pic_url, last_analysis_id, last_score, last_tier, analyses_count)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1)
on conflict (account_id, business_profile_id, username) where deleted_at is null do update
set display_name = excluded.display_name, biography = excluded.biography,
    followers_count = excluded.followers_count, following_count = excluded.following_count,
    posts_count = excluded.posts_count, verified = excluded.verified, private = excluded.private,
    business_account = excluded.business_account, business_category = excluded.business_category,
    external_url = excluded.external_url, profile_pic_url = excluded.profile_pic_url,
    last_analysis_id = excluded.last_analysis_id, last_score = excluded.last_score,
    last_tier = excluded.last_tier, analyses_count = leads.analyses_count + 1,
    last_analyzed_at = clock_timestamp(), updated_at = clock_timestamp()
returning id::text`

// upsertLead saves p as a's lead and returns the lead id. The handle is the analysis's (the
// key the submit used), the display name the profile's full name as given ("" when none).
func upsertLead(ctx context.Context, q Querier, a analyze.Analysis, p *lead.ProfileSnapshot, score *int, tier *string) (string, error) {
	var id string
	err := q.QueryRow(ctx, sqlUpsertLead, a.AccountID, a.BusinessProfileID, a.Username, p.FullName, p.Biography,
		p.FollowersCount, p.FollowingCount, p.PostsCount, p.Verified, p.Private, p.BusinessAccount,
		p.BusinessCategory, p.ExternalURL, p.ProfilePicURL, a.ID, score, tier).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("save lead: %w", err)
	}
	return id, nil
}

// refund gives a's credits back: reference RunID(id), so app.apply_credit applies it once.
func refund(ctx context.Context, q Querier, a analyze.Analysis) error {
	amount, err := credit.NewAmount(a.Credits)
	if err != nil {
		return err
	}
	_, err = ApplyCredit(ctx, q, credit.EntryRequest{
		AccountID: a.AccountID, Kind: credit.AnalysisRefund, Amount: amount,
		Reference: a.RunID(), Description: "refund: " + describe(a),
	})
	return err
}

// insertOperations writes the analysis's operations-ledger row (once: a repeated finish keeps
// the first).
func insertOperations(ctx context.Context, q Querier, a analyze.Analysis, o analysis.Outcome, ops *analyze.Operations) error {
	b, err := json.Marshal(ops)
	if err != nil {
		return fmt.Errorf("encode operations: %w", err)
	}
	_, err = q.Exec(ctx, sqlInsertOperations, a.AccountID, a.ID, string(a.Type), a.Username, string(o),
		ops.AICostMicros+ops.ScrapeCostMicros, ops.AICostMicros, ops.ScrapeCostMicros, ops.Total.Milliseconds(), string(b))
	if err != nil {
		return fmt.Errorf("insert operations row: %w", err)
	}
	return nil
}

// jsonOrNil encodes v for a jsonb parameter; a nil pointer is SQL NULL.
func jsonOrNil[T any](v *T) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	s := string(b)
	return &s, nil
}
