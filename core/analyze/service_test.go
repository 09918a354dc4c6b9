package analyze_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/analyzemock"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

const (
	userID = "0a1b2c3d-0000-4000-8000-0000000000aa"
	batch  = "0a1b2c3d-0000-4000-8000-0000000000bb"
	leadID = "0a1b2c3d-0000-4000-8000-0000000000cc"
)

var caller = tenant.Principal{UserID: userID, AccountID: accountID}

// mockStore is analyze.Store from the three generated mocks.
type mockStore struct {
	*analyzemock.MockSubmitter
	*analyzemock.MockRunStore
	*analyzemock.MockReader
}

// engine is the in-memory engine, remembering the partition of every start and failing the
// Cancel of run ids in cancelErr.
type engine struct {
	*workflowtest.Engine
	partitions map[string]string
	cancelErr  map[string]error
	cancelled  []string
}

func (e *engine) Start(ctx context.Context, def string, input any, id string) (string, error) {
	e.partitions[id] = workflow.PartitionFrom(ctx)
	return e.Engine.Start(ctx, def, input, id)
}

func (e *engine) Cancel(ctx context.Context, id string) error {
	e.cancelled = append(e.cancelled, id)
	if err, ok := e.cancelErr[id]; ok {
		return err
	}
	return e.Engine.Cancel(ctx, id)
}

func newService(t *testing.T) (*analyze.Service, mockStore, *engine) {
	ctrl := gomock.NewController(t)
	s := mockStore{analyzemock.NewMockSubmitter(ctrl), analyzemock.NewMockRunStore(ctrl), analyzemock.NewMockReader(ctrl)}
	e := &engine{Engine: workflowtest.New([]workflow.Definition{analyze.Definition(nil, nil, nil, nil, nil)}),
		partitions: map[string]string{}, cancelErr: map[string]error{}}
	return analyze.NewService(s, e, nil), s, e
}

// fieldsOf returns the field names of an Invalid error with code.
func fieldsOf(t *testing.T, err error, code string) []string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.Code != code {
		t.Fatalf("error %v, want Invalid %s", err, code)
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	return names
}

func TestSubmitStartsTheRunInTheStoreTransaction(t *testing.T) {
	svc, store, eng := newService(t)
	ctx := context.Background()
	store.MockSubmitter.EXPECT().Submit(ctx, analyze.Submission{
		AccountID: accountID, BusinessProfileID: profileID, Username: handle, Type: analysis.XRay, Credits: 3, RequestedBy: userID,
	}, gomock.Any()).DoAndReturn(func(ctx context.Context, s analyze.Submission, start analyze.StartFunc) (analyze.Analysis, error) {
		a := analyze.Analysis{ID: analysisID, AccountID: s.AccountID, Username: s.Username, Type: s.Type}
		return a, start(ctx, a)
	})
	a, err := svc.Submit(ctx, caller, analyze.SubmitInput{Username: "@Fit.With.Ana", BusinessProfileID: strings.ToUpper(profileID), Type: "xray"})
	if err != nil || a.ID != analysisID {
		t.Fatalf("%+v, %v", a, err)
	}
	st, err := eng.Status(ctx, analyze.RunID(analysisID))
	if err != nil || st.Definition != analyze.Workflow || st.Queue != analyze.Queue || eng.partitions[st.ID] != accountID {
		t.Errorf("run %+v, %v, partition %q", st, err, eng.partitions[st.ID])
	}
	if analyze.RunID(analysisID) != "analysis:"+analysisID || a.RunID() != analyze.RunID(analysisID) {
		t.Errorf("run id %s", a.RunID())
	}
}

func TestSubmitValidation(t *testing.T) {
	svc, _, _ := newService(t) // the store refuses any call
	_, err := svc.Submit(context.Background(), caller, analyze.SubmitInput{Username: "a..b", BusinessProfileID: "42", Type: "mega"})
	if got := fieldsOf(t, err, apperr.CodeInvalidRequest); !slices.Equal(got, []string{"username", "type", "business_profile_id"}) {
		t.Errorf("fields %v", got)
	}
}

