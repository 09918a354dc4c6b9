package analyzetest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/credit"
)

// DefaultBulkLimit is every account's bulk limit (the free plan's).
const DefaultBulkLimit = 10

// TxRunner runs fn as one transaction: the workflow starts made with fn's context take effect
// only when fn returns nil. *workflowtest.Engine implements it (InTx).
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Entry is one ledger movement of the store.
type Entry struct {
	AccountID string
	// Amount is negative for a debit, positive for a refund or a funding.
	Amount    int64
	Reference string // analyze.RunID(id) for debits and refunds, "fund" for Fund
}

// Store is the in-memory analyze.Store and analyze.Events. Create it with New; safe for
// concurrent use.
type Store struct {
	mu        sync.Mutex
	now       func() time.Time
	tx        TxRunner
	bulkLimit int
	seq       int

	profiles map[string]business.Profile // by id
	gone     map[string]bool             // deleted business profiles and leads, by id
	balances map[string]int64            // by account
	ledger   []Entry
	refunded map[string]bool // references refunded

	analyses map[string]*analyze.Analysis
	order    []string // analysis ids, oldest first
	batches  map[string]*analyze.Batch
	leads    map[string]*analyze.Lead
	leadSeq  []string // lead ids, oldest first
	events   []analyze.Event
	ops      map[string]analyze.Operations
}

var (
	_ analyze.Store  = (*Store)(nil)
	_ analyze.Events = (*Store)(nil)
)

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock of created, started and completed times (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithTx makes every submit one transaction of tx, so its workflow starts are kept only when the
// submit succeeds (give the engine the runs start on). Without it a failed start undoes the
// submit's writes, but a start made before the failure stays.
func WithTx(tx TxRunner) Option { return func(s *Store) { s.tx = tx } }

// WithBulkLimit sets every account's bulk limit (default DefaultBulkLimit).
func WithBulkLimit(n int) Option { return func(s *Store) { s.bulkLimit = n } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{
		now: time.Now, bulkLimit: DefaultBulkLimit,
		profiles: map[string]business.Profile{}, gone: map[string]bool{}, balances: map[string]int64{}, refunded: map[string]bool{},
		analyses: map[string]*analyze.Analysis{}, batches: map[string]*analyze.Batch{},
		leads: map[string]*analyze.Lead{}, ops: map[string]analyze.Operations{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// NewID returns the store's next id: a version-4-shaped UUID made from a counter (ids of
// business profiles and accounts a test creates may come from here too).
func (s *Store) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked()
}

func (s *Store) newIDLocked() string {
	s.seq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", s.seq)
}

// AddProfile stores a live business profile (its ID and AccountID must be set).
func (s *Store) AddProfile(p business.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[p.ID] = p
}

// DeleteProfile marks a business profile deleted (analyses of it then finish Errored).
func (s *Store) DeleteProfile(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[id] = true
}

// Fund adds n credits to the account's balance.
func (s *Store) Fund(accountID string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.balances[accountID] += n
	s.ledger = append(s.ledger, Entry{AccountID: accountID, Amount: n, Reference: "fund"})
}

// Balance returns the account's balance.
func (s *Store) Balance(accountID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balances[accountID]
}

// Ledger returns every movement, oldest first.
func (s *Store) Ledger() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ledger)
}

// Events returns the progress events published for the analysis, in order.
func (s *Store) Events(analysisID string) []analyze.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []analyze.Event
	for _, e := range s.events {
		if e.AnalysisID == analysisID {
			out = append(out, e)
		}
	}
	return out
}

// Operations returns the operations row recorded by the analysis's finish.
func (s *Store) Operations(analysisID string) (analyze.Operations, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.ops[analysisID]
	return o, ok
}

// Submit implements analyze.Submitter.
func (s *Store) Submit(ctx context.Context, sub analyze.Submission, start analyze.StartFunc) (analyze.Analysis, error) {
	_, as, err := s.submit(ctx, analyze.BatchSubmission{
		AccountID: sub.AccountID, BusinessProfileID: sub.BusinessProfileID, Usernames: []string{sub.Username},
		Type: sub.Type, Credits: sub.Credits, RequestedBy: sub.RequestedBy,
	}, false, start)
	if err != nil {
		return analyze.Analysis{}, err
	}
	return as[0], nil
}

// SubmitBatch implements analyze.Submitter.
func (s *Store) SubmitBatch(ctx context.Context, b analyze.BatchSubmission, start analyze.StartFunc) (analyze.Batch, []analyze.Analysis, error) {
	return s.submit(ctx, b, true, start)
}

// BulkLimit implements analyze.Submitter.
func (s *Store) BulkLimit(context.Context, string) (int, error) { return s.bulkLimit, nil }

