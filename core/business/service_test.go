package business_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/businessmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

const (
	profileID = "8f2b3c4d-1111-4222-8333-944455556666"
	accountID = "0a1b2c3d-1111-4222-8333-944455556666"
)

var caller = tenant.Principal{UserID: "5e6f7a8b-1111-4222-8333-944455556666", AccountID: accountID}

var errDown = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "down")

func TestServiceCRUD(t *testing.T) {
	ctx := context.Background()
	ctrl := gomock.NewController(t)
	store := businessmock.NewMockStore(ctrl)
	svc := business.NewService(store, nil)

	// Create normalises before storing, and stores nothing invalid.
	stored := business.Profile{ID: profileID}
	store.EXPECT().Create(ctx, caller, gomock.Cond(func(c business.Context) bool { return c.BusinessName == "Acme" })).Return(stored, nil)
	if got, err := svc.Create(ctx, caller, business.Context{BusinessName: " Acme "}); err != nil || got.ID != profileID {
		t.Errorf("Create = %+v, %v", got, err)
	}
	if _, err := svc.Create(ctx, caller, business.Context{}); apperr.CodeOf(err) != business.CodeInvalidProfile {
		t.Errorf("Create without a name: %v", err)
	}

	// Ids are canonicalised; a non-UUID is NotFound without a store call.
	store.EXPECT().Get(ctx, caller, profileID).Return(stored, nil)
	if got, err := svc.Get(ctx, caller, "8F2B3C4D-1111-4222-8333-944455556666"); err != nil || got.ID != profileID {
		t.Errorf("Get = %+v, %v", got, err)
	}
	for name, call := range map[string]func() error{
		"get":      func() error { _, err := svc.Get(ctx, caller, "nope"); return err },
		"update":   func() error { _, err := svc.Update(ctx, caller, "nope", business.Patch{}); return err },
		"delete":   func() error { return svc.Delete(ctx, caller, "nope") },
		"generate": func() error { _, err := svc.GenerateContext(ctx, caller, "nope"); return err },
		"status":   func() error { _, err := svc.ContextStatus(ctx, caller, "nope"); return err },
	} {
		if err := call(); !errors.Is(err, business.ErrNotFound) {
			t.Errorf("%s of a malformed id: %v", name, err)
		}
	}

	// List: 0 is the default size, the bounds are enforced.
	store.EXPECT().List(ctx, caller, business.ListFilter{Cursor: "c", Limit: business.DefaultPageSize}).Return(business.Page{NextCursor: "n"}, nil)
	if page, err := svc.List(ctx, caller, "c", 0); err != nil || page.NextCursor != "n" {
		t.Errorf("List = %+v, %v", page, err)
	}
	store.EXPECT().List(ctx, caller, business.ListFilter{Limit: business.MaxPageSize}).Return(business.Page{}, nil)
	if _, err := svc.List(ctx, caller, "", business.MaxPageSize); err != nil {
		t.Errorf("List at the maximum: %v", err)
	}
	for _, n := range []int{-1, business.MaxPageSize + 1} {
		if _, err := svc.List(ctx, caller, "", n); apperr.CodeOf(err) != business.CodeInvalidPageSize {
			t.Errorf("List(%d): %v", n, err)
		}
	}

	// Update hands the store a change that applies the patch and validates the result.
	var change func(business.Profile) (business.Context, error)
	store.EXPECT().Update(ctx, caller, profileID, gomock.Any()).DoAndReturn(
		func(_ context.Context, _ tenant.Principal, _ string, fn func(business.Profile) (business.Context, error)) (business.Profile, error) {
			change = fn
			return stored, nil
		})
	if _, err := svc.Update(ctx, caller, profileID, business.Patch{Tone: business.To(business.ToneCasual)}); err != nil {
		t.Fatal(err)
	}
	got, err := change(business.Profile{Context: business.Context{BusinessName: "Acme", Tone: business.ToneFriendly}})
	if err != nil || got.Tone != business.ToneCasual || got.BusinessName != "Acme" {
		t.Errorf("change = %+v, %v", got, err)
	}
	if _, err := change(business.Profile{}); apperr.CodeOf(err) != business.CodeInvalidProfile {
		t.Errorf("change of a nameless profile: %v", err)
	}

	store.EXPECT().Delete(ctx, caller, profileID).Return(nil)
	if err := svc.Delete(ctx, caller, profileID); err != nil {
		t.Error(err)
	}
}

// fixedTexts is a ContextWriter that always answers.
type fixedTexts struct{}

