package analyze

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
	"github.com/oslira/oslira/core/workflow"
)

// Definition is the analysis.v1 workflow (queue Queue). Its input names the analysis; its
// steps, each checkpointed:
//
//  1. "start" (Critical): RunStore.MarkRunning; an analysis that is no longer pending nor
//     running (cancelled before the run began) ends the run at once, untouched, without output.
//  2. "profile" (Standard): the business profile; a deleted one finishes the analysis Errored
//     with CodeProfileUnavailable.
//  3. "scrape" (Standard): the profile through scraper (the host hands the cached failover
//     chain); a scrape that fails through every attempt finishes it ProviderFailed with
//     CodeScrapeFailed.
//  4. pre-checks (pure, on the checkpointed scrape): not found, private, outside the ICP —
//     finished as that outcome (completed and refunded) without asking a model; private and ICP
//     mismatch keep the profile as the lead.
//  5. metrics: lead.ExtractMetrics (pure; stored for deep and xray).
//  6. "ai" (Standard): the type's calls (callsFor) at once; an attempt asks again only for the
//     calls that have not answered yet. Failure through every attempt finishes the analysis
//     ProviderFailed with CodeAIFailed.
//  7. "save" (Critical): RunStore.Finish as Scored with the score, result, metrics, lead and
//     the operations row (AI costs per call, scrape cost, per-step durations, total).
//
// An outcome other than scored is recorded by a "finish" step (Critical), which refunds. Every
// step publishes its progress event when it runs (absolute values, see progressTable), and a
// finish publishes "complete" (scored and bypasses) or "failed". Those outcomes end the run
// successfully, with the outcome as output: the analysis row, not the run, is the product's
// record. Any other terminal error (the store unreachable through a Critical step's retries, a
// bug) runs a "fail" step that finishes the analysis Errored with CodeFailed (refunded) when
// it can, and the run fails with the error. Cancellation is returned at once, recording
// nothing. now is the clock of the durations (nil: time.Now).
func Definition(store RunStore, events Events, scraper lead.Scraper, llm ai.LLM, now func() time.Time, opts ...Option) workflow.Definition {
	if now == nil {
		now = time.Now
	}
	w := &worker{store: store, events: events, scraper: scraper, llm: llm, now: now,
		standard: workflow.Standard, critical: workflow.Critical}
	for _, o := range opts {
		o(w)
	}
	return workflow.Definition{Name: Workflow, Queue: Queue, Body: w.body}
}

// Option changes a Definition.
type Option func(*worker)

// WithLogger makes the workflow log its cost alerts and SLA misses (warn: WARN, critical:
// ERROR) with the analysis id; without it they are only recorded in the operations ledger.
func WithLogger(log *slog.Logger) Option {
	return func(w *worker) { w.log = log }
}

// alert logs an analysis that cost more than CostWarnMicros or took longer than SLAMet.
func (w *worker) alert(ctx context.Context, f Finish, ops Operations) {
	if w.log == nil || (ops.CostAlert == LevelOK && ops.SLA == SLABucketMet) {
		return
	}
	level := slog.LevelWarn
	if ops.CostAlert == LevelCritical || ops.SLA == SLABucketCritical || ops.SLA == SLABucketSevere {
		level = slog.LevelError
	}
	w.log.Log(ctx, level, "analysis over its cost or time budget", "analysis_id", f.ID, "outcome", string(f.Outcome),
		"cost_micros", ops.AICostMicros+ops.ScrapeCostMicros, "cost_alert", ops.CostAlert,
		"total_ms", ops.TotalMS, "sla", ops.SLA, "slowest_step", ops.SlowestStep)
}

// WithPolicies replaces the retry classes of the steps: standard for profile, scrape and ai
// (default workflow.Standard), critical for start, save, finish and fail (default
// workflow.Critical). For tests that must see a step fail through every attempt without
// waiting minutes; production keeps the defaults.
func WithPolicies(standard, critical workflow.Policy) Option {
	return func(w *worker) { w.standard, w.critical = standard, critical }
}

// worker holds the workflow's ports.
type worker struct {
	store   RunStore
	events  Events
	scraper lead.Scraper
	llm     ai.LLM
	now     func() time.Time
	// standard and critical are the steps' retry classes (WithPolicies).
	standard, critical workflow.Policy
	log                *slog.Logger // nil: alerts are only recorded
}

// started is the start step's output: what the run needs of its analysis.
type started struct {
	Running   bool          `json:"running"`
	Username  string        `json:"username"`
	ProfileID string        `json:"business_profile_id"`
	Type      analysis.Type `json:"type"`
	StartedAt time.Time     `json:"started_at"`
}

// profiled is the profile step's output; Missing when the profile was deleted.
type profiled struct {
	Missing    bool             `json:"missing"`
	Context    business.Context `json:"context"`
	DurationMS int64            `json:"duration_ms"`
}

