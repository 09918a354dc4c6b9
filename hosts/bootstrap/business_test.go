package bootstrap

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/aimock"
	"github.com/oslira/oslira/adapters/mock/businessmock"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// runContext runs business.context.v1 built by businessContextDefinition once and returns the
// run's status.
func runContext(t *testing.T, p businessContextParams) workflow.Status {
	t.Helper()
	def := businessContextDefinition(p)
	if def.Name != business.ContextWorkflow {
		t.Fatalf("definition %q", def.Name)
	}
	e := workflowtest.New([]workflow.Definition{def})
	id, err := e.Start(context.Background(), def.Name, map[string]any{
		"account_id": "0a1b2c3d-1111-4222-8333-944455556666", "profile_id": "8f2b3c4d-1111-4222-8333-944455556666",
		"context": map[string]any{"BusinessName": "Acme"},
	}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	e.Drain(context.Background())
	st, err := e.Status(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBusinessContextDefinitionWritesThroughTheLLM(t *testing.T) {
	ctrl := gomock.NewController(t)
	store := businessmock.NewMockContextStore(ctrl)
	llm := aimock.NewMockLLM(ctrl)
	llm.EXPECT().Complete(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, r ai.Request) (ai.Response, error) {
		if r.Schema.Name == ai.SchemaBusinessOneLiner {
			return ai.Response{JSON: []byte(`{"one_liner": "Acme lifts."}`), Model: "offline"}, nil
		}
		return ai.Response{JSON: []byte(`{"summary": "A. B. C. D."}`), Model: "offline"}, nil
	}).Times(2)
	store.EXPECT().SaveContext(gomock.Any(), gomock.Any(), gomock.Any(), "r1",
		business.Written{OneLiner: "Acme lifts.", Summary: "A. B. C. D.", Model: "offline"}).Return(true, nil)
	if st := runContext(t, businessContextParams{Store: store, LLM: llm}); st.State != workflow.StateSucceeded {
		t.Errorf("run %+v", st)
	}
}

func TestBusinessContextDefinitionWithoutLLMRefuses(t *testing.T) {
	ctrl := gomock.NewController(t)
	store := businessmock.NewMockContextStore(ctrl)
	store.EXPECT().MarkContextFailed(gomock.Any(), gomock.Any(), gomock.Any(), "r1", gomock.Any()).Return(true, nil)
	st := runContext(t, businessContextParams{Store: store})
	if st.State != workflow.StateFailed || !strings.Contains(st.Error, "no LLM module") {
		t.Errorf("run %+v", st)
	}
	if _, err := (noLLM{}).OneLiner(context.Background(), "", business.Context{}); !errors.Is(err, errNoLLM) || !workflow.IsPermanent(err) {
		t.Errorf("OneLiner without an LLM: %v", err)
	}
}