// submit is every submit: checks and writes under the lock, then the starts (inside the TxRunner
// when there is one); a failed start undoes the writes.
func (s *Store) submit(ctx context.Context, b analyze.BatchSubmission, batch bool, start analyze.StartFunc) (analyze.Batch, []analyze.Analysis, error) {
	var (
		bt    analyze.Batch
		items []analyze.Analysis
	)
	run := func(ctx context.Context) error {
		var err error
		if bt, items, err = s.write(b, batch); err != nil {
			return err
		}
		for _, a := range items {
			if err := start(ctx, a); err != nil {
				s.undo(bt, items)
				return err
			}
		}
		return nil
	}
	var err error
	if s.tx != nil {
		err = s.tx.InTx(ctx, run)
	} else {
		err = run(ctx)
	}
	if err != nil {
		return analyze.Batch{}, nil, err
	}
	return bt, items, nil
}

// write checks a submission and creates its rows and debits (all or nothing).
func (s *Store) write(b analyze.BatchSubmission, batch bool) (analyze.Batch, []analyze.Analysis, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.profiles[b.BusinessProfileID]
	if !ok || p.AccountID != b.AccountID || s.gone[p.ID] {
		return analyze.Batch{}, nil, business.ErrNotFound
	}
	dup := map[string]string{}
	for _, id := range s.order {
		a := s.analyses[id]
		if a.AccountID == b.AccountID && a.BusinessProfileID == b.BusinessProfileID && !a.Status.Terminal() &&
			slices.Contains(b.Usernames, a.Username) {
			dup[a.Username] = a.ID
		}
	}
	if len(dup) > 0 {
		return analyze.Batch{}, nil, &analyze.DuplicateError{Existing: dup}
	}
	if total := b.Credits * int64(len(b.Usernames)); s.balances[b.AccountID] < total {
		return analyze.Batch{}, nil, credit.ErrInsufficient
	}
	now := s.now().UTC()
	var bt analyze.Batch
	if batch {
		bt = analyze.Batch{ID: s.newIDLocked(), AccountID: b.AccountID, BusinessProfileID: b.BusinessProfileID,
			Type: b.Type, Total: len(b.Usernames), CreatedAt: now}
		s.batches[bt.ID] = &bt
	}
	items := make([]analyze.Analysis, 0, len(b.Usernames))
	for _, u := range b.Usernames {
		a := analyze.Analysis{ID: s.newIDLocked(), AccountID: b.AccountID, BusinessProfileID: b.BusinessProfileID,
			BatchID: bt.ID, Username: u, Type: b.Type, Credits: b.Credits, Status: analysis.Pending,
			Step: "queued", CreatedAt: now}
		s.analyses[a.ID] = &a
		s.order = append(s.order, a.ID)
		s.balances[b.AccountID] -= b.Credits
		s.ledger = append(s.ledger, Entry{AccountID: b.AccountID, Amount: -b.Credits, Reference: a.RunID()})
		items = append(items, a)
	}
	return bt, items, nil
}

// undo removes what write created and gives the debits back (a rolled-back transaction).
func (s *Store) undo(bt analyze.Batch, items []analyze.Analysis) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.batches, bt.ID)
	for _, a := range items {
		delete(s.analyses, a.ID)
		s.order = slices.DeleteFunc(s.order, func(id string) bool { return id == a.ID })
		s.balances[a.AccountID] += a.Credits
		s.ledger = slices.DeleteFunc(s.ledger, func(e Entry) bool { return e.Reference == a.RunID() })
	}
}

// Load implements analyze.RunStore.
func (s *Store) Load(_ context.Context, id string) (analyze.Analysis, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.analyses[id]
	if !ok {
		return analyze.Analysis{}, analyze.ErrNotFound
	}
	return *a, nil
}

// BusinessProfile implements analyze.RunStore.
func (s *Store) BusinessProfile(_ context.Context, accountID, profileID string) (business.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.profiles[profileID]
	if !ok || p.AccountID != accountID || s.gone[p.ID] {
		return business.Profile{}, business.ErrNotFound
	}
	return p, nil
}

// MarkRunning implements analyze.RunStore.
func (s *Store) MarkRunning(_ context.Context, id string) (analyze.Analysis, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.analyses[id]
	if !ok {
		return analyze.Analysis{}, false, analyze.ErrNotFound
	}
	if a.Status == analysis.Pending {
		a.Status, a.StartedAt = analysis.Running, s.now().UTC()
	}
	return *a, a.Status == analysis.Running, nil
}

