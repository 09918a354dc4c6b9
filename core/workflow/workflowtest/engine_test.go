package workflowtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/workflow"
	"github.com/oslira/oslira/core/workflow/workflowtest"
)

var (
	errDown     = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "provider down")
	errBusiness = apperr.New(apperr.PaymentRequired, "credits.insufficient", "not enough credits")
)

// pipeline is a three-step definition whose steps do what the test's hooks say.
type pipeline struct {
	mu    sync.Mutex
	hooks map[string]func(ctx context.Context) ([]byte, error)
}

func (p *pipeline) set(step string, fn func(ctx context.Context) ([]byte, error)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hooks[step] = fn
}

func (p *pipeline) hook(step string) func(ctx context.Context) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if fn := p.hooks[step]; fn != nil {
		return fn
	}
	return func(context.Context) ([]byte, error) { return []byte(`"` + step + `"`), nil }
}

func newPipeline() (*pipeline, workflow.Definition) {
	p := &pipeline{hooks: map[string]func(ctx context.Context) ([]byte, error){}}
	def := workflow.Definition{Name: "test.pipeline.v1", Queue: "test", Body: func(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
		var parts []string
		for _, step := range []string{"fetch", "charge", "finish"} {
			_ = run.Progress(ctx, workflow.Progress{Step: step, Total: 3})
			out, err := run.Step(ctx, step, workflow.Standard, p.hook(step))
			if err != nil {
				return nil, err
			}
			parts = append(parts, string(out))
		}
		return json.Marshal(map[string]any{"input": json.RawMessage(input), "parts": parts})
	}}
	return p, def
}

