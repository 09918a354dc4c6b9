package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/apperr"
)

// TestAnalysisEventsStream follows one analysis over SSE from its first event to its closing
// one: the retry hint first, every event with its id and name, the data as the contract's
// AnalysisEvent, and the end of the stream after "complete".
func TestAnalysisEventsStream(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	srv := f.server(t)
	c := newAnalysisCaller(t, f)
	a := f.submit(t, c, "stream.me", "light")

	s := openSSE(t, srv, c.token, analysesPath+"/"+a.ID+"/events", nil)
	if first, ok := s.next(t); !ok || first.retry != "3000" {
		t.Fatalf("first block = %+v, want the retry hint", first)
	}
	f.publish(t, c, a.ID, analyze.EventProgress, "profile", 1, 2)
	f.publish(t, c, a.ID, analyze.EventProgress, "scrape", 2, 5)
	got := s.events(t, f, 2)
	f.publish(t, c, a.ID, analyze.EventProgress, "ai", 3, 37)
	f.score(t, c, a.ID, 80, sampleProfile("stream.me", 9000))
	f.publish(t, c, a.ID, analyze.EventComplete, "complete", 4, 100)
	got = append(got, s.events(t, f, -1)...) // to the end of the stream: it closes itself
	wantSteps(t, got, a.ID, "progress:profile", "progress:scrape", "progress:ai", "complete:complete")
	last := got[len(got)-1]
	if last.Data.Percent != 100 || last.Data.Status != "completed" || last.RunID != a.RunID || last.BatchID != nil ||
		got[2].Data != (eventDataJSON{Percent: 37, Step: "ai", StepIndex: 3, StepTotal: 4, Message: "step ai", Status: "running"}) {
		t.Errorf("events = %+v", got)
	}
}

// TestAnalysisEventsResume: a client that drops mid-analysis and reconnects with Last-Event-ID
// gets exactly the events it missed and then the live ones — no gap, no duplicate — and a
// reconnection after the closing event is 204 (an EventSource stops).
func TestAnalysisEventsResume(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	srv := f.server(t)
	c := newAnalysisCaller(t, f)
	a := f.submit(t, c, "refresh.me", "deep")
	target := analysesPath + "/" + a.ID + "/events"

	first := openSSE(t, srv, c.token, target, nil)
	f.publish(t, c, a.ID, analyze.EventProgress, "profile", 1, 1)
	f.publish(t, c, a.ID, analyze.EventProgress, "scrape", 2, 3)
	seen := first.events(t, f, 2)
	_ = first.resp.Body.Close() // the page refreshes

	f.publish(t, c, a.ID, analyze.EventProgress, "ai", 3, 17) // while nobody listens
	lastID := strconv.FormatInt(seen[1].ID, 10)
	second := openSSE(t, srv, c.token, target, map[string]string{"Last-Event-ID": lastID})
	resumed := second.events(t, f, 1)
	f.publish(t, c, a.ID, analyze.EventProgress, "save", 4, 98)
	f.publish(t, c, a.ID, analyze.EventFailed, "save", 4, 100)
	resumed = append(resumed, second.events(t, f, -1)...)
	wantSteps(t, append(seen, resumed...), a.ID, "progress:profile", "progress:scrape", "progress:ai", "progress:save", "failed:save")

	// ?last_event_id= resumes the same way, from the middle of the stored events.
	f.finish(t, a.ID, analysis.Errored)
	third := openSSE(t, srv, c.token, target+"?last_event_id="+strconv.FormatInt(resumed[0].ID, 10), nil)
	wantSteps(t, third.events(t, f, -1), a.ID, "progress:save", "failed:save")

	// After the closing event there is nothing more: 204.
	end := f.do(t, req{method: http.MethodGet, target: target, token: c.token,
		header: map[string]string{"Last-Event-ID": strconv.FormatInt(resumed[len(resumed)-1].ID, 10)}})
	if end.Code != http.StatusNoContent || end.Body.Len() != 0 {
		t.Errorf("after the end: %d %q", end.Code, end.Body.String())
	}
	for _, bad := range []string{"-1", "abc", "1.5"} {
		wantProblem(t, f.do(t, req{method: http.MethodGet, target: target, token: c.token,
			header: map[string]string{"Last-Event-ID": bad}}), http.StatusBadRequest, apperr.CodeInvalidRequest)
	}
	wantProblem(t, f.get(t, c.token, target+"?last_event_id=x"), http.StatusBadRequest, apperr.CodeInvalidRequest)
}

