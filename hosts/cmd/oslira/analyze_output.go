package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/hosts/httpapi"
)

// stepLabels are what the progress shows for each step an analysis reports (analyze's progress
// steps; "queued" until a worker starts the run).
var stepLabels = map[string]string{
	"queued":   "waiting for a worker",
	"start":    "starting",
	"profile":  "loading the business profile",
	"scrape":   "fetching the Instagram profile",
	"ai":       "analysing the profile",
	"save":     "saving the result",
	"complete": "done",
}

func stepLabel(step string) string {
	if l, ok := stepLabels[step]; ok {
		return l
	}
	return step
}

// progressReporter shows an analysis's progress while the command follows it.
type progressReporter interface {
	update(a analyze.Analysis)
	done()
}

// newProgress is a progress bar when w is a terminal, else lines.
func newProgress(w io.Writer, a analyze.Analysis) progressReporter {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{bar: progressbar.NewOptions(100,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(fmt.Sprintf("%s %s", a.Type, a.Username)),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetElapsedTime(true),
		), w: w, name: fmt.Sprintf("%s %s", a.Type, a.Username)}
	}
	return &lineProgress{w: w, last: -1}
}

// barProgress draws a schollz/progressbar bar: percent, elapsed time and the current step.
type barProgress struct {
	bar  *progressbar.ProgressBar
	w    io.Writer
	name string
}

func (b *barProgress) update(a analyze.Analysis) {
	_ = b.bar.Set(a.Progress)
	b.bar.Describe(fmt.Sprintf("%s · %s", b.name, stepLabel(a.Step)))
}

// done leaves the bar as it ended (100 % unless the analysis was interrupted) on its own line.
func (b *barProgress) done() { printf(b.w, "\n") }

// lineProgress prints one line per change of percent or step: "  5% scrape: fetching the
// Instagram profile".
type lineProgress struct {
	w    io.Writer
	last int
	step string
}

func (l *lineProgress) update(a analyze.Analysis) {
	if a.Progress == l.last && a.Step == l.step {
		return
	}
	l.last, l.step = a.Progress, a.Step
	printf(l.w, "%3d%% %s: %s\n", a.Progress, a.Step, stepLabel(a.Step))
}

func (l *lineProgress) done() {}

// printSummary writes a finished analysis for a reader.
func printSummary(w io.Writer, a analyze.Analysis) {
	printf(w, "@%s — %s analysis %s\n", a.Username, a.Type, a.ID)
	switch {
	case a.Outcome == analysis.Scored && a.Score != nil:
		printf(w, "Score:    %d/100 (%s)\n", *a.Score, a.Tier)
	case a.Status == analysis.Completed:
		printf(w, "Outcome:  %s — no score; the %d credit(s) were refunded\n", outcomeText(a.Outcome), a.Credits)
	default:
		printf(w, "Outcome:  %s (%s) — the %d credit(s) were refunded\n", a.Outcome, cmpOrDash(a.ErrorCode), a.Credits)
	}
	r := a.Result
	if r != nil && r.Bypass != nil && r.Bypass.Detail != "" {
		printf(w, "Why:      %s\n", r.Bypass.Detail)
	}
	if a.Summary != "" {
		printf(w, "Summary:  %s\n", a.Summary)
	}
	if r == nil {
		return
	}
	if r.Niche != "" {
		printf(w, "Niche:    %s (confidence %s)\n", r.Niche, cmpOrDash(r.NicheConfidence))
	}
	if q := r.Qualification; q != nil {
		printList(w, "Strengths", q.Strengths)
		printList(w, "Weaknesses", q.Weaknesses)
		printList(w, "Next steps", q.RecommendedActions)
	}
	if o := r.Outreach; o != nil {
		printf(w, "Outreach: %s\n", o.Subject)
		for _, line := range strings.Split(strings.TrimSpace(o.Message), "\n") {
			printf(w, "  %s\n", line)
		}
		if o.CallToAction != "" {
			printf(w, "  → %s\n", o.CallToAction)
		}
	}
	if m := a.Metrics; m != nil && m.EngagementRate.Value != nil {
		printf(w, "Engagement rate: %.2f%%\n", *m.EngagementRate.Value*100)
	}
}

// outcomeText says what a completed outcome without a score means.
func outcomeText(o analysis.Outcome) string {
	switch o {
	case analysis.NotFound:
		return "not found (no Instagram profile has this handle)"
	case analysis.Private:
		return "private (only public profiles can be analysed)"
	case analysis.ICPMismatch:
		return "outside the ideal customer profile"
	}
	return string(o)
}

func printList(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	printf(w, "%s:\n", title)
	for _, it := range items {
		printf(w, "  - %s\n", it)
	}
}

func cmpOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printAnalysisJSON writes a as indented JSON, in the API's Analysis shape (httpapi.AnalysisBody).
func printAnalysisJSON(w io.Writer, a analyze.Analysis) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(httpapi.AnalysisBody(a))
}
