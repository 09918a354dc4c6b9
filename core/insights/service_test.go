package insights_test

import (
	"errors"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/insightsmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/insights"
	"github.com/oslira/oslira/core/tenant"
)

var (
	operator = tenant.Principal{UserID: "u", Roles: []tenant.Role{tenant.RoleOperator}}
	user     = tenant.Principal{UserID: "u", AccountID: "a", Roles: []tenant.Role{tenant.RoleUser}}
	now      = time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	week     = insights.Window{Span: 7 * 24 * time.Hour, Label: "7d"}
	weekAgo  = insights.Range{From: now.Add(-7 * 24 * time.Hour), To: now}
)

func newService(t *testing.T) (*insights.Service, *insightsmock.MockStore) {
	store := insightsmock.NewMockStore(gomock.NewController(t))
	return insights.NewService(store, func() time.Time { return now.In(time.FixedZone("x", 3600)) }), store
}

// A user is refused before the store is read (the mock fails on any call).
func TestServiceRefusesUsers(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	_, e1 := s.CostConcentration(t.Context(), user, week)
	_, e2 := s.Latency(t.Context(), user, week)
	_, e3 := s.Workflows(t.Context(), user, week)
	_, e4 := s.AICache(t.Context(), tenant.Principal{}, week)
	for i, err := range []error{e1, e2, e3, e4} {
		if !errors.Is(err, identity.ErrOperatorOnly) {
			t.Errorf("answer %d as a user: %v", i, err)
		}
	}
}

func TestCostConcentration(t *testing.T) {
	t.Parallel()
	s, store := newService(t)
	store.EXPECT().AICostByAccount(gomock.Any(), weekAgo, insights.MaxCostRows).Return(insights.CostRows{
		TotalCost: 100_000_000, Count: 4, Accounts80: 2,
		Accounts: []insights.AccountCost{{AccountID: "a", CostMicros: 50_000_000, CumMicros: 50_000_000}, {AccountID: "b", CostMicros: 30_000_000, CumMicros: 80_000_000},
			{AccountID: "c", CostMicros: 15_000_000, CumMicros: 95_000_000}, {AccountID: "d", CostMicros: 5_000_000, CumMicros: 100_000_000}},
	}, nil)
	got, err := s.CostConcentration(t.Context(), operator, week)
	if err != nil {
		t.Fatal(err)
	}
	if got.Window != "7d" || !got.To.Equal(now) || got.To.Location() != time.UTC || !got.From.Equal(weekAgo.From) ||
		got.TotalCostMicros != 100_000_000 || got.AccountCount != 4 || got.Top80Count != 2 || len(got.Accounts) != 4 {
		t.Fatalf("answer %+v", got)
	}
	want := []insights.AccountShare{{AccountID: "a", CostMicros: 50_000_000, Share: 0.5, CumulativeShare: 0.5, InTop80: true}, {AccountID: "b", CostMicros: 30_000_000, Share: 0.3, CumulativeShare: 0.8, InTop80: true},
		{AccountID: "c", CostMicros: 15_000_000, Share: 0.15, CumulativeShare: 0.95, InTop80: false}, {AccountID: "d", CostMicros: 5_000_000, Share: 0.05, CumulativeShare: 1, InTop80: false}}
	for i, w := range want {
		if got.Accounts[i] != w {
			t.Errorf("row %d = %+v, want %+v", i, got.Accounts[i], w)
		}
	}
}

func TestLatencyInMilliseconds(t *testing.T) {
	t.Parallel()
	s, store := newService(t)
	store.EXPECT().RouteLatency(gomock.Any(), weekAgo).Return([]insights.RouteLatencyRow{
		{Method: "GET", Route: "/v1/me", Count: 200, P50: 1500, P95: 12000, P99: 40250, ClientErrors: 10, ServErrors: 4},
		{Method: "POST", Route: "/v1/analyses", Count: 0},
	}, nil)
	got, err := s.Latency(t.Context(), operator, week)
	if err != nil {
		t.Fatal(err)
	}
	want := insights.RouteLatency{Method: "GET", Route: "/v1/me", Count: 200, P50: 1.5, P95: 12, P99: 40.25, ErrorRate: 0.02, ClientErrorRate: 0.05}
	if len(got.Routes) != 2 || got.Routes[0] != want || got.Routes[1].ErrorRate != 0 {
		t.Errorf("routes %+v", got.Routes)
	}
}

func TestWorkflowSuccessRateCountsFinishedRuns(t *testing.T) {
	t.Parallel()
	s, store := newService(t)
	failures := []insights.AnalysisFailure{{Type: "deep", Step: "scrape", Outcome: "provider_failed", ErrorCode: "lead.unavailable", Count: 3}}
	store.EXPECT().WorkflowRuns(gomock.Any(), weekAgo).Return(insights.WorkflowRows{
		Definitions: []insights.DefinitionRuns{{Name: "analysis.v1", Started: 10, Succeeded: 6, Failed: 1, Cancelled: 1, Pending: 2},
			{Name: "idle", Started: 3, Pending: 3}},
		Failures: failures,
	}, nil)
	got, err := s.Workflows(t.Context(), operator, week)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Definitions) != 2 || got.Definitions[0].SuccessRate != 0.75 || got.Definitions[0].Pending != 2 ||
		got.Definitions[1].SuccessRate != 0 || len(got.Failures) != 1 || got.Failures[0] != failures[0] {
		t.Errorf("answer %+v", got)
	}
}

func TestAICacheAndStoreErrors(t *testing.T) {
	t.Parallel()
	s, store := newService(t)
	store.EXPECT().AICache(gomock.Any(), weekAgo).Return(insights.AICacheRow{Calls: 8, Hits: 2, SpentMicros: 600, SavedMicros: 150, UnknownCost: 1}, nil)
	got, err := s.AICache(t.Context(), operator, week)
	if err != nil {
		t.Fatal(err)
	}
	if got.HitRate != 0.25 || got.Calls != 8 || got.Hits != 2 || got.SpentMicros != 600 || got.SavedMicros != 150 || got.UnknownCost != 1 {
		t.Errorf("answer %+v", got)
	}
	down := apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")
	store.EXPECT().AICache(gomock.Any(), gomock.Any()).Return(insights.AICacheRow{}, down)
	store.EXPECT().AICostByAccount(gomock.Any(), gomock.Any(), gomock.Any()).Return(insights.CostRows{}, down)
	store.EXPECT().RouteLatency(gomock.Any(), gomock.Any()).Return(nil, down)
	store.EXPECT().WorkflowRuns(gomock.Any(), gomock.Any()).Return(insights.WorkflowRows{}, down)
	_, e1 := s.AICache(t.Context(), operator, week)
	_, e2 := s.CostConcentration(t.Context(), operator, week)
	_, e3 := s.Latency(t.Context(), operator, week)
	_, e4 := s.Workflows(t.Context(), operator, week)
	for i, err := range []error{e1, e2, e3, e4} {
		if !errors.Is(err, down) {
			t.Errorf("answer %d: %v, want the store's error", i, err)
		}
	}
}