// finish ends analysis id with outcome (no event), as a run or the reaper would.
func (f *apiFixture) finish(t *testing.T, id string, outcome analysis.Outcome) {
	t.Helper()
	if _, err := f.analyses.Finish(context.Background(), analyze.Finish{ID: id, Outcome: outcome, ErrorCode: "analysis.failed"}); err != nil {
		t.Fatalf("finish %s: %v", id, err)
	}
}

// TestFinishedAnalysisReplaysAndCloses: the stream of an analysis that has already finished
// replays its events and ends at once (no live wait: the recorder returns only when it ends).
func TestFinishedAnalysisReplaysAndCloses(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	c := newAnalysisCaller(t, f)
	a := f.submit(t, c, "done.already", "light")
	f.publish(t, c, a.ID, analyze.EventProgress, "profile", 1, 2)
	f.score(t, c, a.ID, 55, sampleProfile("done.already", 1000))
	f.publish(t, c, a.ID, analyze.EventComplete, "complete", 4, 100)

	rec := f.get(t, c.token, analysesPath+"/"+a.ID+"/events")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/event-stream" {
		t.Fatalf("finished analysis: %d %s", rec.Code, rec.Body.String())
	}
	s := &sseReader{r: bufioOf(rec.Body.String())}
	wantSteps(t, s.events(t, f, -1), a.ID, "progress:profile", "complete:complete")

	// A finished analysis without any event (failed before its first) answers 204 at once.
	quiet := f.submit(t, c, "never.started", "light")
	f.finish(t, quiet.ID, analysis.Expired)
	if rec := f.get(t, c.token, analysesPath+"/"+quiet.ID+"/events"); rec.Code != http.StatusNoContent {
		t.Errorf("finished without events: %d %s", rec.Code, rec.Body.String())
	}
}

// TestBatchEventsStream: a batch's stream carries every item's events and ends only when the
// last item has finished — a cancelled item, which sends no event, counts as finished (seen at
// a heartbeat).
func TestBatchEventsStream(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	f.api.live.heartbeat = 20 * time.Millisecond
	srv := f.server(t)
	c := newAnalysisCaller(t, f)
	bulk := decode[bulkAcceptedJSON](t, f.post(t, c.token, analysesPath+"/bulk", bulkBody(c.profile, "light", "one.b", "two.b", "three.b"), ""), http.StatusAccepted)
	one, two := bulk.Analyses[0].ID, bulk.Analyses[1].ID
	other := f.submit(t, c, "not.in.batch", "light")

	s := openSSE(t, srv, c.token, batchesPath+"/"+bulk.Batch.ID+"/events", nil)
	f.publish(t, c, other.ID, analyze.EventProgress, "profile", 1, 2) // not the batch's: never shown
	f.publish(t, c, one, analyze.EventProgress, "profile", 1, 2)
	f.score(t, c, one, 70, sampleProfile("one.b", 2000))
	f.publish(t, c, one, analyze.EventComplete, "complete", 4, 100)
	f.publish(t, c, two, analyze.EventProgress, "profile", 1, 2)
	got := s.events(t, f, 3) // the stream goes on: two is running, three pending
	f.score(t, c, two, 40, sampleProfile("two.b", 2000))
	f.publish(t, c, two, analyze.EventComplete, "complete", 4, 100)
	got = append(got, s.events(t, f, 1)...)
	if n := decode[cancelBatchJSON](t, f.post(t, c.token, batchesPath+"/"+bulk.Batch.ID+"/cancel", "", ""), http.StatusOK).Cancelled; n != 1 {
		t.Fatalf("cancelled %d, want 1", n)
	}
	if rest := s.events(t, f, -1); len(rest) != 0 { // ends at a heartbeat: every item finished
		t.Errorf("after the cancel: %+v", rest)
	}
	ids := []string{}
	for _, e := range got {
		ids = append(ids, e.AnalysisID+"/"+e.Type)
		if e.BatchID == nil || *e.BatchID != bulk.Batch.ID {
			t.Errorf("event %+v lacks the batch", e)
		}
	}
	want := []string{one + "/analysis.progress", one + "/analysis.complete", two + "/analysis.progress", two + "/analysis.complete"}
	if len(ids) != len(want) || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] || ids[3] != want[3] {
		t.Errorf("batch events %v, want %v", ids, want)
	}
	// The finished batch replays everything and ends; after its last event, 204.
	rec := f.get(t, c.token, batchesPath+"/"+bulk.Batch.ID+"/events")
	if replay := (&sseReader{r: bufioOf(rec.Body.String())}).events(t, f, -1); len(replay) != 4 || rec.Code != http.StatusOK {
		t.Errorf("replay of the finished batch: %d, %d events", rec.Code, len(replay))
	}
	rec = f.get(t, c.token, batchesPath+"/"+bulk.Batch.ID+"/events?last_event_id="+strconv.FormatInt(got[3].ID, 10))
	if rec.Code != http.StatusNoContent {
		t.Errorf("finished batch after its last event: %d", rec.Code)
	}
}