func TestSubmitBulk(t *testing.T) {
	ctx := context.Background()
	in := func(names ...string) analyze.BulkInput {
		return analyze.BulkInput{Usernames: names, BusinessProfileID: profileID, Type: "light"}
	}
	t.Run("starts one run per handle", func(t *testing.T) {
		svc, store, eng := newService(t)
		store.MockSubmitter.EXPECT().BulkLimit(ctx, accountID).Return(3, nil)
		store.MockSubmitter.EXPECT().SubmitBatch(ctx, analyze.BatchSubmission{
			AccountID: accountID, BusinessProfileID: profileID, Usernames: []string{"ana", "bob", "cy"}, Type: analysis.Light, Credits: 1, RequestedBy: userID,
		}, gomock.Any()).DoAndReturn(func(ctx context.Context, b analyze.BatchSubmission, start analyze.StartFunc) (analyze.Batch, []analyze.Analysis, error) {
			var items []analyze.Analysis
			for i, u := range b.Usernames {
				a := analyze.Analysis{ID: "id-" + string(rune('a'+i)), AccountID: b.AccountID, Username: u}
				if err := start(ctx, a); err != nil {
					return analyze.Batch{}, nil, err
				}
				items = append(items, a)
			}
			return analyze.Batch{ID: batch, Total: len(items)}, items, nil
		})
		b, items, err := svc.SubmitBulk(ctx, caller, in("ana", "@Bob", "instagram.com/cy"))
		if err != nil || b.ID != batch || len(items) != 3 {
			t.Fatalf("%+v %+v %v", b, items, err)
		}
		runs, _ := eng.List(ctx, workflow.Filter{Definition: analyze.Workflow})
		if len(runs) != 3 || eng.partitions["analysis:id-b"] != accountID {
			t.Errorf("runs %+v partitions %v", runs, eng.partitions)
		}
	})
	t.Run("at the limit", func(t *testing.T) {
		svc, store, _ := newService(t)
		store.MockSubmitter.EXPECT().BulkLimit(ctx, accountID).Return(2, nil)
		_, _, err := svc.SubmitBulk(ctx, caller, in("ana", "bob", "cy"))
		if got := fieldsOf(t, err, analyze.CodeBulkLimit); !slices.Equal(got, []string{"usernames"}) || !strings.Contains(apperrFields(err), "at most 2") {
			t.Errorf("fields %v %s", got, apperrFields(err))
		}
	})
	t.Run("duplicates after normalisation", func(t *testing.T) {
		svc, store, _ := newService(t)
		store.MockSubmitter.EXPECT().BulkLimit(ctx, accountID).Return(50, nil)
		_, _, err := svc.SubmitBulk(ctx, caller, in("ana", "bad name", "@ANA", "instagram.com/ana"))
		if got := fieldsOf(t, err, analyze.CodeDuplicateUsernames); !slices.Equal(got, []string{"usernames[1]", "usernames[2]", "usernames[3]"}) ||
			!strings.Contains(apperrFields(err), "repeats usernames[0] (ana)") {
			t.Errorf("fields %v %s", got, apperrFields(err))
		}
	})
	t.Run("invalid handles", func(t *testing.T) {
		svc, store, _ := newService(t)
		store.MockSubmitter.EXPECT().BulkLimit(ctx, accountID).Return(50, nil)
		_, _, err := svc.SubmitBulk(ctx, caller, in("ana", "a..b"))
		if got := fieldsOf(t, err, lead.CodeInvalidUsername); !slices.Equal(got, []string{"usernames[1]"}) {
			t.Errorf("fields %v", got)
		}
	})
	t.Run("refused before the store", func(t *testing.T) {
		svc, _, _ := newService(t)
		if _, _, err := svc.SubmitBulk(ctx, caller, analyze.BulkInput{Usernames: []string{"ana"}, BusinessProfileID: profileID, Type: "huge"}); !slices.Equal(fieldsOf(t, err, apperr.CodeInvalidRequest), []string{"type"}) {
			t.Errorf("%v", err)
		}
		if _, _, err := svc.SubmitBulk(ctx, caller, in()); !slices.Equal(fieldsOf(t, err, apperr.CodeInvalidRequest), []string{"usernames"}) {
			t.Errorf("%v", err)
		}
	})
	t.Run("limit unavailable", func(t *testing.T) {
		svc, store, _ := newService(t)
		down := errors.New("down")
		store.MockSubmitter.EXPECT().BulkLimit(ctx, accountID).Return(0, down)
		if _, _, err := svc.SubmitBulk(ctx, caller, in("ana")); !errors.Is(err, down) {
			t.Errorf("%v", err)
		}
	})
}