func (fixedTexts) OneLiner(context.Context, string, business.Context) (business.Text, error) {
	return business.Text{Text: "One line.", Model: "m"}, nil
}

func (fixedTexts) Summary(context.Context, string, business.Context) (business.Text, error) {
	return business.Text{Text: "A. B. C. D.", Model: "m"}, nil
}

// statusEngine overrides Status of an engine.
type statusEngine struct {
	workflow.Engine
	status func(id string) (workflow.Status, error)
}

func (e statusEngine) Status(_ context.Context, id string) (workflow.Status, error) {
	return e.status(id)
}

func TestGenerateContext(t *testing.T) {
	ctx := context.Background()
	ctrl := gomock.NewController(t)
	store := businessmock.NewMockStore(ctrl)
	saver := businessmock.NewMockContextStore(ctrl)
	engine := workflowtest.New([]workflow.Definition{business.ContextDefinition(fixedTexts{}, saver)})
	svc := business.NewService(store, engine)
	prof := business.Profile{ID: profileID, AccountID: accountID, Context: business.Context{BusinessName: "Acme"},
		Onboarding: business.Onboarding{Status: business.OnboardingCompleted, RunID: business.ContextRunID(profileID, 2), Generation: 2}}
	run3 := business.ContextRunID(profileID, 3)

	// After a finished generation: mark generation 3 running, start its run.
	store.EXPECT().Get(ctx, caller, profileID).Return(prof, nil)
	store.EXPECT().MarkContextRunning(ctx, caller, profileID, 2, run3).Return(true, nil)
	r, err := svc.GenerateContext(ctx, caller, profileID)
	if err != nil || r.RunID != run3 || r.Status != business.OnboardingRunning || r.State != workflow.StateEnqueued || r.ProfileID != profileID {
		t.Fatalf("GenerateContext = %+v, %v", r, err)
	}
	if st, err := engine.Status(ctx, run3); err != nil || st.Definition != business.ContextWorkflow || st.Queue != business.ContextQueue {
		t.Errorf("run %+v, %v", st, err)
	}

	// While it is enqueued, a second request returns it and starts nothing.
	running := prof
	running.Onboarding = business.Onboarding{Status: business.OnboardingRunning, RunID: run3, Generation: 3}
	store.EXPECT().Get(ctx, caller, profileID).Return(running, nil)
	if r, err := svc.GenerateContext(ctx, caller, profileID); err != nil || r.RunID != run3 || r.State != workflow.StateEnqueued {
		t.Errorf("second request = %+v, %v", r, err)
	}

	// A run marked running whose start was lost is started again under its id.
	lost := running
	lost.Onboarding.RunID, lost.Onboarding.Generation = business.ContextRunID(profileID, 9), 9
	store.EXPECT().Get(ctx, caller, profileID).Return(lost, nil)
	if r, err := svc.GenerateContext(ctx, caller, profileID); err != nil || r.RunID != lost.Onboarding.RunID {
		t.Errorf("lost start = %+v, %v", r, err)
	}
	if _, err := engine.Status(ctx, lost.Onboarding.RunID); err != nil {
		t.Errorf("the lost run was not started: %v", err)
	}

	// A running generation whose run ended (cancelled): the next generation starts.
	if err := engine.Cancel(ctx, run3); err != nil {
		t.Fatal(err)
	}
	run4 := business.ContextRunID(profileID, 4)
	store.EXPECT().Get(ctx, caller, profileID).Return(running, nil)
	store.EXPECT().MarkContextRunning(ctx, caller, profileID, 3, run4).Return(true, nil)
	if r, err := svc.GenerateContext(ctx, caller, profileID); err != nil || r.RunID != run4 {
		t.Errorf("after a cancelled run = %+v, %v", r, err)
	}

	// Another request marked first: report its run instead.
	store.EXPECT().Get(ctx, caller, profileID).Return(prof, nil)
	store.EXPECT().MarkContextRunning(ctx, caller, profileID, 2, run3).Return(false, nil)
	winner := running
	winner.Onboarding.RunID, winner.Onboarding.Generation = run4, 4
	store.EXPECT().Get(ctx, caller, profileID).Return(winner, nil)
	if r, err := svc.GenerateContext(ctx, caller, profileID); err != nil || r.RunID != run4 || r.Status != business.OnboardingRunning || r.State != workflow.StateEnqueued {
		t.Errorf("lost the race = %+v, %v", r, err)
	}

	// Failures pass through.
	store.EXPECT().Get(ctx, caller, profileID).Return(business.Profile{}, errDown)
	if _, err := svc.GenerateContext(ctx, caller, profileID); !errors.Is(err, errDown) {
		t.Errorf("get failure: %v", err)
	}
	store.EXPECT().Get(ctx, caller, profileID).Return(prof, nil)
	store.EXPECT().MarkContextRunning(ctx, caller, profileID, 2, run3).Return(false, errDown)
	if _, err := svc.GenerateContext(ctx, caller, profileID); !errors.Is(err, errDown) {
		t.Errorf("mark failure: %v", err)
	}
	broken := business.NewService(store, statusEngine{Engine: engine, status: func(string) (workflow.Status, error) { return workflow.Status{}, errDown }})
	store.EXPECT().Get(ctx, caller, profileID).Return(running, nil)
	if _, err := broken.GenerateContext(ctx, caller, profileID); !errors.Is(err, errDown) {
		t.Errorf("status failure: %v", err)
	}
	noDef := business.NewService(store, workflowtest.New(nil))
	store.EXPECT().Get(ctx, caller, profileID).Return(prof, nil)
	store.EXPECT().MarkContextRunning(ctx, caller, profileID, 2, run3).Return(true, nil)
	if _, err := noDef.GenerateContext(ctx, caller, profileID); !errors.Is(err, workflow.ErrUnknownDefinition) {
		t.Errorf("start failure: %v", err)
	}
}