// TestAnalysisEventsHeartbeat: an idle stream gets heartbeat comments, and an analysis that
// finishes without a closing event (the stale-analysis sweeper) ends its stream at the next one.
func TestAnalysisEventsHeartbeat(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	f.api.live.heartbeat = 20 * time.Millisecond
	srv := f.server(t)
	c := newAnalysisCaller(t, f)
	a := f.submit(t, c, "idle.one", "light")
	s := openSSE(t, srv, c.token, analysesPath+"/"+a.ID+"/events", nil)
	for {
		e, ok := s.next(t)
		if !ok {
			t.Fatal("the stream ended before a heartbeat")
		}
		if e.comment == "heartbeat" {
			break
		}
	}
	f.finish(t, a.ID, analysis.Expired)
	if rest := s.events(t, f, -1); len(rest) != 0 {
		t.Errorf("events after the sweep: %+v", rest)
	}
}

// TestActiveAnalyses: the account's pending and running analyses with their latest percent,
// newest first; finished ones and other accounts' are not listed.
func TestActiveAnalyses(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	c, other := newAnalysisCaller(t, f), newAnalysisCaller(t, f)
	first := f.submit(t, c, "active.one", "light")
	second := f.submit(t, c, "active.two", "deep")
	done := f.submit(t, c, "active.done", "light")
	f.submit(t, other, "active.one", "light")
	f.publish(t, c, first.ID, analyze.EventProgress, "ai", 3, 37)
	f.score(t, c, done.ID, 60, sampleProfile("active.done", 100))

	got := decode[activeJSON](t, f.get(t, c.token, analysesPath+"/active"), http.StatusOK)
	if len(got.Data) != 2 || got.Data[0].ID != second.ID || got.Data[1].ID != first.ID ||
		got.Data[1].Progress != 37 || got.Data[1].Step != "ai" || got.Data[0].Status != "pending" {
		t.Fatalf("active = %+v", got.Data)
	}
	if none := decode[activeJSON](t, f.get(t, newAnalysisCaller(t, f).token, analysesPath+"/active"), http.StatusOK); none.Data == nil || len(none.Data) != 0 {
		t.Errorf("a new account's active = %+v, want []", none)
	}
}

// TestStreamsOutliveServerTimeouts: the http.Server's read and write timeouts (server.go: 15 s
// and 30 s) bound ordinary requests, not streams — an SSE stream lifts its read deadline and
// sets a write deadline per write, and a hijacked WebSocket has none. Here both timeouts are
// 50 ms and events still arrive long after them.
func TestStreamsOutliveServerTimeouts(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	f.live.waitStarted(t)
	srv := httptest.NewUnstartedServer(f.engine)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 50*time.Millisecond, 50*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	c := newAnalysisCaller(t, f)
	a := f.submit(t, c, "slow.page", "light")

	s := openSSE(t, srv, c.token, analysesPath+"/"+a.ID+"/events", nil)
	ws, _, err := dialWS(t, srv, "", &websocket.DialOptions{Subprotocols: []string{"bearer", c.token}})
	if err != nil {
		t.Fatal(err)
	}
	wantReady(t, ws)
	time.Sleep(300 * time.Millisecond) // past both timeouts
	f.publish(t, c, a.ID, analyze.EventProgress, "profile", 1, 2)
	wantSteps(t, s.events(t, f, 1), a.ID, "progress:profile")
	wantSteps(t, []eventJSON{readEvent(t, f, ws)}, a.ID, "progress:profile")
}
