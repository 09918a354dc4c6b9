package insights

import (
	"context"
	"time"

	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/tenant"
)

// MaxCostRows is how many accounts the cost answer lists (its totals cover them all).
const MaxCostRows = 100

// Service answers the operators' questions. Every method refuses a principal that is not an
// operator (identity.ErrOperatorOnly) before reading anything: the HTTP admin group checks too,
// this is the second wall. `oslira stats` acts as an operator (it holds the database itself).
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the use cases over store; now is the clock (nil: time.Now).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Answer is what every answer starts with: the window and the range it covered.
type Answer struct {
	Window string
	From   time.Time
	To     time.Time
}

func (s *Service) begin(p tenant.Principal, w Window) (Answer, Range, error) {
	if !p.IsOperator() {
		return Answer{}, Range{}, identity.ErrOperatorOnly
	}
	r := w.Range(s.now().UTC())
	return Answer{Window: w.Label, From: r.From, To: r.To}, r, nil
}

// CostConcentration answers "which accounts drive 80 % of AI cost": accounts by cost, each with
// its share and the cumulative share up to it, and whether it belongs to the smallest set of
// top accounts whose cost reaches 80 % of the total (see InTop80).
func (s *Service) CostConcentration(ctx context.Context, p tenant.Principal, w Window) (CostConcentration, error) {
	a, r, err := s.begin(p, w)
	if err != nil {
		return CostConcentration{}, err
	}
	rows, err := s.store.AICostByAccount(ctx, r, MaxCostRows)
	if err != nil {
		return CostConcentration{}, err
	}
	return concentration(a, rows), nil
}

// Latency answers "p50/p95/p99 per route" over the analytics events.
func (s *Service) Latency(ctx context.Context, p tenant.Principal, w Window) (Latency, error) {
	a, r, err := s.begin(p, w)
	if err != nil {
		return Latency{}, err
	}
	rows, err := s.store.RouteLatency(ctx, r)
	if err != nil {
		return Latency{}, err
	}
	return latency(a, rows), nil
}

// Workflows answers "which workflows fail most, and where do analyses fail".
func (s *Service) Workflows(ctx context.Context, p tenant.Principal, w Window) (Workflows, error) {
	a, r, err := s.begin(p, w)
	if err != nil {
		return Workflows{}, err
	}
	rows, err := s.store.WorkflowRuns(ctx, r)
	if err != nil {
		return Workflows{}, err
	}
	return workflows(a, rows), nil
}

// AICache answers "what is the cache hit rate and how much money did it save".
func (s *Service) AICache(ctx context.Context, p tenant.Principal, w Window) (AICache, error) {
	a, r, err := s.begin(p, w)
	if err != nil {
		return AICache{}, err
	}
	row, err := s.store.AICache(ctx, r)
	if err != nil {
		return AICache{}, err
	}
	return AICache{Answer: a, Calls: row.Calls, Hits: row.Hits, HitRate: ratio(row.Hits, row.Calls),
		SpentMicros: row.SpentMicros, SavedMicros: row.SavedMicros, UnknownCost: row.UnknownCost}, nil
}

// ratio is n/d, 0 when d is 0 (no data is no rate, not NaN).
func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