func TestContextStatus(t *testing.T) {
	ctx := context.Background()
	ctrl := gomock.NewController(t)
	store := businessmock.NewMockStore(ctrl)
	states := map[string]workflow.Status{}
	engine := statusEngine{status: func(id string) (workflow.Status, error) {
		if st, ok := states[id]; ok {
			return st, nil
		}
		if id == "broken" {
			return workflow.Status{}, errDown
		}
		return workflow.Status{}, workflow.ErrNotFound
	}}
	svc := business.NewService(store, engine)
	base := business.Profile{ID: profileID, Context: business.Context{OneLiner: "one", Summary: "sum"}}
	with := func(o business.Onboarding) business.Profile { p := base; p.Onboarding = o; return p }

	states["ok"] = workflow.Status{State: workflow.StateSucceeded}
	states["failed"] = workflow.Status{State: workflow.StateFailed, ErrorCode: "ai.refused"}
	states["cancelled"] = workflow.Status{State: workflow.StateCancelled}
	states["running"] = workflow.Status{State: workflow.StateRunning}
	for _, tc := range []struct {
		name      string
		o         business.Onboarding
		status    business.OnboardingStatus
		state     workflow.State
		errorCode string
	}{
		{"never", business.Onboarding{Status: business.OnboardingNotStarted}, business.OnboardingNotStarted, "", ""},
		{"completed", business.Onboarding{Status: business.OnboardingCompleted, RunID: "ok"}, business.OnboardingCompleted, workflow.StateSucceeded, ""},
		{"running", business.Onboarding{Status: business.OnboardingRunning, RunID: "running"}, business.OnboardingRunning, workflow.StateRunning, ""},
		{"run failed before marking", business.Onboarding{Status: business.OnboardingRunning, RunID: "failed"}, business.OnboardingFailed, workflow.StateFailed, "ai.refused"},
		{"run cancelled", business.Onboarding{Status: business.OnboardingRunning, RunID: "cancelled"}, business.OnboardingFailed, workflow.StateCancelled, business.CodeContextFailed},
		{"marked failed", business.Onboarding{Status: business.OnboardingFailed, RunID: "failed", ErrorCode: "x"}, business.OnboardingFailed, workflow.StateFailed, "x"},
		{"run deleted by retention", business.Onboarding{Status: business.OnboardingCompleted, RunID: "gone"}, business.OnboardingCompleted, "", ""},
	} {
		store.EXPECT().Get(ctx, caller, profileID).Return(with(tc.o), nil)
		r, err := svc.ContextStatus(ctx, caller, profileID)
		if err != nil || r.Status != tc.status || r.State != tc.state || r.ErrorCode != tc.errorCode || r.OneLiner != "one" || r.Summary != "sum" || r.RunID != tc.o.RunID {
			t.Errorf("%s: %+v, %v", tc.name, r, err)
		}
	}
	store.EXPECT().Get(ctx, caller, profileID).Return(with(business.Onboarding{RunID: "broken"}), nil)
	if _, err := svc.ContextStatus(ctx, caller, profileID); !errors.Is(err, errDown) {
		t.Errorf("engine failure: %v", err)
	}
}
