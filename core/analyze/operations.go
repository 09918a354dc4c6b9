package analyze

import "time"

// The per-analysis cost alert and SLA thresholds (the original's: a cost alert at $0.05 and
// $0.10 per analysis; the whole run met within 60 s, a warning to 90 s, critical to 120 s).
const (
	CostWarnMicros     int64 = 50_000
	CostCriticalMicros int64 = 100_000
	SLAMet                   = 60 * time.Second
	SLAWarning               = 90 * time.Second
	SLACritical              = 120 * time.Second
)

// Alert levels of an analysis's cost and duration.
const (
	LevelOK       = "ok"
	LevelWarn     = "warn"
	LevelCritical = "critical"
)

// SLA buckets of an analysis's total duration.
const (
	SLABucketMet      = "met"
	SLABucketWarning  = "warning"
	SLABucketCritical = "critical"
	SLABucketSevere   = "severe"
)

// CostAlert grades what an analysis cost: critical from CostCriticalMicros, warn from
// CostWarnMicros, else ok.
func CostAlert(micros int64) string {
	switch {
	case micros >= CostCriticalMicros:
		return LevelCritical
	case micros >= CostWarnMicros:
		return LevelWarn
	}
	return LevelOK
}

// SLABucket places an analysis's total duration: met up to SLAMet, warning up to SLAWarning,
// critical up to SLACritical, severe beyond.
func SLABucket(d time.Duration) string {
	switch {
	case d <= SLAMet:
		return SLABucketMet
	case d <= SLAWarning:
		return SLABucketWarning
	case d <= SLACritical:
		return SLABucketCritical
	}
	return SLABucketSevere
}

// slowest names the step that took longest (ties: the first in step order) and its duration.
func slowest(durations map[string]int64) (string, int64) {
	var (
		name string
		ms   int64 = -1
	)
	for _, step := range []string{stepProfile, stepScrape, stepAI, stepSave} {
		if d, ok := durations[step]; ok && d > ms {
			name, ms = step, d
		}
	}
	if ms < 0 {
		return "", 0
	}
	return name, ms
}

// grade fills the operations' derived figures: total cost, slowest step, cost alert and SLA
// bucket (once Total is known).
func (o *Operations) grade() {
	o.AICostMicros = 0
	for _, c := range o.Calls {
		o.AICostMicros += c.CostMicros
	}
	o.SlowestStep, o.SlowestMS = slowest(o.Durations)
	o.CostAlert = CostAlert(o.AICostMicros + o.ScrapeCostMicros)
	o.SLA = SLABucket(o.Total)
	o.TotalMS = o.Total.Milliseconds()
}