func apperrFields(err error) string {
	e, _ := apperr.As(err)
	b, _ := json.Marshal(e.Fields)
	return string(b)
}

func TestReadsRefuseMalformedIDsAndDelegate(t *testing.T) {
	svc, store, _ := newService(t)
	ctx := context.Background()
	for name, call := range map[string]func(id string) error{
		"get":    func(id string) error { _, err := svc.Get(ctx, caller, id); return err },
		"batch":  func(id string) error { _, err := svc.Batch(ctx, caller, id); return err },
		"lead":   func(id string) error { _, err := svc.Lead(ctx, caller, id); return err },
		"delete": func(id string) error { return svc.DeleteLead(ctx, caller, id) },
		"cancel": func(id string) error { _, _, err := svc.CancelBatch(ctx, caller, id); return err },
		"lead analyses": func(id string) error {
			_, err := svc.LeadAnalyses(ctx, caller, id, "", 0)
			return err
		},
	} {
		if err := call("../x"); !errors.Is(err, analyze.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	store.MockReader.EXPECT().Get(ctx, caller, analysisID).Return(analyze.Analysis{ID: analysisID}, nil)
	store.MockReader.EXPECT().DeleteLead(ctx, caller, leadID).Return(nil)
	store.MockReader.EXPECT().Lead(ctx, caller, leadID).Return(analyze.Lead{ID: leadID}, nil)
	store.MockReader.EXPECT().List(ctx, caller, analyze.AnalysisFilter{LeadID: leadID, Cursor: "c", Limit: 7}).Return(analyze.Page[analyze.Analysis]{NextCursor: "d"}, nil)
	if a, err := svc.Get(ctx, caller, strings.ToUpper(analysisID)); err != nil || a.ID != analysisID {
		t.Errorf("get %+v %v", a, err)
	}
	if err := svc.DeleteLead(ctx, caller, leadID); err != nil {
		t.Error(err)
	}
	if p, err := svc.LeadAnalyses(ctx, caller, leadID, "c", 7); err != nil || p.NextCursor != "d" {
		t.Errorf("lead analyses %+v %v", p, err)
	}
}

func TestListFilters(t *testing.T) {
	svc, store, _ := newService(t)
	ctx := context.Background()
	store.MockReader.EXPECT().List(ctx, caller, analyze.AnalysisFilter{Status: analysis.Failed, Type: analysis.Deep, LeadID: leadID, Limit: analyze.DefaultPageSize}).Return(analyze.Page[analyze.Analysis]{}, nil)
	store.MockReader.EXPECT().List(ctx, caller, analyze.AnalysisFilter{Limit: analyze.MaxPageSize}).Return(analyze.Page[analyze.Analysis]{}, nil)
	if _, err := svc.List(ctx, caller, analyze.AnalysisFilter{Status: analysis.Failed, Type: analysis.Deep, LeadID: leadID}); err != nil {
		t.Error(err)
	}
	if _, err := svc.List(ctx, caller, analyze.AnalysisFilter{Limit: analyze.MaxPageSize}); err != nil {
		t.Error(err)
	}
	for _, n := range []int{-1, analyze.MaxPageSize + 1} {
		_, err := svc.List(ctx, caller, analyze.AnalysisFilter{Limit: n})
		if got := fieldsOf(t, err, analyze.CodeInvalidPageSize); !slices.Equal(got, []string{"limit"}) {
			t.Errorf("limit %d: %v", n, got)
		}
	}
	_, err := svc.List(ctx, caller, analyze.AnalysisFilter{Status: "done", Type: "mega", BusinessProfileID: "x", LeadID: "y"})
	if got := fieldsOf(t, err, apperr.CodeInvalidRequest); !slices.Equal(got, []string{"status", "type", "business_profile_id", "lead_id"}) {
		t.Errorf("fields %v", got)
	}
}

func TestLeadsFilters(t *testing.T) {
	svc, store, _ := newService(t)
	ctx := context.Background()
	store.MockReader.EXPECT().Leads(ctx, caller, analyze.LeadFilter{BusinessProfileID: profileID, Sort: analyze.SortLastAnalyzed, Limit: analyze.DefaultPageSize}).Return(analyze.Page[analyze.Lead]{}, nil)
	store.MockReader.EXPECT().Leads(ctx, caller, analyze.LeadFilter{BusinessProfileID: profileID, Sort: analyze.SortScore, Search: "ana", Limit: 1}).Return(analyze.Page[analyze.Lead]{}, nil)
	if _, err := svc.Leads(ctx, caller, analyze.LeadFilter{BusinessProfileID: profileID}); err != nil {
		t.Error(err)
	}
	if _, err := svc.Leads(ctx, caller, analyze.LeadFilter{BusinessProfileID: profileID, Sort: analyze.SortScore, Search: "ana", Limit: 1}); err != nil {
		t.Error(err)
	}
	if _, err := svc.Leads(ctx, caller, analyze.LeadFilter{BusinessProfileID: profileID, Limit: 500}); apperr.CodeOf(err) != analyze.CodeInvalidPageSize {
		t.Errorf("%v", err)
	}
	_, err := svc.Leads(ctx, caller, analyze.LeadFilter{Sort: "newest", Search: strings.Repeat("a", 31)})
	if got := fieldsOf(t, err, apperr.CodeInvalidRequest); !slices.Equal(got, []string{"business_profile_id", "sort", "search"}) {
		t.Errorf("fields %v", got)
	}
}

func TestCancelBatch(t *testing.T) {
	svc, store, eng := newService(t)
	ctx := context.Background()
	view := analyze.BatchView{Batch: analyze.Batch{ID: batch, AccountID: accountID}}
	items := []analyze.Analysis{{ID: "one"}, {ID: "two"}, {ID: "three"}}
	if _, err := eng.Engine.Start(ctx, analyze.Workflow, map[string]string{"analysis_id": "one"}, "analysis:one"); err != nil {
		t.Fatal(err)
	}
	eng.cancelErr["analysis:three"] = errors.New("engine down") // logged, not returned
	after := view
	after.Counts = map[analysis.Status]int{analysis.Cancelled: 3}
	gomock.InOrder(
		store.MockReader.EXPECT().Batch(ctx, caller, batch).Return(view, nil),
		store.MockRunStore.EXPECT().CancelPending(ctx, accountID, batch).Return(items, nil),
		store.MockReader.EXPECT().Batch(ctx, caller, batch).Return(after, nil),
	)
	b, n, err := svc.CancelBatch(ctx, caller, batch)
	if err != nil || n != 3 || b.Counts[analysis.Cancelled] != 3 {
		t.Fatalf("%+v %d %v", b, n, err)
	}
	// Every cancelled item's run is cancelled (the second never existed in the engine: fine).
	if !slices.Equal(eng.cancelled, []string{"analysis:one", "analysis:two", "analysis:three"}) {
		t.Errorf("cancelled %v", eng.cancelled)
	}
	if st, _ := eng.Status(ctx, "analysis:one"); st.State != workflow.StateCancelled {
		t.Errorf("run %+v", st)
	}

	down := errors.New("down")
	store.MockReader.EXPECT().Batch(ctx, caller, batch).Return(view, nil)
	store.MockRunStore.EXPECT().CancelPending(ctx, accountID, batch).Return(nil, down)
	if _, _, err := svc.CancelBatch(ctx, caller, batch); !errors.Is(err, down) {
		t.Errorf("%v", err)
	}
}

func TestDuplicateError(t *testing.T) {
	err := error(&analyze.DuplicateError{Existing: map[string]string{"ana": analysisID}})
	if !errors.Is(err, analyze.ErrDuplicate) || apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "ana") {
		t.Errorf("%v", err)
	}
}

func TestActiveAsksForAtMostMaxActive(t *testing.T) {
	svc, s, _ := newService(t)
	p := tenant.Principal{AccountID: "acc"}
	want := []analyze.Analysis{{ID: "a1", Status: analysis.Running, Progress: 35}}
	s.MockReader.EXPECT().Active(gomock.Any(), p, analyze.MaxActive).Return(want, nil)
	got, err := svc.Active(t.Context(), p)
	if err != nil || len(got) != 1 || got[0].ID != "a1" {
		t.Errorf("Active = %v, %v", got, err)
	}
}
