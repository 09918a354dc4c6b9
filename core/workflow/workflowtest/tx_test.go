package workflowtest_test

import (
	"context"
	"testing"

	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

// TestTransactionStartsEveryDistinctRunOnce: one transaction that starts several runs (and one of
// them twice) creates each distinct run exactly once at commit.
func TestTransactionStartsEveryDistinctRunOnce(t *testing.T) {
	t.Parallel()
	_, def := newPipeline()
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	err := e.InTx(ctx, func(ctx context.Context) error {
		for _, id := range []string{"first", "second", "first", "third"} {
			if _, err := e.Start(ctx, def.Name, nil, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	runs, err := e.List(ctx, workflow.Filter{})
	if err != nil || len(runs) != 3 {
		t.Fatalf("List = %d runs, %v; want first, second and third", len(runs), err)
	}
	for _, id := range []string{"first", "second", "third"} {
		if st, err := e.Status(ctx, id); err != nil || st.State != workflow.StateEnqueued {
			t.Errorf("run %s: %+v, %v; want it enqueued", id, st, err)
		}
	}
}
