package analyze_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
)

func TestCostAlertAndSLABucketBounds(t *testing.T) {
	for micros, want := range map[int64]string{0: "ok", 49_999: "ok", 50_000: "warn", 99_999: "warn", 100_000: "critical", 1 << 40: "critical"} {
		if got := analyze.CostAlert(micros); got != want {
			t.Errorf("CostAlert(%d) = %s, want %s", micros, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		0: "met", 60 * time.Second: "met", 60*time.Second + 1: "warning", 90 * time.Second: "warning",
		90*time.Second + 1: "critical", 120 * time.Second: "critical", 120*time.Second + 1: "severe",
	} {
		if got := analyze.SLABucket(d); got != want {
			t.Errorf("SLABucket(%v) = %s, want %s", d, got, want)
		}
	}
}

// TestSlowRunsAreLoggedAndGraded: with a clock of 20 s per reading a scored light run takes 140 s
// — severe — and its slowest step is the one that read the clock most; the alert is logged at
// ERROR with the analysis id, and the operations row carries the grade.
func TestSlowRunsAreLoggedAndGraded(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, analysis.Light, analyze.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	h.clock.tick = 20 * time.Second
	h.expectStart()
	h.expectScrape(found(snapshot()))
	f := h.expectFinish()
	h.run()
	ops := f.Operations
	if ops == nil || ops.SLA != analyze.SLABucketSevere || ops.TotalMS != 140_000 || ops.CostAlert != analyze.LevelOK ||
		ops.SlowestMS != 20_000 {
		t.Fatalf("operations %+v", ops)
	}
	line := logs.String()
	if !strings.Contains(line, `"level":"ERROR"`) || !strings.Contains(line, `"sla":"severe"`) ||
		!strings.Contains(line, `"analysis_id":"`+analysisID+`"`) {
		t.Errorf("log: %s", line)
	}

	// A fast run logs nothing.
	logs.Reset()
	h = newHarness(t, analysis.Light, analyze.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	h.expectStart()
	h.expectScrape(found(snapshot()))
	h.expectFinish()
	h.run()
	if logs.Len() != 0 {
		t.Errorf("a run within budget logged: %s", logs.String())
	}
}

// TestSLAWarningIsLoggedAtWarn: 10 s per reading makes a 70 s run, a warning, logged at WARN.
func TestSLAWarningIsLoggedAtWarn(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, analysis.Light, analyze.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	h.clock.tick = 10 * time.Second
	h.expectStart()
	h.expectScrape(found(snapshot()))
	f := h.expectFinish()
	h.run()
	if f.Operations == nil || f.Operations.SLA != analyze.SLABucketWarning || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Errorf("operations %+v, log %s", f.Operations, logs.String())
	}
}