// Finish implements analyze.RunStore: analysis.Finish decides; a refunded outcome gives the
// credits back once (a second refund of the same reference is never made).
func (s *Store) Finish(_ context.Context, f analyze.Finish) (bool, error) {
	if !f.Outcome.Valid() {
		return false, fmt.Errorf("analyzetest: finish %s: unknown outcome %q", f.ID, f.Outcome)
	}
	var score analysis.Score
	if f.Outcome == analysis.Scored {
		if f.Score == nil {
			return false, fmt.Errorf("analyzetest: finish %s: scored without a score", f.ID)
		}
		var err error
		if score, err = analysis.NewScore(*f.Score); err != nil {
			return false, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.analyses[f.ID]
	if !ok {
		return false, analyze.ErrNotFound
	}
	to, err := analysis.Finish(a.Status, f.Outcome)
	if err != nil {
		return false, nil // already finished, or an outcome this status may not take
	}
	a.Status, a.Outcome, a.Summary, a.Result, a.Metrics, a.ErrorCode = to, f.Outcome, f.Summary, f.Result, f.Metrics, f.ErrorCode
	a.Progress, a.CompletedAt, a.Refunded = 100, s.now().UTC(), f.Outcome.Refunded()
	if f.Outcome == analysis.Scored {
		n := score.Int()
		a.Score, a.Tier = &n, score.Tier()
	}
	if f.Profile != nil {
		a.LeadID = s.upsertLeadLocked(a, f)
	}
	if f.Operations != nil {
		s.ops[a.ID] = *f.Operations
	}
	if a.Refunded && !s.refunded[a.RunID()] {
		s.refunded[a.RunID()] = true
		s.balances[a.AccountID] += a.Credits
		s.ledger = append(s.ledger, Entry{AccountID: a.AccountID, Amount: a.Credits, Reference: a.RunID()})
	}
	return true, nil
}

// upsertLeadLocked saves the finished analysis's profile as the live lead of its account,
// business profile and handle, and returns the lead id.
func (s *Store) upsertLeadLocked(a *analyze.Analysis, f analyze.Finish) string {
	now := s.now().UTC()
	var l *analyze.Lead
	for _, id := range s.leadSeq {
		c := s.leads[id]
		if c.AccountID == a.AccountID && c.BusinessProfileID == a.BusinessProfileID && c.Username == a.Username && !s.gone[c.ID] {
			l = c
		}
	}
	if l == nil {
		l = &analyze.Lead{ID: s.newIDLocked(), AccountID: a.AccountID, BusinessProfileID: a.BusinessProfileID,
			Username: a.Username, FirstAnalyzedAt: now, CreatedAt: now}
		s.leads[l.ID] = l
		s.leadSeq = append(s.leadSeq, l.ID)
	}
	p := f.Profile
	l.DisplayName, l.Biography, l.FollowersCount, l.FollowingCount, l.PostsCount = p.FullName, p.Biography, p.FollowersCount, p.FollowingCount, p.PostsCount
	l.Verified, l.Private, l.BusinessAccount, l.BusinessCategory = p.Verified, p.Private, p.BusinessAccount, p.BusinessCategory
	l.ExternalURL, l.ProfilePicURL = p.ExternalURL, p.ProfilePicURL
	l.LastAnalysisID, l.LastScore, l.LastTier = a.ID, a.Score, a.Tier
	l.AnalysesCount++
	l.LastAnalyzedAt, l.UpdatedAt = now, now
	return l.ID
}

// CancelPending implements analyze.RunStore.
func (s *Store) CancelPending(_ context.Context, accountID, batchID string) ([]analyze.Analysis, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []analyze.Analysis{}
	b, ok := s.batches[batchID]
	if !ok || b.AccountID != accountID {
		return out, nil
	}
	now := s.now().UTC()
	for _, id := range s.order {
		a := s.analyses[id]
		if a.BatchID != batchID || a.Status != analysis.Pending {
			continue
		}
		a.Status, a.Outcome, a.ErrorCode, a.Refunded, a.Progress, a.CompletedAt = analysis.Cancelled, analysis.CancelledOutcome, analyze.CodeCancelled, true, 100, now
		if !s.refunded[a.RunID()] {
			s.refunded[a.RunID()] = true
			s.balances[a.AccountID] += a.Credits
			s.ledger = append(s.ledger, Entry{AccountID: a.AccountID, Amount: a.Credits, Reference: a.RunID()})
		}
		out = append(out, *a)
	}
	if b.CancelledAt.IsZero() {
		b.CancelledAt = now
	}
	return out, nil
}

// Stale implements analyze.RunStore: oldest first.
func (s *Store) Stale(_ context.Context, status analysis.Status, before time.Time, limit int) ([]analyze.Analysis, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []analyze.Analysis
	for _, id := range s.order {
		if a := s.analyses[id]; a.Status == status && a.CreatedAt.Before(before) && len(out) < max(limit, 1) {
			out = append(out, *a)
		}
	}
	return out, nil
}

// Publish implements analyze.Events: the event is kept and its values copied onto the analysis
// (a finished analysis keeps its 100 against a late progress event). An analysis that is not
// the account's is analyze.ErrNotFound.
func (s *Store) Publish(_ context.Context, e analyze.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.analyses[e.AnalysisID]
	if !ok || a.AccountID != e.AccountID {
		return analyze.ErrNotFound
	}
	s.events = append(s.events, e)
	switch {
	case e.Type != analyze.EventProgress:
		a.Progress, a.Step = 100, e.Step
	case !a.Status.Terminal():
		a.Progress, a.Step = e.Percent, e.Step
	}
	return nil
}

// sortNewestFirst orders analyses newest first (creation order breaks ties: ids grow).
func sortNewestFirst(as []analyze.Analysis) {
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].CreatedAt.Equal(as[j].CreatedAt) {
			return as[i].CreatedAt.After(as[j].CreatedAt)
		}
		return as[i].ID > as[j].ID
	})
}
