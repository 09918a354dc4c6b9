package business

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/core/workflow"
)

// The onboarding workflow.
const (
	// ContextWorkflow is the definition name. Its steps are "write" then "save" (or
	// "mark_failed" after a failed write); a change to them is "business.context.v2".
	ContextWorkflow = "business.context.v1"
	// ContextQueue is the queue its runs wait on.
	ContextQueue = "business"
	// contextRunPrefix prefixes the run ids.
	contextRunPrefix = "business-context:"
)

// summarySentences is how many sentences the summary keeps (the original's prompt asks for
// exactly four: what and for whom, specialisation, problem solved, approach).
const summarySentences = 4

// Text is one piece of writing from a language model, with what it cost.
type Text struct {
	Text       string `json:"text"`
	Provider   string `json:"provider"`
	Model      string `json:"model"`
	CostMicros int64  `json:"cost_micros"`
}

// Written is what an onboarding run saves: the one-liner and the summary, already held to the
// product rules (WriteContext), and the model that wrote them.
type Written struct {
	OneLiner   string `json:"one_liner"`
	Summary    string `json:"summary"`
	Model      string `json:"model"`
	CostMicros int64  `json:"cost_micros"`
}

// ContextRunID is the run id of a profile's generation n (1, 2, …):
// "business-context:<profile id>:<n>". It is the start's idempotency key: a start that was
// lost (the engine down after the profile was marked running) is repeated under the same id.
func ContextRunID(profileID string, n int) string {
	return contextRunPrefix + profileID + ":" + strconv.Itoa(n)
}

// ContextRun is the state of a profile's latest context generation.
type ContextRun struct {
	ProfileID string
	// RunID is "" before the first generation.
	RunID string
	// Status is the profile's onboarding status, failed also when the run ended without saving
	// (failed or cancelled in the engine).
	Status OnboardingStatus
	// State is the engine's state of the run; "" when there is none (never started, or the
	// finished run was already deleted by retention).
	State workflow.State
	// ErrorCode is the failure's code (failed only).
	ErrorCode string
	// OneLiner and Summary are the profile's current texts.
	OneLiner    string
	Summary     string
	CompletedAt time.Time
}

// contextInput is a run's input: whose profile, and the context to write from as it was when
// the generation started.
type contextInput struct {
	AccountID string  `json:"account_id"`
	ProfileID string  `json:"profile_id"`
	Context   Context `json:"context"`
}

// GenerateContext starts generating a profile's one-liner and summary and returns the run. While
// a generation is in flight it starts nothing and returns that run (so a retried request does
// not pay twice); a generation whose start was lost is started again under its id; after a
// finished one (completed, failed or cancelled) it starts the next generation. Of two concurrent
// requests one starts the run and the other reports it.
func (s *Service) GenerateContext(ctx context.Context, p tenant.Principal, id string) (ContextRun, error) {
	prof, err := s.Get(ctx, p, id)
	if err != nil {
		return ContextRun{}, err
	}
	if o := prof.Onboarding; o.Status == OnboardingRunning && o.RunID != "" {
		st, err := s.engine.Status(ctx, o.RunID)
		switch {
		case errors.Is(err, workflow.ErrNotFound):
			return s.start(ctx, prof, o.RunID)
		case err != nil:
			return ContextRun{}, err
		case !st.State.Terminal():
			return contextRun(prof, st.State), nil
		}
	}
	from := prof.Onboarding.Generation
	runID := ContextRunID(prof.ID, from+1)
	won, err := s.store.MarkContextRunning(ctx, p, prof.ID, from, runID)
	if err != nil {
		return ContextRun{}, err
	}
	if !won {
		return s.ContextStatus(ctx, p, prof.ID)
	}
	prof.Onboarding = Onboarding{Status: OnboardingRunning, RunID: runID, Generation: from + 1}
	return s.start(ctx, prof, runID)
}

// start starts (idempotently) the run of prof's current generation.
func (s *Service) start(ctx context.Context, prof Profile, runID string) (ContextRun, error) {
	in := contextInput{AccountID: prof.AccountID, ProfileID: prof.ID, Context: prof.Context}
	if _, err := s.engine.Start(ctx, ContextWorkflow, in, runID); err != nil {
		return ContextRun{}, err
	}
	return contextRun(prof, workflow.StateEnqueued), nil
}

// ContextStatus returns the state of a profile's latest context generation.
func (s *Service) ContextStatus(ctx context.Context, p tenant.Principal, id string) (ContextRun, error) {
	prof, err := s.Get(ctx, p, id)
	if err != nil {
		return ContextRun{}, err
	}
	if prof.Onboarding.RunID == "" {
		return contextRun(prof, ""), nil
	}
	st, err := s.engine.Status(ctx, prof.Onboarding.RunID)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		return contextRun(prof, ""), nil
	case err != nil:
		return ContextRun{}, err
	}
	r := contextRun(prof, st.State)
	if r.Status == OnboardingRunning && (st.State == workflow.StateFailed || st.State == workflow.StateCancelled) {
		r.Status, r.ErrorCode = OnboardingFailed, st.ErrorCode
		if r.ErrorCode == "" {
			r.ErrorCode = CodeContextFailed
		}
	}
	return r, nil
}

