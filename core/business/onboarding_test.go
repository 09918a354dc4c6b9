package business_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/businessmock"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// flakyWriter fails each half a given number of times with a retryable error, then answers;
// it counts the calls of each half.
type flakyWriter struct {
	linerFails, summaryFails int64
	liner, summary           atomic.Int64
	summaryErr               error // returned for good by Summary when set
}

func (w *flakyWriter) OneLiner(_ context.Context, acct string, c business.Context) (business.Text, error) {
	if w.liner.Add(1) <= w.linerFails {
		return business.Text{}, errDown
	}
	return business.Text{Text: "  " + c.BusinessName + " trains   founders for " + acct[:4] + ". ", Model: "m1", Provider: "p", CostMicros: 7}, nil
}

func (w *flakyWriter) Summary(_ context.Context, _ string, c business.Context) (business.Text, error) {
	if w.summaryErr != nil {
		return business.Text{}, w.summaryErr
	}
	if w.summary.Add(1) <= w.summaryFails {
		return business.Text{}, errDown
	}
	return business.Text{Text: "One. Two! Three? Four. Five.", Model: "m2", CostMicros: 5}, nil
}

// startRun starts a generation's run on engine with the service (store mocked).
func startRun(t *testing.T, engine workflow.Engine, ctrl *gomock.Controller) string {
	t.Helper()
	ctx := context.Background()
	store := businessmock.NewMockStore(ctrl)
	prof := business.Profile{ID: profileID, AccountID: accountID, Context: business.Context{BusinessName: "Acme"},
		Onboarding: business.Onboarding{Status: business.OnboardingNotStarted}}
	store.EXPECT().Get(ctx, caller, profileID).Return(prof, nil)
	store.EXPECT().MarkContextRunning(ctx, caller, profileID, 0, business.ContextRunID(profileID, 1)).Return(true, nil)
	r, err := business.NewService(store, engine).GenerateContext(ctx, caller, profileID)
	if err != nil {
		t.Fatal(err)
	}
	return r.RunID
}

func TestContextWorkflowWritesInParallelAndSaves(t *testing.T) {
	ctrl := gomock.NewController(t)
	saver := businessmock.NewMockContextStore(ctrl)
	w := &flakyWriter{summaryFails: 2}
	engine := workflowtest.New([]workflow.Definition{business.ContextDefinition(w, saver)})
	id := startRun(t, engine, ctrl)

	want := business.Written{OneLiner: "Acme trains founders for 0a1b.", Summary: "One. Two! Three? Four.", Model: "m1,m2", CostMicros: 12}
	saver.EXPECT().SaveContext(gomock.Any(), accountID, profileID, id, want).Return(true, nil)
	engine.Drain(context.Background())

	st, err := engine.Status(context.Background(), id)
	if err != nil || st.State != workflow.StateSucceeded {
		t.Fatalf("run %+v, %v", st, err)
	}
	var out struct {
		OneLiner string `json:"one_liner"`
		Saved    bool   `json:"saved"`
	}
	if err := json.Unmarshal(st.Output, &out); err != nil || out.OneLiner != want.OneLiner || !out.Saved {
		t.Errorf("output %s", st.Output)
	}
	// The summary failed twice and was retried; the one-liner, which succeeded at once, was not
	// asked again.
	if w.liner.Load() != 1 || w.summary.Load() != 3 || engine.Calls(id, "write") != 3 {
		t.Errorf("one-liner calls %d, summary calls %d, write attempts %d; want 1, 3, 3", w.liner.Load(), w.summary.Load(), engine.Calls(id, "write"))
	}
	if got := engine.Checkpoints(id); !slices.Equal(got, []string{"write", "save"}) {
		t.Errorf("steps %v", got)
	}
	var steps []string
	for _, p := range engine.ProgressOf(id) {
		steps = append(steps, p.Step)
		if p.Total != 2 {
			t.Errorf("progress %+v", p)
		}
	}
	if !slices.Equal(steps, []string{"write", "save", "done"}) {
		t.Errorf("progress steps %v", steps)
	}
}

