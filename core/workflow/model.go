package workflow

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// State is where a run is in its life.
type State string

// The states. Enqueued → running → succeeded | failed; cancelled from any unfinished state;
// Resume takes cancelled (or a running run whose process died) back to enqueued.
const (
	StateEnqueued  State = "enqueued"  // waiting on its queue (or delayed)
	StateRunning   State = "running"   // claimed by an executor, or left so by a dead one
	StateSucceeded State = "succeeded" // the body returned without error
	StateFailed    State = "failed"    // the body returned an error, or the engine gave up on it
	StateCancelled State = "cancelled" // cancelled by an operator or a janitor
)

// States lists every state, for filters and tests.
func States() []State {
	return []State{StateEnqueued, StateRunning, StateSucceeded, StateFailed, StateCancelled}
}

// Terminal reports whether the run will not change any more by itself.
func (s State) Terminal() bool {
	return s == StateSucceeded || s == StateFailed || s == StateCancelled
}

// Status describes one run.
type Status struct {
	ID         string
	Definition string
	Queue      string
	State      State
	// Attempts counts executions started: the first one plus every recovery or resume.
	Attempts int
	// Error and ErrorCode describe a failed run (Error is for operators, never for clients).
	Error     string
	ErrorCode string
	Executor  string // the process (executor id) that runs or ran it, when the engine knows
	Version   string // the application version the run is pinned to; "" means any
	CreatedAt time.Time
	UpdatedAt time.Time
	// Output is the body's JSON output of a succeeded run; Status fills it, List does not.
	Output []byte
}

// Filter selects runs for Engine.List. Zero fields do not filter.
type Filter struct {
	Definition    string
	States        []State
	IDPrefix      string
	CreatedAfter  time.Time
	CreatedBefore time.Time
	// Limit caps the result: zero means DefaultListLimit, and more than MaxListLimit is cut down.
	Limit int
}

// List limits.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// EffectiveLimit is f.Limit after defaults and the cap.
func (f Filter) EffectiveLimit() int {
	switch {
	case f.Limit <= 0:
		return DefaultListLimit
	case f.Limit > MaxListLimit:
		return MaxListLimit
	default:
		return f.Limit
	}
}

// Progress is one report from a running body. Values are absolute (step k of n, percent), so a
// report repeated after a re-run is harmless.
type Progress struct {
	Step    string // a short, stable label of the current phase ("scrape", "analyze")
	Done    int    // units finished so far
	Total   int    // units in all (0 when unknown)
	Message string // optional, for humans
}

// Definition is one kind of workflow. Name is the registration key that runs record, so it is
// versioned by hand ("stripe.event.v1"): renaming, reordering or repurposing steps needs a new
// name, and the old one stays registered until its runs have drained.
type Definition struct {
	Name  string
	Queue string // the queue runs wait on; engines create it (limits come from their config)
	Body  Body
}

var (
	definitionName = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,99}$`)
	queueName      = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)
)

// Validate checks the name (lowercase letters, digits and _.:- , starting with a letter, at most
// 100 characters), the queue name (same alphabet without ':', at most 63) and the body.
func (d Definition) Validate() error {
	var errs []error
	if !definitionName.MatchString(d.Name) {
		errs = append(errs, fmt.Errorf("workflow definition %q: name must match %s", d.Name, definitionName))
	}
	if !queueName.MatchString(d.Queue) {
		errs = append(errs, fmt.Errorf("workflow definition %q: queue %q must match %s", d.Name, d.Queue, queueName))
	}
	if d.Body == nil {
		errs = append(errs, fmt.Errorf("workflow definition %q: Body is nil", d.Name))
	}
	return errors.Join(errs...)
}

// ValidateDefinitions validates each definition and rejects duplicate names.
func ValidateDefinitions(defs []Definition) error {
	var errs []error
	seen := make(map[string]bool, len(defs))
	for _, d := range defs {
		if err := d.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[d.Name] {
			errs = append(errs, fmt.Errorf("workflow definition %q: defined twice", d.Name))
		}
		seen[d.Name] = true
	}
	return errors.Join(errs...)
}