func contextRun(prof Profile, state workflow.State) ContextRun {
	o := prof.Onboarding
	return ContextRun{
		ProfileID: prof.ID, RunID: o.RunID, Status: o.Status, State: state, ErrorCode: o.ErrorCode,
		OneLiner: prof.OneLiner, Summary: prof.Summary, CompletedAt: o.CompletedAt,
	}
}

// ContextDefinition is the business.context.v1 workflow. Its input names the profile and carries
// the context to write from; its steps:
//
//  1. "write" (workflow.Standard): the one-liner and the summary are asked for at the same time
//     (the port runs steps one after the other, so the two calls run in parallel inside one
//     step); an attempt only asks again for the half that has not succeeded yet, and after a
//     crash the LLM gateway's response cache makes the repeated calls free. The texts are held
//     to the product rules (WriteContext).
//  2. "save" (workflow.Critical): stores them and marks onboarding completed, unless the
//     profile was deleted or a newer generation started (then nothing is written).
//
// A write that fails for good runs "mark_failed" instead, which marks onboarding failed with
// the error's code, and the run fails with the write's error. Progress is reported as step k of
// 2 ("write", "save", "done").
func ContextDefinition(w ContextWriter, store ContextStore) workflow.Definition {
	return workflow.Definition{
		Name:  ContextWorkflow,
		Queue: ContextQueue,
		Body: func(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
			in, err := workflow.Decode[contextInput](input)
			if err != nil {
				return nil, err
			}
			_ = run.Progress(ctx, workflow.Progress{Step: "write", Done: 0, Total: 2, Message: "writing the one-liner and the summary"})
			var halves contextHalves
			written, err := workflow.Do(ctx, run, "write", workflow.Standard, func(ctx context.Context) (Written, error) {
				return halves.write(ctx, w, in.AccountID, in.Context)
			})
			if err != nil {
				code := apperr.CodeOf(err)
				_, _ = workflow.Do(ctx, run, "mark_failed", workflow.Critical, func(ctx context.Context) (bool, error) {
					return store.MarkContextFailed(ctx, in.AccountID, in.ProfileID, run.ID(), code)
				})
				return nil, err
			}
			_ = run.Progress(ctx, workflow.Progress{Step: "save", Done: 1, Total: 2, Message: "saving"})
			saved, err := workflow.Do(ctx, run, "save", workflow.Critical, func(ctx context.Context) (bool, error) {
				return store.SaveContext(ctx, in.AccountID, in.ProfileID, run.ID(), written)
			})
			if err != nil {
				return nil, err
			}
			_ = run.Progress(ctx, workflow.Progress{Step: "done", Done: 2, Total: 2})
			return json.Marshal(contextOutput{Written: written, Saved: saved})
		},
	}
}

// contextOutput is a run's output.
type contextOutput struct {
	Written
	// Saved is false when the profile was deleted or a newer generation had started.
	Saved bool `json:"saved"`
}

// contextHalves keeps what earlier attempts of the write step got, so a retry asks only for the
// missing half.
type contextHalves struct {
	oneLiner, summary *Text
}

// write asks for the missing halves concurrently and joins them with WriteContext.
func (h *contextHalves) write(ctx context.Context, w ContextWriter, accountID string, c Context) (Written, error) {
	var (
		wg                 sync.WaitGroup
		errLiner, errSumry error
	)
	if h.oneLiner == nil {
		wg.Go(func() {
			var t Text
			if t, errLiner = w.OneLiner(ctx, accountID, c); errLiner == nil {
				h.oneLiner = &t
			}
		})
	}
	if h.summary == nil {
		wg.Go(func() {
			var t Text
			if t, errSumry = w.Summary(ctx, accountID, c); errSumry == nil {
				h.summary = &t
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errLiner, errSumry); err != nil {
		return Written{}, err
	}
	return WriteContext(*h.oneLiner, *h.summary)
}

// WriteContext holds the model's texts to the product rules: whitespace collapsed; the
// one-liner cut at a word boundary to fit MaxOneLinerLength with "…" (the original cut at 137
// characters and added "..."); the summary cut to its first four sentences and to
// MaxSummaryLength. An empty text is ErrContextFailed with kind Unavailable: a model may do
// better on the next attempt.
func WriteContext(oneLiner, summary Text) (Written, error) {
	liner := strings.Join(strings.Fields(oneLiner.Text), " ")
	sum := strings.Join(strings.Fields(summary.Text), " ")
	if liner == "" || sum == "" {
		return Written{}, errEmptyText
	}
	model := oneLiner.Model
	if summary.Model != model {
		model += "," + summary.Model
	}
	return Written{
		OneLiner:   truncateWords(liner, MaxOneLinerLength),
		Summary:    truncateWords(firstSentences(sum, summarySentences), MaxSummaryLength),
		Model:      model,
		CostMicros: oneLiner.CostMicros + summary.CostMicros,
	}, nil
}

// errEmptyText is a model answer without text.
var errEmptyText = &apperr.Error{Kind: apperr.Unavailable, Code: CodeContextFailed, Message: "the model returned an empty text"}

// truncateWords returns s when it has at most n characters, else its longest prefix of whole
// words that fits in n-1 characters followed by "…" (a single word longer than that is cut).
func truncateWords(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// firstSentences returns the first n sentences of s (a sentence ends with ".", "!" or "?"
// followed by a space).
func firstSentences(s string, n int) string {
	count := 0
	for i := 0; i < len(s)-1; i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i+1] == ' ' {
			if count++; count == n {
				return s[:i+1]
			}
		}
	}
	return s
}
