package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/live"
	"github.com/oslira/oslira/core/tenant"
)

// Live stream settings.
const (
	// sseRetry is the reconnection delay suggested to EventSource clients ("retry:" field).
	sseRetry = 3 * time.Second
	// sseHeartbeat is the interval of the SSE comment lines that keep proxies from closing an
	// idle stream; each also re-checks whether the analysis or batch has finished meanwhile.
	sseHeartbeat = 15 * time.Second
	// streamWriteWait bounds each write of a stream: a client that stops reading is dropped
	// instead of holding the handler.
	streamWriteWait = 10 * time.Second
	// replayPage is how many stored events one Replay call reads.
	replayPage = 500
)

// liveRoutes is what the live routes run on (WithLive), with their intervals (tests shorten
// them).
type liveRoutes struct {
	hub       *live.Hub
	replay    live.Replayer
	tickets   live.Tickets
	heartbeat time.Duration // SSE heartbeat comment
	ping      time.Duration // WebSocket ping frame
}

// errLiveOff answers the live routes of an API built without the live ports.
var errLiveOff = apperr.New(apperr.Unavailable, apperr.CodeUnavailable, "Live progress is not available on this server.")

// requireLive stops the request with 503 when the API has no live progress.
func (a *API) requireLive(c *gin.Context) {
	if a.live == nil {
		_ = c.Error(errLiveOff)
		c.Abort()
	}
}

// resumeAfter reads the position an SSE client resumes from: the Last-Event-ID header an
// EventSource sends on reconnection, else ?last_event_id= (for a first connection that already
// knows where it stopped), else 0 — every stored event. Not a non-negative integer: 400.
func resumeAfter(c *gin.Context) (int64, error) {
	field, raw := "Last-Event-ID", strings.TrimSpace(c.GetHeader("Last-Event-ID"))
	if raw == "" {
		field, raw = "last_event_id", c.Query("last_event_id")
	}
	return position(field, raw)
}

// position parses an event position ("" is 0).
func position(field, raw string) (int64, error) {
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Validation(apperr.CodeInvalidRequest, "invalid event position",
			apperr.FieldError{Field: field, Message: "must be an event id: a whole number, 0 or more"})
	}
	return n, nil
}

