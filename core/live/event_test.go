package live_test

import (
	"testing"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/live"
)

func TestTerminalEventsEndAStream(t *testing.T) {
	for typ, want := range map[analyze.EventType]bool{
		analyze.EventProgress: false, analyze.EventComplete: true, analyze.EventFailed: true,
	} {
		if got := (live.Event{Type: typ}).Terminal(); got != want {
			t.Errorf("%s: Terminal %v, want %v", typ, got, want)
		}
	}
}