func TestContextWorkflowFailureMarksTheProfile(t *testing.T) {
	ctrl := gomock.NewController(t)
	saver := businessmock.NewMockContextStore(ctrl)
	refused := apperr.New(apperr.Internal, "ai.refused", "internal error")
	w := &flakyWriter{summaryErr: refused}
	engine := workflowtest.New([]workflow.Definition{business.ContextDefinition(w, saver)})
	id := startRun(t, engine, ctrl)

	saver.EXPECT().MarkContextFailed(gomock.Any(), accountID, profileID, id, "ai.refused").Return(true, nil)
	engine.Drain(context.Background())
	st, _ := engine.Status(context.Background(), id)
	if st.State != workflow.StateFailed || st.ErrorCode != "ai.refused" {
		t.Errorf("run %+v", st)
	}
	if got := engine.Checkpoints(id); !slices.Equal(got, []string{"write", "mark_failed"}) {
		t.Errorf("steps %v", got)
	}
}

func TestContextWorkflowSaveFailureAndBadInput(t *testing.T) {
	ctrl := gomock.NewController(t)
	saver := businessmock.NewMockContextStore(ctrl)
	def := business.ContextDefinition(&flakyWriter{}, saver)
	engine := workflowtest.New([]workflow.Definition{def})
	id := startRun(t, engine, ctrl)
	bug := errors.New("bug")
	saver.EXPECT().SaveContext(gomock.Any(), accountID, profileID, id, gomock.Any()).Return(false, bug)
	engine.Drain(context.Background())
	if st, _ := engine.Status(context.Background(), id); st.State != workflow.StateFailed {
		t.Errorf("a failing save: %+v", st)
	}

	if _, err := engine.Start(context.Background(), business.ContextWorkflow, []byte(`[1]`), "bad-input"); err != nil {
		t.Fatal(err)
	}
	engine.Drain(context.Background())
	if st, _ := engine.Status(context.Background(), "bad-input"); st.State != workflow.StateFailed || st.ErrorCode != apperr.CodeInvalidRequest {
		t.Errorf("undecodable input: %+v", st)
	}
}

func TestWriteContextHoldsTheRules(t *testing.T) {
	long := strings.Repeat("word ", 40) // 200 characters
	w, err := business.WriteContext(business.Text{Text: long, Model: "m"}, business.Text{Text: "Only one sentence without end", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(w.OneLiner); n > business.MaxOneLinerLength || !strings.HasSuffix(w.OneLiner, "word…") || w.Model != "m" {
		t.Errorf("one-liner %q (%d characters), model %q", w.OneLiner, n, w.Model)
	}
	if w.Summary != "Only one sentence without end" {
		t.Errorf("summary %q", w.Summary)
	}
	// Exactly the limit is kept whole; one more is cut (a single long word is cut inside).
	exact := strings.Repeat("x", business.MaxOneLinerLength)
	if w, _ := business.WriteContext(business.Text{Text: exact}, business.Text{Text: "s"}); w.OneLiner != exact {
		t.Errorf("140 characters were changed: %q", w.OneLiner)
	}
	if w, _ := business.WriteContext(business.Text{Text: exact + "y"}, business.Text{Text: "s"}); w.OneLiner != strings.Repeat("x", 139)+"…" {
		t.Errorf("141 characters: %q", w.OneLiner)
	}
	if w, _ := business.WriteContext(business.Text{Text: strings.Repeat("ab, ", 50)}, business.Text{Text: "s"}); strings.Contains(w.OneLiner, ",…") {
		t.Errorf("trailing punctuation kept before the ellipsis: %q", w.OneLiner)
	}
	longSummary := strings.Repeat("z", business.MaxSummaryLength+10)
	if w, _ := business.WriteContext(business.Text{Text: "x"}, business.Text{Text: longSummary}); utf8.RuneCountInString(w.Summary) != business.MaxSummaryLength {
		t.Errorf("summary of %d characters", utf8.RuneCountInString(w.Summary))
	}
	for _, pair := range [][2]string{{" ", "s"}, {"x", "\n"}} {
		_, err := business.WriteContext(business.Text{Text: pair[0]}, business.Text{Text: pair[1]})
		if apperr.CodeOf(err) != business.CodeContextFailed || !apperr.KindOf(err).Retryable() {
			t.Errorf("empty text %q: %v, want a retryable %s", pair, err, business.CodeContextFailed)
		}
	}
}
