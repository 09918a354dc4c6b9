package postgres

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/tenant"
)

// leadCursorDomain prefixes the domain of lead-listing cursors; the sort and the business
// profile complete it, so a cursor is refused by any other listing, other order or other
// profile (its sort key would mean something else there).
const leadCursorDomain = "oslira.lead-cursor.v1"

// leadColumns are the columns scanLead reads, in its order.
const leadColumns = `l.id::text, l.account_id::text, l.business_profile_id::text, l.username, l.display_name,
  l.biography, l.followers_count, l.following_count, l.posts_count, l.verified, l.private,
  l.business_account, l.business_category, l.external_url, l.profile_pic_url,
  coalesce(l.last_analysis_id::text, ''), l.last_score, coalesce(l.last_tier, ''), l.analyses_count,
  l.first_analyzed_at, l.last_analyzed_at, l.created_at, l.updated_at`

// sqlLeadSelect reads the live leads of account $1.
const sqlLeadSelect = `select ` + leadColumns + `
from public.leads l where l.account_id = $1 and l.deleted_at is null`

// sqlLatestAnalysis is a lead's latest completed analysis.
const sqlLatestAnalysis = sqlAnalysisSelect + `
  and lead_id = $2 and status = 'completed'
order by completed_at desc, id desc
limit 1`

const sqlDeleteLead = `update public.leads set deleted_at = clock_timestamp(), updated_at = clock_timestamp()
where account_id = $1 and id = $2 and deleted_at is null`

// leadSortKeys maps each order to its SQL key (the expressions of the listing indexes); a
// score listing puts unscored leads last.
var leadSortKeys = map[analyze.LeadSort]string{
	analyze.SortLastAnalyzed: "l.last_analyzed_at",
	analyze.SortFollowers:    "l.followers_count",
	analyze.SortScore:        "coalesce(l.last_score, -1)",
}

// likeEscaper escapes LIKE's metacharacters (with the escape character '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Leads implements analyze.Reader: the profile's live leads in f.Sort order (descending, id as
// tie-break), keyset-paged on the sort key and id.
func (s *AnalysisStore) Leads(ctx context.Context, p tenant.Principal, f analyze.LeadFilter) (analyze.Page[analyze.Lead], error) {
	accountID, profileID, ok := ids(p, f.BusinessProfileID)
	if !ok {
		return analyze.Page[analyze.Lead]{}, business.ErrNotFound
	}
	if f.Sort == "" {
		f.Sort = analyze.SortLastAnalyzed
	}
	key, ok := leadSortKeys[f.Sort]
	if !ok {
		return analyze.Page[analyze.Lead]{}, fmt.Errorf("unknown lead order %q", f.Sort)
	}
	domain := leadCursorDomain + "\x00" + string(f.Sort) + "\x00" + profileID
	var b strings.Builder
	b.WriteString(sqlLeadSelect + "\n  and l.business_profile_id = $2")
	args := []any{accountID, profileID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.Search != "" {
		b.WriteString("\n  and l.username ilike " + arg("%"+likeEscaper.Replace(f.Search)+"%") + ` escape '\'`)
	}
	if f.Cursor != "" {
		c, err := s.cursors.decodeLead(domain, accountID, f.Cursor)
		if err != nil {
			return analyze.Page[analyze.Lead]{}, err
		}
		if f.Sort == analyze.SortLastAnalyzed {
			b.WriteString("\n  and (" + key + ", l.id) < (" + arg(c.T) + "::timestamptz, " + arg(c.ID) + "::uuid)")
		} else {
			b.WriteString("\n  and (" + key + ", l.id) < (" + arg(c.N) + "::bigint, " + arg(c.ID) + "::uuid)")
		}
	}
	limit := min(max(f.Limit, 1), analyze.MaxPageSize)
	b.WriteString("\norder by " + key + " desc, l.id desc\nlimit " + arg(limit+1))

	var leads []analyze.Lead
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var live bool
		if err := q.QueryRow(ctx, sqlLiveProfile, accountID, profileID).Scan(&live); err != nil {
			return fmt.Errorf("find business profile: %w", err)
		}
		if !live {
			return business.ErrNotFound
		}
		rows, err := q.Query(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("list leads: %w", err)
		}
		leads, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (analyze.Lead, error) { return scanLead(r) })
		if err != nil {
			return fmt.Errorf("list leads: %w", err)
		}
		return nil
	})
	if err != nil {
		return analyze.Page[analyze.Lead]{}, err
	}
	if leads == nil {
		leads = []analyze.Lead{}
	}
	page := analyze.Page[analyze.Lead]{Items: leads}
	if len(leads) > limit {
		page.Items = leads[:limit]
		last := page.Items[limit-1]
		c := leadCursor{ID: last.ID}
		switch f.Sort {
		case analyze.SortLastAnalyzed:
			c.T = last.LastAnalyzedAt
		case analyze.SortFollowers:
			c.N = last.FollowersCount
		default:
			c.N = -1
			if last.LastScore != nil {
				c.N = int64(*last.LastScore)
			}
		}
		page.NextCursor = s.cursors.encodeLead(domain, accountID, c)
	}
	return page, nil
}