// scraped is the scrape step's output.
type scraped struct {
	Result     lead.ScrapeResult `json:"result"`
	DurationMS int64             `json:"duration_ms"`
}

// runOutput is a finished run's output.
type runOutput struct {
	Outcome   analysis.Outcome `json:"outcome"`
	Score     *int             `json:"score,omitempty"`
	ErrorCode string           `json:"error_code,omitempty"`
}

// stepMessages are the progress events' messages.
var stepMessages = map[string]string{
	stepProfile: "loading the business profile",
	stepScrape:  "fetching the Instagram profile",
	stepAI:      "analysing the profile",
	stepSave:    "saving the result",
}

// execution is one execution of the body: what earlier steps returned, and where it is.
type execution struct {
	w    *worker
	run  workflow.Run
	in   runInput
	st   started
	prog progress
	ops  Operations
	step string // the progress step in flight (a failure event names it)
}

func (w *worker) body(ctx context.Context, run workflow.Run, input []byte) ([]byte, error) {
	in, err := workflow.Decode[runInput](input)
	if err != nil {
		return nil, err
	}
	x := &execution{w: w, run: run, in: in, step: stepStart, ops: Operations{Durations: map[string]int64{}},
		prog: progress{events: w.events, accountID: in.AccountID, analysisID: in.AnalysisID}}
	st, err := workflow.Do(ctx, run, "start", w.critical, func(ctx context.Context) (started, error) {
		a, running, err := w.store.MarkRunning(ctx, in.AnalysisID)
		if err != nil {
			return started{}, err
		}
		s := started{Running: running, Username: a.Username, ProfileID: a.BusinessProfileID, Type: a.Type, StartedAt: a.StartedAt}
		if s.StartedAt.IsZero() {
			s.StartedAt = w.now()
		}
		return s, nil
	})
	if err != nil {
		return x.fail(ctx, err)
	}
	if !st.Running {
		return nil, nil
	}
	x.st, x.prog.typ = st, st.Type
	return x.analyse(ctx)
}

// analyse runs the steps after start.
func (x *execution) analyse(ctx context.Context) ([]byte, error) {
	w := x.w
	x.step = stepProfile
	prof, err := workflow.Do(ctx, x.run, "profile", x.w.standard, timed(x, stepProfile, func(ctx context.Context) (profiled, error) {
		p, err := w.store.BusinessProfile(ctx, x.in.AccountID, x.st.ProfileID)
		if errors.Is(err, business.ErrNotFound) {
			return profiled{Missing: true}, nil
		}
		return profiled{Context: p.Context}, err
	}, func(p *profiled, ms int64) { p.DurationMS = ms }))
	if err != nil {
		return x.fail(ctx, err)
	}
	x.ops.Durations[stepProfile] = prof.DurationMS
	if prof.Missing {
		return x.finish(ctx, Finish{Outcome: analysis.Errored, ErrorCode: CodeProfileUnavailable})
	}

	x.step = stepScrape
	sc, err := workflow.Do(ctx, x.run, "scrape", x.w.standard, timed(x, stepScrape, func(ctx context.Context) (scraped, error) {
		res, err := w.scraper.Scrape(ctx, x.st.Username)
		if err == nil && (!res.Outcome.Valid() || res.Outcome == lead.Found && res.Profile == nil) {
			err = lead.ErrScraperUnavailable.WithCause(fmt.Errorf("the scraper answered outcome %q without a usable profile", res.Outcome))
		}
		return scraped{Result: res}, err
	}, func(s *scraped, ms int64) { s.DurationMS = ms }))
	if aborted(ctx, err) {
		return nil, err
	}
	if err != nil {
		return x.finish(ctx, Finish{Outcome: analysis.ProviderFailed, ErrorCode: CodeScrapeFailed})
	}
	res := sc.Result
	x.ops.Durations[stepScrape] = sc.DurationMS
	x.ops.ScrapeCostMicros, x.ops.ScrapeProvider, x.ops.ScrapeCached = res.CostMicros, res.Provider, res.Cached

	var metrics lead.Metrics
	var rate *float64
	if res.Outcome == lead.Found {
		metrics = lead.ExtractMetrics(*res.Profile)
		rate = metrics.EngagementRate.Value
	}
	b, fit := precheck(res, prof.Context.ICP, rate)
	if b != nil {
		return x.finish(ctx, Finish{Outcome: b.Outcome, Result: b.Result, Profile: b.Profile})
	}

	x.step = stepAI
	specs := callsFor(x.st.Type)
	lim := lightPosts
	if x.st.Type.NeedsMetrics() {
		lim = deepPosts
	}
	base := ai.Request{
		User:      describeBusiness(prof.Context) + "\n" + describeProfile(*res.Profile, metrics, lim),
		AccountID: x.in.AccountID,
		Facts:     &ai.Facts{Profile: res.Profile, Metrics: profileFacts(metrics), Business: business.Facts(prof.Context)},
	}
	var got answers
	out, err := workflow.Do(ctx, x.run, "ai", x.w.standard, timed(x, stepAI, func(ctx context.Context) (analyzed, error) {
		if err := got.ask(ctx, w.llm, specs, base); err != nil {
			return analyzed{}, err
		}
		return got.assemble(specs), nil
	}, func(a *analyzed, ms int64) { a.DurationMS = ms }))
	if aborted(ctx, err) {
		return nil, err
	}
	if err != nil {
		x.ops.Calls = got.costs(specs) // what the calls that answered cost all the same
		return x.finish(ctx, Finish{Outcome: analysis.ProviderFailed, ErrorCode: CodeAIFailed})
	}
	x.ops.Durations[stepAI] = out.DurationMS
	x.ops.Calls = out.Calls

	x.step = stepSave
	score := out.Score
	result := out.Result
	result.ICP = fit
	f := Finish{Outcome: analysis.Scored, Score: &score, Summary: result.Summary, Result: &result, Profile: res.Profile}
	if x.st.Type.NeedsMetrics() {
		f.Metrics = &metrics
	}
	if err := x.record(ctx, "save", f); err != nil {
		return x.fail(ctx, err)
	}
	return json.Marshal(runOutput{Outcome: analysis.Scored, Score: &score})
}

