package analyze

import (
	"context"

	"github.com/oslira/oslira/core/analysis"
)

// The progress steps an analysis run reports, in order. "queued" (0 %) is the state before the
// run starts (the submit's); "complete" ends every run that recorded an outcome.
const (
	stepStart    = "start" // step 0 of n: only a failure to start reports it
	stepProfile  = "profile"
	stepScrape   = "scrape"
	stepAI       = "ai"
	stepSave     = "save"
	stepComplete = "complete"
)

// stepTotal is n in "step k of n": profile, scrape, ai, save.
const stepTotal = 4

// stepIndex is k for each step ("complete" is the last step, done).
var stepIndex = map[string]int{stepProfile: 1, stepScrape: 2, stepAI: 3, stepSave: 4, stepComplete: stepTotal}

// progressTable is the percent each step starts at, per analysis type: time-weighted like the
// original's (reference timings: light scrape ≈ 8.5 s then AI ≈ 15 s; deep and xray spend far
// longer in the models, so the scrape ends earlier in the bar). Values only grow along the
// steps; "complete" is always 100.
var progressTable = map[analysis.Type]map[string]int{
	analysis.Light: {stepProfile: 2, stepScrape: 5, stepAI: 37, stepSave: 96, stepComplete: 100},
	analysis.Deep:  {stepProfile: 1, stepScrape: 3, stepAI: 17, stepSave: 98, stepComplete: 100},
	analysis.XRay:  {stepProfile: 1, stepScrape: 2, stepAI: 12, stepSave: 98, stepComplete: 100},
}

// percentOf is the percent step starts at for type t (0 for an unknown type or step: the run
// failed before it knew its type).
func percentOf(t analysis.Type, step string) int { return progressTable[t][step] }

// progress publishes progress events of one run. Every event carries absolute values, so a
// step re-run after a crash publishes a harmless duplicate; publish errors are dropped (a lost
// event never fails an analysis).
type progress struct {
	events     Events
	accountID  string
	analysisID string
	typ        analysis.Type
}

// publish sends one event of type et at step.
func (p progress) publish(ctx context.Context, et EventType, step, message string) {
	percent := percentOf(p.typ, step)
	if et == EventComplete {
		step, percent = stepComplete, 100
	}
	_ = p.events.Publish(ctx, Event{
		AccountID: p.accountID, AnalysisID: p.analysisID, Type: et,
		Step: step, StepIndex: stepIndex[step], StepTotal: stepTotal, Percent: percent, Message: message,
	})
}
