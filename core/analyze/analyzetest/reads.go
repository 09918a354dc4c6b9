package analyzetest

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/tenant"
)

// errCursor is a cursor this store did not make (or made for another listing).
var errCursor = apperr.Validation(apperr.CodeInvalidCursor, "invalid cursor",
	apperr.FieldError{Field: "cursor", Message: "is not a cursor of this listing"})

// cursorPrefix marks the store's cursors: "analyzetest:<offset>" (not signed: a test double).
const cursorPrefix = "analyzetest:"

// Get implements analyze.Reader.
func (s *Store) Get(_ context.Context, p tenant.Principal, id string) (analyze.Analysis, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.analyses[id]
	if !ok || a.AccountID != p.AccountID {
		return analyze.Analysis{}, analyze.ErrNotFound
	}
	return *a, nil
}

// List implements analyze.Reader: the account's analyses matching f, newest first.
func (s *Store) List(_ context.Context, p tenant.Principal, f analyze.AnalysisFilter) (analyze.Page[analyze.Analysis], error) {
	s.mu.Lock()
	var all []analyze.Analysis
	for _, id := range s.order {
		a := s.analyses[id]
		if a.AccountID != p.AccountID || f.Status != "" && a.Status != f.Status || f.Type != "" && a.Type != f.Type ||
			f.BusinessProfileID != "" && a.BusinessProfileID != f.BusinessProfileID || f.LeadID != "" && a.LeadID != f.LeadID {
			continue
		}
		all = append(all, *a)
	}
	s.mu.Unlock()
	sortNewestFirst(all)
	return page(all, f.Cursor, f.Limit)
}

// page cuts one page out of items from the cursor's offset.
func page[T any](items []T, cursor string, limit int) (analyze.Page[T], error) {
	from := 0
	if cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cursor, cursorPrefix))
		if !strings.HasPrefix(cursor, cursorPrefix) || err != nil || n < 0 {
			return analyze.Page[T]{}, errCursor
		}
		from = min(n, len(items))
	}
	limit = min(max(limit, 1), analyze.MaxPageSize)
	out := analyze.Page[T]{Items: slices.Clone(items[from:min(from+limit, len(items))])}
	if out.Items == nil {
		out.Items = []T{}
	}
	if from+limit < len(items) {
		out.NextCursor = cursorPrefix + strconv.Itoa(from+limit)
	}
	return out, nil
}

// Batch implements analyze.Reader.
func (s *Store) Batch(_ context.Context, p tenant.Principal, id string) (analyze.BatchView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.batches[id]
	if !ok || b.AccountID != p.AccountID {
		return analyze.BatchView{}, analyze.ErrNotFound
	}
	v := analyze.BatchView{Batch: *b, Counts: map[analysis.Status]int{}}
	for _, st := range analysis.Statuses() {
		v.Counts[st] = 0
	}
	sum := 0
	for _, aid := range s.order {
		a := s.analyses[aid]
		if a.BatchID != id {
			continue
		}
		v.Items = append(v.Items, *a)
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

// Leads implements analyze.Reader: the profile's live leads, most recently analysed first (the
// store keeps no other order; f.Sort is accepted and ignored), filtered by f.Search.
func (s *Store) Leads(_ context.Context, p tenant.Principal, f analyze.LeadFilter) (analyze.Page[analyze.Lead], error) {
	s.mu.Lock()
	bp, ok := s.profiles[f.BusinessProfileID]
	if !ok || bp.AccountID != p.AccountID || s.gone[bp.ID] {
		s.mu.Unlock()
		return analyze.Page[analyze.Lead]{}, business.ErrNotFound
	}
	var all []analyze.Lead
	for i := len(s.leadSeq) - 1; i >= 0; i-- {
		l := s.leads[s.leadSeq[i]]
		if l.BusinessProfileID == bp.ID && !s.gone[l.ID] && strings.Contains(l.Username, strings.ToLower(f.Search)) {
			all = append(all, *l)
		}
	}
	s.mu.Unlock()
	slices.SortStableFunc(all, func(a, b analyze.Lead) int { return b.LastAnalyzedAt.Compare(a.LastAnalyzedAt) })
	return page(all, f.Cursor, f.Limit)
}

// Lead implements analyze.Reader, with Latest set to the lead's latest completed analysis.
func (s *Store) Lead(_ context.Context, p tenant.Principal, id string) (analyze.Lead, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.leads[id]
	if !ok || l.AccountID != p.AccountID || s.gone[id] {
		return analyze.Lead{}, analyze.ErrNotFound
	}
	out := *l
	if a, ok := s.analyses[l.LastAnalysisID]; ok && a.Status == analysis.Completed {
		latest := *a
		out.Latest = &latest
	}
	return out, nil
}

// DeleteLead implements analyze.Reader.
func (s *Store) DeleteLead(_ context.Context, p tenant.Principal, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.leads[id]
	if !ok || l.AccountID != p.AccountID || s.gone[id] {
		return analyze.ErrNotFound
	}
	s.gone[id] = true
	return nil
}

// Active implements analyze.Reader: pending and running analyses, newest first.
func (s *Store) Active(_ context.Context, p tenant.Principal, limit int) ([]analyze.Analysis, error) {
	s.mu.Lock()
	var out []analyze.Analysis
	for _, id := range s.order {
		if a := s.analyses[id]; a.AccountID == p.AccountID && !a.Status.Terminal() {
			out = append(out, *a)
		}
	}
	s.mu.Unlock()
	sortNewestFirst(out)
	return out[:min(len(out), max(limit, 0), analyze.MaxActive)], nil
}