// analysisEvents answers GET /v1/analyses/{id}/events: the analysis's progress as Server-Sent
// Events (see stream). 404 unless the analysis is the caller's. It ends after the complete or
// failed event; an analysis that has already finished replays and ends at once.
func (a *API) analysisEvents(c *gin.Context) {
	p := principal(c)
	an, err := a.analyses.Get(c.Request.Context(), p, c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	a.live.stream(c, p, live.Filter{AccountID: p.AccountID, AnalysisID: an.ID}, streamEnd{
		finished:   an.Status.Terminal(),
		onTerminal: func(context.Context) (bool, error) { return true, nil },
		check: func(ctx context.Context) (bool, error) {
			now, err := a.analyses.Get(ctx, p, an.ID)
			return now.Status.Terminal(), err
		},
	})
}

// batchEvents answers GET /v1/batches/{id}/events: the progress of every item of the batch, as
// Server-Sent Events. 404 unless the batch is the caller's. It ends when every item has
// finished (completed, failed or cancelled), checked after each item's closing event and at
// each heartbeat (cancelled items publish no event).
func (a *API) batchEvents(c *gin.Context) {
	p := principal(c)
	b, err := a.analyses.Batch(c.Request.Context(), p, c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	check := func(ctx context.Context) (bool, error) {
		now, err := a.analyses.Batch(ctx, p, b.ID)
		return now.Counts[analysis.Pending]+now.Counts[analysis.Running] == 0, err
	}
	a.live.stream(c, p, live.Filter{AccountID: p.AccountID, BatchID: b.ID}, streamEnd{
		finished:   b.Counts[analysis.Pending]+b.Counts[analysis.Running] == 0,
		onTerminal: check,
		check:      check,
	})
}

// streamEnd says when a stream is over.
type streamEnd struct {
	// finished: the stream's subject had already finished when the request came: replay, end.
	finished bool
	// onTerminal is asked after each complete or failed event: is the subject finished now?
	onTerminal func(context.Context) (bool, error)
	// check is asked at each heartbeat, for subjects that finish without an event.
	check func(context.Context) (bool, error)
}

// stream serves the events of f as Server-Sent Events:
//
//	retry: 3000             (once)
//	id: <event id>          (the position; the browser resends it as Last-Event-ID)
//	event: progress | complete | failed
//	data: <AnalysisEvent JSON>
//	: heartbeat             (every 15 s)
//
// Replay-then-live without gap or duplicate: it subscribes first, replays the stored events in
// (after, sub.From()] through the Replayer (the caller's scope), then reads the subscription,
// which delivers exactly the events after From. It ends when end says the subject finished,
// answering 204 No Content instead when a finished subject has nothing to replay (what an
// EventSource gets when it reconnects after the closing event: 204 stops it),
// when the client leaves, when the hub stops (the client reconnects, to this process or
// another, with Last-Event-ID), or when the client is too slow (the same). HEAD gets the
// headers only.
//
// The server's write timeout would cut a long stream: each write gets its own deadline,
// streamWriteWait, instead. (Its read timeout does not: net/http lifts the read deadline once
// a request without a body has been read.)
func (l *liveRoutes) stream(c *gin.Context, p tenant.Principal, f live.Filter, end streamEnd) {
	after, err := resumeAfter(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	s := &sseStream{c: c, rc: http.NewResponseController(c.Writer), last: after}
	if c.Request.Method == http.MethodHead {
		_ = s.start() // the headers only: nothing is written to fail
		return
	}
	ctx := c.Request.Context()
	sub := l.hub.Subscribe(f)
	defer sub.Close()

	upTo, onTerminal := sub.From(), end.onTerminal
	if end.finished {
		// Read every stored event, those written but not yet dispatched included: the stream
		// ends after them, whatever closing events they hold (a batch has one per item).
		upTo, onTerminal = math.MaxInt64, nil
	}
	ended, err := l.replayInto(ctx, p, f, s, upTo, onTerminal)
	switch {
	case err != nil && !s.started:
		_ = c.Error(err)
		return
	case err != nil:
		return
	case (ended || end.finished) && !s.started:
		// Nothing left to say about a finished subject: 204 tells an EventSource to stop
		// reconnecting (it reconnects after every stream's end, with the last id it saw).
		c.Status(http.StatusNoContent)
		return
	case ended || end.finished:
		return
	}
	if s.start() != nil {
		return
	}
	beat := time.NewTicker(l.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Done():
			return
		case e := <-sub.C():
			if e.ID <= s.last {
				continue
			}
			if s.event(e) != nil {
				return
			}
			if e.Terminal() {
				if over, err := end.onTerminal(ctx); over || err != nil {
					return
				}
			}
		case <-beat.C:
			if s.comment("heartbeat") != nil {
				return
			}
			if over, err := end.check(ctx); err != nil || over {
				if err == nil {
					_, _ = l.replayInto(ctx, p, f, s, math.MaxInt64, nil)
				}
				return
			}
		}
	}
}

// replayInto sends the stored events of f after s.last and up to upTo; ended reports that a
// terminal event finished the subject (onTerminal; nil: never).
func (l *liveRoutes) replayInto(ctx context.Context, p tenant.Principal, f live.Filter, s *sseStream, upTo int64,
	onTerminal func(context.Context) (bool, error)) (ended bool, err error) {
	err = l.eachStored(ctx, p, f, s.last, upTo, func(e live.Event) (bool, error) {
		if err := s.event(e); err != nil {
			return false, err
		}
		if e.Terminal() && onTerminal != nil {
			over, err := onTerminal(ctx)
			if over || err != nil {
				ended = true
				return true, err
			}
		}
		return false, nil
	})
	return ended, err
}

// eachStored calls send for every stored event of f with after < ID ≤ upTo, in order, reading
// them replayPage at a time (the replay of both the SSE streams and the WebSocket); it stops when
// send asks to or fails, and returns send's or the Replayer's error.
func (l *liveRoutes) eachStored(ctx context.Context, p tenant.Principal, f live.Filter, after, upTo int64,
	send func(live.Event) (stop bool, err error)) error {
	for after < upTo {
		events, err := l.replay.Replay(ctx, p, f, after, upTo, replayPage)
		if err != nil {
			return err
		}
		for _, e := range events {
			if stop, err := send(e); stop || err != nil {
				return err
			}
			after = e.ID
		}
		if len(events) < replayPage {
			return nil
		}
	}
	return nil
}

// sseStream writes one SSE response; last is the id of the last event sent (or the resume
// position).
type sseStream struct {
	c       *gin.Context
	rc      *http.ResponseController
	last    int64
	started bool
}

// start writes the headers and the retry hint, once.
func (s *sseStream) start() error {
	if s.started {
		return nil
	}
	s.started = true
	h := s.c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	s.c.Status(http.StatusOK)
	return s.write(fmt.Sprintf("retry: %d\n\n", sseRetry.Milliseconds()))
}

// event writes one event and flushes it.
func (s *sseStream) event(e live.Event) error {
	if err := s.start(); err != nil {
		return err
	}
	data, err := json.Marshal(toEventJSON(e))
	if err != nil {
		return err
	}
	if err := s.write(fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", e.ID, eventName(e), data)); err != nil {
		return err
	}
	s.last = e.ID
	return nil
}

// comment writes an SSE comment line (ignored by clients; keeps the connection busy).
func (s *sseStream) comment(text string) error { return s.write(": " + text + "\n\n") }

// write sends text with its own write deadline and flushes it. A writer without deadlines
// (a test recorder, HEAD's body-less writer) is written to as it is.
func (s *sseStream) write(text string) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(streamWriteWait)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := s.c.Writer.WriteString(text); err != nil {
		return err
	}
	s.c.Writer.Flush()
	return nil
}
