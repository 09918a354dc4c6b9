package httpapi

import (
	"time"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/live"
)

// eventJSON is one progress event on the wire (schema AnalysisEvent): the WebSocket message and
// the data of an SSE event are the same document. Its shape follows the original's broadcast
// ({type: "analysis.progress", runId, data{progress, step, status}, timestamp}) in this API's
// snake case, plus the event's position (id), which clients resume from.
type eventJSON struct {
	Type       string        `json:"type"`
	ID         int64         `json:"id"`
	AnalysisID string        `json:"analysis_id"`
	RunID      string        `json:"run_id"`
	BatchID    *string       `json:"batch_id"`
	Data       eventDataJSON `json:"data"`
	Timestamp  time.Time     `json:"timestamp"`
}

// eventDataJSON is what an event says about its analysis (schema AnalysisEventData).
type eventDataJSON struct {
	Percent   int    `json:"percent"`
	Step      string `json:"step"`
	StepIndex int    `json:"step_index"`
	StepTotal int    `json:"step_total"`
	Message   string `json:"message"`
	// Status is the analysis's status the event implies: running while it progresses,
	// completed or failed at its end.
	Status string `json:"status"`
}

// eventName is the SSE event name of e (progress, complete or failed); the WebSocket message
// type is "analysis." + it.
func eventName(e live.Event) string { return string(e.Type) }

// eventStatus maps an event type to the analysis status it implies.
func eventStatus(t analyze.EventType) analysis.Status {
	switch t {
	case analyze.EventComplete:
		return analysis.Completed
	case analyze.EventFailed:
		return analysis.Failed
	default:
		return analysis.Running
	}
}

func toEventJSON(e live.Event) eventJSON {
	return eventJSON{
		Type: "analysis." + eventName(e), ID: e.ID, AnalysisID: e.AnalysisID, RunID: analyze.RunID(e.AnalysisID),
		BatchID: stringOrNil(e.BatchID),
		Data: eventDataJSON{
			Percent: e.Percent, Step: e.Step, StepIndex: e.StepIndex, StepTotal: e.StepTotal,
			Message: e.Message, Status: string(eventStatus(e.Type)),
		},
		Timestamp: e.CreatedAt.UTC(),
	}
}

// readyJSON is the WebSocket's first message: position is the last event the server had seen
// when the socket subscribed; events after it follow live (and, with ?after=, the stored ones
// between after and position come first).
type readyJSON struct {
	Type     string `json:"type"`
	Position int64  `json:"position"`
}

// pongJSON answers a client's {"type":"ping"}.
type pongJSON struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
}

// clientMessage is what a WebSocket client may send: {"type":"ping"}. Other types are ignored.
type clientMessage struct {
	Type string `json:"type"`
}

// ticketJSON is the answer to POST /v1/events/ticket (schema EventTicket).
type ticketJSON struct {
	Ticket    string `json:"ticket"`
	ExpiresIn int    `json:"expires_in"`
}

// activeJSON is the answer to GET /v1/analyses/active (schema ActiveAnalyses).
type activeJSON struct {
	Data []analysisJSON `json:"data"`
}
