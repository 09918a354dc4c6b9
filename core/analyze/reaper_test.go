package analyze_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/analyzemock"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/workflow"
)

var reapNow = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

// stateEngine answers Status from a fixed map and records cancels; other calls panic.
type stateEngine struct {
	workflow.Engine
	states    map[string]workflow.State
	cancelled []string
	statusErr error
}

func (e *stateEngine) Status(_ context.Context, id string) (workflow.Status, error) {
	if e.statusErr != nil {
		return workflow.Status{}, e.statusErr
	}
	st, ok := e.states[id]
	if !ok {
		return workflow.Status{}, workflow.ErrNotFound
	}
	return workflow.Status{ID: id, State: st, ErrorCode: map[bool]string{true: "analysis.ai-failed"}[st == workflow.StateFailed]}, nil
}

func (e *stateEngine) Cancel(_ context.Context, id string) error {
	e.cancelled = append(e.cancelled, id)
	return nil
}

func TestSweeperExpiresPendingAndFailsOrphans(t *testing.T) {
	ctrl := gomock.NewController(t)
	store := analyzemock.NewMockRunStore(ctrl)
	eng := &stateEngine{states: map[string]workflow.State{
		analyze.RunID("r-live"):   workflow.StateRunning,
		analyze.RunID("r-failed"): workflow.StateFailed,
		analyze.RunID("r-cancel"): workflow.StateCancelled,
		analyze.RunID("r-done"):   workflow.StateSucceeded,
	}}
	store.EXPECT().Stale(gomock.Any(), analysis.Pending, reapNow.Add(-analyze.DefaultPendingExpiry), analyze.DefaultReapLimit).
		Return([]analyze.Analysis{{ID: "p1"}, {ID: "p2"}}, nil)
	store.EXPECT().Stale(gomock.Any(), analysis.Running, reapNow.Add(-analyze.DefaultOrphanAfter), analyze.DefaultReapLimit).
		Return([]analyze.Analysis{{ID: "r-live"}, {ID: "r-failed"}, {ID: "r-cancel"}, {ID: "r-done"}, {ID: "r-gone"}}, nil)
	got := map[string]analyze.Finish{}
	store.EXPECT().Finish(gomock.Any(), gomock.Any()).Times(5).DoAndReturn(func(_ context.Context, f analyze.Finish) (bool, error) {
		got[f.ID] = f
		return f.ID != "p2", nil // p2 was finished by its run meanwhile
	})
	s := analyze.NewSweeper(store, eng, nil)
	if s.Name() != "analyses" {
		t.Errorf("name %q", s.Name())
	}
	rep, err := s.Sweep(context.Background(), reapNow)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]analyze.Finish{
		"p1":       {ID: "p1", Outcome: analysis.Expired, ErrorCode: analyze.CodeExpired},
		"p2":       {ID: "p2", Outcome: analysis.Expired, ErrorCode: analyze.CodeExpired},
		"r-failed": {ID: "r-failed", Outcome: analysis.Errored, ErrorCode: "analysis.ai-failed"},
		"r-cancel": {ID: "r-cancel", Outcome: analysis.Errored, ErrorCode: "internal"},
		"r-gone":   {ID: "r-gone", Outcome: analysis.Errored, ErrorCode: "internal"},
	}
	for id, w := range want {
		if g := got[id]; g.Outcome != w.Outcome || g.ErrorCode != w.ErrorCode {
			t.Errorf("%s finished %+v, want %+v", id, g, w)
		}
	}
	if len(eng.cancelled) != 2 || eng.cancelled[0] != analyze.RunID("p1") {
		t.Errorf("cancelled %v, want the pending runs", eng.cancelled)
	}
	if rep.Found != 7 || rep.Restarted != 4 || rep.InFlight != 1 || rep.Stuck != 1 || rep.StuckIDs[0] != "r-done" {
		t.Errorf("report %+v", rep)
	}
}

func TestSweeperReportsErrorsAndGoesOn(t *testing.T) {
	ctrl := gomock.NewController(t)
	store := analyzemock.NewMockRunStore(ctrl)
	down := errors.New("database down")
	store.EXPECT().Stale(gomock.Any(), analysis.Pending, gomock.Any(), gomock.Any()).Return([]analyze.Analysis{{ID: "p1"}, {ID: "p2"}}, nil)
	store.EXPECT().Finish(gomock.Any(), gomock.Any()).Return(false, down).Times(2)
	store.EXPECT().Stale(gomock.Any(), analysis.Running, gomock.Any(), gomock.Any()).Return([]analyze.Analysis{{ID: "r1"}}, nil)
	eng := &stateEngine{statusErr: errors.New("engine down")}
	rep, err := analyze.NewSweeper(store, eng, nil).Sweep(context.Background(), reapNow)
	if !errors.Is(err, down) || rep.Found != 3 || rep.Restarted != 0 {
		t.Errorf("sweep = %+v, %v", rep, err)
	}

	store.EXPECT().Stale(gomock.Any(), analysis.Pending, gomock.Any(), gomock.Any()).Return(nil, down)
	if _, err := analyze.NewSweeper(store, eng, nil).Sweep(context.Background(), reapNow); !errors.Is(err, down) {
		t.Errorf("pending listing error = %v", err)
	}
	store.EXPECT().Stale(gomock.Any(), analysis.Pending, gomock.Any(), gomock.Any()).Return(nil, nil)
	store.EXPECT().Stale(gomock.Any(), analysis.Running, gomock.Any(), gomock.Any()).Return(nil, down)
	if _, err := analyze.NewSweeper(store, eng, nil).Sweep(context.Background(), reapNow); !errors.Is(err, down) {
		t.Errorf("running listing error = %v", err)
	}
}