// timed wraps a step's function: it publishes the step's progress event on every attempt and
// sets the step's duration, from its first attempt in this execution to its success, with set.
func timed[T any](x *execution, step string, fn func(ctx context.Context) (T, error), set func(*T, int64)) func(ctx context.Context) (T, error) {
	var first time.Time
	return func(ctx context.Context) (T, error) {
		x.prog.publish(ctx, EventProgress, step, stepMessages[step])
		if first.IsZero() {
			first = x.w.now()
		}
		v, err := fn(ctx)
		if err == nil {
			set(&v, x.w.now().Sub(first).Milliseconds())
		}
		return v, err
	}
}

// finish records an outcome other than scored (a "finish" step) and ends the run with it.
func (x *execution) finish(ctx context.Context, f Finish) ([]byte, error) {
	if err := x.record(ctx, "finish", f); err != nil {
		return x.fail(ctx, err)
	}
	return json.Marshal(runOutput{Outcome: f.Outcome, ErrorCode: f.ErrorCode})
}

// record runs step (Critical): RunStore.Finish of f with the operations so far, then the
// closing event ("complete" for completed outcomes, "failed" naming the step in flight
// otherwise). An analysis that had already finished (Finish false) changes nothing; the event
// is published again, harmlessly.
func (x *execution) record(ctx context.Context, step string, f Finish) error {
	f.ID = x.in.AnalysisID
	ops := x.ops
	f.Operations = &ops
	_, err := workflow.Do(ctx, x.run, step, x.w.critical, func(ctx context.Context) (bool, error) {
		if f.Outcome == analysis.Scored {
			x.prog.publish(ctx, EventProgress, stepSave, stepMessages[stepSave])
		}
		ops.Total = x.w.now().Sub(x.st.StartedAt)
		ops.grade()
		x.w.alert(ctx, f, ops)
		ok, err := x.w.store.Finish(ctx, f)
		if err != nil {
			return false, err
		}
		if f.Outcome.Status() == analysis.Failed {
			x.prog.publish(ctx, EventFailed, x.step, f.ErrorCode)
		} else {
			x.prog.publish(ctx, EventComplete, stepComplete, string(f.Outcome))
		}
		return ok, nil
	})
	return err
}

// fail handles a terminal error of a step: unless the run was cancelled, a "fail" step
// (Critical) finishes the analysis Errored with CodeFailed, refunded, and publishes "failed";
// the run then fails with err whatever that step did.
func (x *execution) fail(ctx context.Context, err error) ([]byte, error) {
	if aborted(ctx, err) {
		return nil, err
	}
	_, _ = workflow.Do(ctx, x.run, "fail", x.w.critical, func(ctx context.Context) (bool, error) {
		ok, ferr := x.w.store.Finish(ctx, Finish{ID: x.in.AnalysisID, Outcome: analysis.Errored, ErrorCode: CodeFailed})
		if ferr != nil {
			return false, ferr
		}
		x.prog.publish(ctx, EventFailed, x.step, CodeFailed)
		return ok, nil
	})
	return nil, err
}

// aborted reports an engine signal the body must return at once: the run was cancelled (or its
// process is shutting down).
func aborted(ctx context.Context, err error) bool {
	return err != nil && (errors.Is(err, workflow.ErrCancelled) || ctx.Err() != nil)
}