func TestRunSucceedsAndIsIdempotentByID(t *testing.T) {
	t.Parallel()
	_, def := newPipeline()
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	id, err := e.Start(ctx, def.Name, map[string]int{"n": 1}, "run-1")
	if err != nil || id != "run-1" {
		t.Fatalf("Start = %q, %v", id, err)
	}
	if _, err := e.Start(ctx, def.Name, map[string]int{"n": 2}, "run-1"); err != nil {
		t.Fatalf("second Start: %v", err)
	}
	if st, _ := e.Status(ctx, id); st.State != workflow.StateEnqueued || st.Queue != "test" {
		t.Fatalf("before Drain: %+v", st)
	}
	if n := e.Drain(ctx); n != 1 {
		t.Fatalf("Drain executed %d runs, want 1 (one run per id)", n)
	}
	st, err := e.Status(ctx, id)
	if err != nil || st.State != workflow.StateSucceeded || st.Attempts != 1 {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	if string(st.Output) != `{"input":{"n":1},"parts":["\"fetch\"","\"charge\"","\"finish\""]}` {
		t.Errorf("output = %s (the first input wins)", st.Output)
	}
	if got := e.Checkpoints(id); !slices.Equal(got, []string{"fetch", "charge", "finish"}) {
		t.Errorf("checkpoints = %v", got)
	}
	if len(e.ProgressOf(id)) != 3 {
		t.Errorf("progress = %v", e.ProgressOf(id))
	}
	if _, err := e.Status(ctx, "nope"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := e.Start(ctx, "nope", nil, ""); !errors.Is(err, workflow.ErrUnknownDefinition) {
		t.Errorf("unknown definition: %v", err)
	}
	if _, err := e.Start(ctx, def.Name, []byte("not json"), ""); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("non-JSON input: %v", err)
	}
}

func TestCrashAndRecoverReusesCheckpoints(t *testing.T) {
	t.Parallel()
	p, def := newPipeline()
	crash := true
	p.set("charge", func(context.Context) ([]byte, error) {
		if crash {
			crash = false
			return nil, workflowtest.ErrCrash
		}
		return []byte(`"charged"`), nil
	})
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	id, _ := e.Start(ctx, def.Name, nil, "")
	e.Drain(ctx)
	if st, _ := e.Status(ctx, id); st.State != workflow.StateRunning {
		t.Fatalf("after the crash: %s, want running", st.State)
	}
	if got := e.Checkpoints(id); !slices.Equal(got, []string{"fetch"}) {
		t.Fatalf("checkpoints after the crash = %v, want only fetch", got)
	}
	if n := e.Recover(ctx); n != 1 {
		t.Fatalf("Recover = %d, want 1", n)
	}
	st, _ := e.Status(ctx, id)
	if st.State != workflow.StateSucceeded || st.Attempts != 2 {
		t.Fatalf("after Recover: %+v", st)
	}
	counts := []int{e.Calls(id, "fetch"), e.Calls(id, "charge"), e.Calls(id, "finish")}
	if !slices.Equal(counts, []int{1, 2, 1}) {
		t.Errorf("calls fetch/charge/finish = %v, want [1 2 1]", counts)
	}
}

func TestCrashByPanic(t *testing.T) {
	t.Parallel()
	p, def := newPipeline()
	p.set("fetch", func(context.Context) ([]byte, error) { panic(workflowtest.ErrCrash) })
	e := workflowtest.New([]workflow.Definition{def})
	id, _ := e.Start(t.Context(), def.Name, nil, "")
	e.Drain(t.Context())
	if st, _ := e.Status(t.Context(), id); st.State != workflow.StateRunning || len(e.Checkpoints(id)) != 0 {
		t.Errorf("panic(ErrCrash): state %s, checkpoints %v", st.State, e.Checkpoints(id))
	}
}

func TestRetriesFollowThePolicy(t *testing.T) {
	t.Parallel()
	p, def := newPipeline()
	p.set("fetch", func(context.Context) ([]byte, error) { return nil, errDown })
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	id, _ := e.Start(ctx, def.Name, nil, "")
	e.Drain(ctx)
	st, _ := e.Status(ctx, id)
	if st.State != workflow.StateFailed || st.ErrorCode != apperr.CodeUnavailable {
		t.Fatalf("status = %+v", st)
	}
	if n := e.Calls(id, "fetch"); n != workflow.Standard.MaxAttempts {
		t.Errorf("transient step ran %d times, want %d", n, workflow.Standard.MaxAttempts)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}
	if got := e.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	if err := e.Resume(ctx, id); !errors.Is(err, workflow.ErrNotResumable) {
		t.Errorf("Resume(failed) = %v", err)
	}
}

func TestInjectedSleeperAndJitter(t *testing.T) {
	t.Parallel()
	p, def := newPipeline()
	p.set("fetch", func(context.Context) ([]byte, error) { return nil, errDown })
	var waits []time.Duration
	sleeper := func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	e := workflowtest.New([]workflow.Definition{def},
		workflowtest.WithSleeper(sleeper), workflowtest.WithJitter(func() float64 { return 0 }))
	id, _ := e.Start(t.Context(), def.Name, nil, "")
	e.Drain(t.Context())
	// Jitter 0 waits half of each nominal wait (10 s, 20 s, 40 s, 80 s), through our sleeper.
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	if !slices.Equal(waits, want) {
		t.Errorf("injected sleeper saw %v, want %v", waits, want)
	}
	if len(e.Sleeps()) != 0 {
		t.Errorf("the default sleeper must be replaced, yet it recorded %v", e.Sleeps())
	}
	if n := e.Calls(id, "fetch"); n != workflow.Standard.MaxAttempts {
		t.Errorf("fetch ran %d times, want %d", n, workflow.Standard.MaxAttempts)
	}
}

func TestPermanentErrorRunsOnceAndSurvivesReplay(t *testing.T) {
	t.Parallel()
	p, def := newPipeline()
	p.set("charge", func(context.Context) ([]byte, error) { return nil, errBusiness })
	// The body compensates on a business error, then fails; replay must see the same error.
	var seen []error
	body := def.Body
	def.Body = func(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
		out, err := body(ctx, run, input)
		seen = append(seen, err)
		return out, err
	}
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	id, _ := e.Start(ctx, def.Name, nil, "")
	e.Drain(ctx)
	if n := e.Calls(id, "charge"); n != 1 {
		t.Errorf("permanent step ran %d times, want 1", n)
	}
	if len(e.Sleeps()) != 0 {
		t.Errorf("a permanent error must not wait: %v", e.Sleeps())
	}
	st, _ := e.Status(ctx, id)
	if st.State != workflow.StateFailed || st.ErrorCode != "credits.insufficient" {
		t.Fatalf("status = %+v", st)
	}
	err := seen[0]
	if !errors.Is(err, errBusiness) || !workflow.IsPermanent(err) || apperr.KindOf(err) != apperr.PaymentRequired {
		t.Errorf("body saw %v", err)
	}
}

func TestTransactionsBufferStarts(t *testing.T) {
	t.Parallel()
	_, def := newPipeline()
	e := workflowtest.New([]workflow.Definition{def}, workflowtest.AutoRun())
	ctx := t.Context()
	errRollback := errors.New("rollback")
	err := e.InTx(ctx, func(ctx context.Context) error {
		if _, err := e.Start(ctx, def.Name, nil, "rolled-back"); err != nil {
			return err
		}
		if _, err := e.Status(ctx, "rolled-back"); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("a run started in an open transaction is visible: %v", err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v", err)
	}
	if _, err := e.Status(ctx, "rolled-back"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("rolled back start exists: %v", err)
	}
	err = e.InTx(ctx, func(ctx context.Context) error {
		for range 2 {
			if _, err := e.Start(ctx, def.Name, nil, "committed"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	st, _ := e.Status(ctx, "committed")
	if st.State != workflow.StateSucceeded || st.Attempts != 1 {
		t.Errorf("committed start: %+v", st)
	}
	// A transaction of another engine (or any foreign type) is refused, never ignored.
	other := workflowtest.New([]workflow.Definition{def})
	foreignCtx, tx := other.Begin(ctx)
	if _, err := e.Start(foreignCtx, def.Name, nil, ""); !errors.Is(err, workflow.ErrTxNotSupported) {
		t.Errorf("foreign tx: %v", err)
	}
	_ = tx.Rollback()
	if _, err := e.Start(workflow.WithTx(ctx, "not a tx"), def.Name, nil, ""); !errors.Is(err, workflow.ErrTxNotSupported) {
		t.Errorf("foreign tx type: %v", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, workflowtest.ErrTxDone) {
		t.Errorf("Commit after Rollback = %v", err)
	}
}

func TestCancelAndResume(t *testing.T) {
	t.Parallel()
	p, def := newPipeline()
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	// Cancelled while running: the step in flight completes but is not recorded.
	id, _ := e.Start(ctx, def.Name, nil, "")
	p.set("charge", func(ctx context.Context) ([]byte, error) {
		if err := e.Cancel(ctx, id); err != nil {
			t.Errorf("Cancel: %v", err)
		}
		return []byte(`"charged"`), nil
	})
	e.Drain(ctx)
	if st, _ := e.Status(ctx, id); st.State != workflow.StateCancelled {
		t.Fatalf("state = %s, want cancelled", st.State)
	}
	if got := e.Checkpoints(id); !slices.Equal(got, []string{"fetch"}) {
		t.Errorf("checkpoints = %v, want only fetch", got)
	}
	p.set("charge", nil)
	if err := e.Resume(ctx, id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	e.Drain(ctx)
	st, _ := e.Status(ctx, id)
	if st.State != workflow.StateSucceeded || e.Calls(id, "fetch") != 1 || e.Calls(id, "charge") != 2 {
		t.Errorf("after Resume: %+v, fetch %d, charge %d", st, e.Calls(id, "fetch"), e.Calls(id, "charge"))
	}
	// Finished runs: Cancel and Resume change nothing.
	if err := e.Cancel(ctx, id); err != nil {
		t.Errorf("Cancel(succeeded) = %v", err)
	}
	if err := e.Resume(ctx, id); err != nil {
		t.Errorf("Resume(succeeded) = %v", err)
	}
	if st, _ := e.Status(ctx, id); st.State != workflow.StateSucceeded {
		t.Errorf("state after Cancel/Resume of a finished run = %s", st.State)
	}
	// Cancelled before it ever ran: it never runs.
	id2, _ := e.Start(ctx, def.Name, nil, "")
	_ = e.Cancel(ctx, id2)
	if e.Drain(ctx) != 0 || e.Calls(id2, "fetch") != 0 {
		t.Error("a cancelled enqueued run ran")
	}
	if err := e.Cancel(ctx, "nope"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("Cancel(unknown) = %v", err)
	}
}

func TestNondeterministicReplayFails(t *testing.T) {
	t.Parallel()
	rename := false
	def := workflow.Definition{Name: "test.rename.v1", Queue: "test", Body: func(ctx context.Context, run workflow.Run, _ []byte) ([]byte, error) {
		name := "one"
		if rename {
			name = "uno"
		}
		if _, err := run.Step(ctx, name, workflow.FastFail, func(context.Context) ([]byte, error) { return nil, nil }); err != nil {
			return nil, err
		}
		_, err := run.Step(ctx, "two", workflow.FastFail, func(context.Context) ([]byte, error) { return nil, workflowtest.ErrCrash })
		return nil, err
	}}
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	id, _ := e.Start(ctx, def.Name, nil, "")
	e.Drain(ctx)
	rename = true
	e.Recover(ctx)
	st, _ := e.Status(ctx, id)
	if st.State != workflow.StateFailed {
		t.Errorf("renamed step on replay: %+v", st)
	}
}

func TestStepPanicsAndConcurrentStepsFailPermanently(t *testing.T) {
	t.Parallel()
	def := workflow.Definition{Name: "test.bugs.v1", Queue: "test", Body: func(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
		if string(input) == `"panic"` {
			_, err := run.Step(ctx, "boom", workflow.Standard, func(context.Context) ([]byte, error) { panic("nil map") })
			return nil, err
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		release := make(chan struct{})
		for i := range 2 {
			wg.Go(func() {
				_, errs[i] = run.Step(ctx, "parallel", workflow.FastFail, func(context.Context) ([]byte, error) {
					<-release
					return nil, nil
				})
			})
		}
		time.Sleep(10 * time.Millisecond)
		close(release)
		wg.Wait()
		return nil, errors.Join(errs...)
	}}
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	id, _ := e.Start(ctx, def.Name, "panic", "")
	e.Drain(ctx)
	if st, _ := e.Status(ctx, id); st.State != workflow.StateFailed || e.Calls(id, "boom") != 1 {
		t.Errorf("panicking step: %+v, calls %d (want failed after one call)", st, e.Calls(id, "boom"))
	}
	id2, _ := e.Start(ctx, def.Name, "parallel", "")
	e.Drain(ctx)
	if st, _ := e.Status(ctx, id2); st.State != workflow.StateFailed {
		t.Errorf("concurrent steps: %+v", st)
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	p, def := newPipeline()
	p.set("fetch", func(context.Context) ([]byte, error) { return nil, errBusiness })
	e := workflowtest.New([]workflow.Definition{def})
	ctx := t.Context()
	for _, id := range []string{"a-1", "a-2", "b-1"} {
		if _, err := e.Start(ctx, def.Name, nil, id); err != nil {
			t.Fatal(err)
		}
	}
	e.Drain(ctx)
	_, _ = e.Start(ctx, def.Name, nil, "a-3")
	all, _ := e.List(ctx, workflow.Filter{})
	if len(all) != 4 || all[0].ID != "a-3" {
		t.Errorf("List() = %v, want 4 runs, newest first", all)
	}
	got, _ := e.List(ctx, workflow.Filter{IDPrefix: "a-", States: []workflow.State{workflow.StateFailed}, Limit: 1})
	if len(got) != 1 || got[0].ID != "a-2" || got[0].Output != nil {
		t.Errorf("filtered List = %+v", got)
	}
	if got, _ := e.List(ctx, workflow.Filter{Definition: "other"}); len(got) != 0 {
		t.Errorf("definition filter = %v", got)
	}
}

type sink struct {
	mu  sync.Mutex
	got []string
}

func (s *sink) Publish(_ context.Context, id string, p workflow.Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, id+":"+p.Step)
	return nil
}

func TestProgressSinkAndAutoRunStartedRuns(t *testing.T) {
	t.Parallel()
	_, def := newPipeline()
	s := &sink{}
	e := workflowtest.New([]workflow.Definition{def}, workflowtest.AutoRun(), workflowtest.WithProgressSink(s))
	id, err := e.Start(t.Context(), def.Name, nil, "auto")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.Status(t.Context(), id); st.State != workflow.StateSucceeded {
		t.Errorf("AutoRun: %s", st.State)
	}
	if !slices.Equal(s.got, []string{"auto:fetch", "auto:charge", "auto:finish"}) {
		t.Errorf("sink got %v", s.got)
	}
}