// Lead implements analyze.Reader.
func (s *AnalysisStore) Lead(ctx context.Context, p tenant.Principal, id string) (analyze.Lead, error) {
	accountID, id, ok := ids(p, id)
	if !ok {
		return analyze.Lead{}, analyze.ErrNotFound
	}
	var out analyze.Lead
	err := s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		var err error
		out, err = scanLead(q.QueryRow(ctx, sqlLeadSelect+"\n  and l.id = $2", accountID, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return analyze.ErrNotFound.WithCause(err)
		}
		if err != nil {
			return fmt.Errorf("read lead: %w", err)
		}
		latest, err := readAnalysis(ctx, q, sqlLatestAnalysis, accountID, id)
		switch {
		case errors.Is(err, analyze.ErrNotFound):
			return nil
		case err != nil:
			return err
		}
		out.Latest = &latest
		return nil
	})
	if err != nil {
		return analyze.Lead{}, err
	}
	return out, nil
}

// DeleteLead implements analyze.Reader: a soft delete in the user scope (members may set
// deleted_at). Its analyses keep their lead_id and stay readable.
func (s *AnalysisStore) DeleteLead(ctx context.Context, p tenant.Principal, id string) error {
	accountID, id, ok := ids(p, id)
	if !ok {
		return analyze.ErrNotFound
	}
	return s.db.UserScope(ctx, p, func(ctx context.Context, q Querier) error {
		tag, err := q.Exec(ctx, sqlDeleteLead, accountID, id)
		if err != nil {
			return fmt.Errorf("delete lead: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return analyze.ErrNotFound
		}
		return nil
	})
}

// scanLead reads one row of leadColumns.
func scanLead(r pgx.Row) (analyze.Lead, error) {
	var (
		l    analyze.Lead
		tier string
	)
	err := r.Scan(&l.ID, &l.AccountID, &l.BusinessProfileID, &l.Username, &l.DisplayName, &l.Biography,
		&l.FollowersCount, &l.FollowingCount, &l.PostsCount, &l.Verified, &l.Private, &l.BusinessAccount,
		&l.BusinessCategory, &l.ExternalURL, &l.ProfilePicURL, &l.LastAnalysisID, &l.LastScore, &tier,
		&l.AnalysesCount, &l.FirstAnalyzedAt, &l.LastAnalyzedAt, &l.CreatedAt, &l.UpdatedAt)
	if err != nil {
		return analyze.Lead{}, err
	}
	l.LastTier = analysis.Tier(tier)
	l.FirstAnalyzedAt, l.LastAnalyzedAt = l.FirstAnalyzedAt.UTC(), l.LastAnalyzedAt.UTC()
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, nil
}

// leadCursor is the keyset position after the last lead of a page: the sort key (T for
// last_analyzed, N for followers and score, where an unscored lead is -1) and the id. It is
// signed like the ledger's cursors (see ledgerCursor for the wire format).
type leadCursor struct {
	T  time.Time `json:"t"`
	N  int64     `json:"n"`
	ID string    `json:"id"`
}

// encodeLead returns the signed cursor of c for the lead listing named by domain.
func (k CursorKey) encodeLead(domain, accountID string, c leadCursor) string {
	c.T = c.T.UTC()
	b, _ := json.Marshal(c) // cannot fail: a time, a number and a string
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(k.macIn(domain, accountID, payload))
}

// decodeLead verifies and parses a cursor made by encodeLead for the same listing; anything
// else is errInvalidCursor.
func (k CursorKey) decodeLead(domain, accountID, s string) (leadCursor, error) {
	if len(s) > maxCursorLength {
		return leadCursor{}, errInvalidCursor
	}
	payload, sig, ok := strings.Cut(s, ".")
	if !ok {
		return leadCursor{}, errInvalidCursor
	}
	mac, err := cursorEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, k.macIn(domain, accountID, payload)) {
		return leadCursor{}, errInvalidCursor
	}
	b, err := cursorEncoding.DecodeString(payload)
	if err != nil {
		return leadCursor{}, errInvalidCursor.WithCause(err)
	}
	var c leadCursor
	if err := json.Unmarshal(b, &c); err != nil {
		return leadCursor{}, errInvalidCursor.WithCause(err)
	}
	if c.ID, ok = tenant.ParseUUID(c.ID); !ok {
		return leadCursor{}, errInvalidCursor
	}
	return c, nil
}
