package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/oslira/oslira/core/analyze"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/live"
	"github.com/oslira/oslira/core/observe"
)

// ticket asks POST /v1/events/ticket as c.
func (f *apiFixture) ticket(t *testing.T, token string) ticketJSON {
	t.Helper()
	tk := decode[ticketJSON](t, f.post(t, token, "/v1/events/ticket", "", ""), http.StatusCreated)
	if tk.ExpiresIn != 30 || len(tk.Ticket) < 16 {
		t.Fatalf("ticket = %+v", tk)
	}
	return tk
}

// wantReady reads the ready message.
func wantReady(t *testing.T, c *websocket.Conn) int64 {
	t.Helper()
	raw, m := readWS(t, c)
	if m["type"] != "ready" {
		t.Fatalf("first message %s, want ready", raw)
	}
	return int64(m["position"].(float64))
}

// readEvent reads one event message.
func readEvent(t *testing.T, f *apiFixture, c *websocket.Conn) eventJSON {
	t.Helper()
	raw, _ := readWS(t, c)
	return f.eventOf(t, raw)
}

// refusedWith checks a failed handshake: status and problem code, before any upgrade.
func refusedWith(t *testing.T, h handshake, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the handshake succeeded, want %d %s", status, code)
	}
	var p Problem
	_ = json.Unmarshal(h.body, &p)
	if h.status != status || p.Code != code || h.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("handshake: %d %s, want %d %s", h.status, h.body, status, code)
	}
}

// TestEventSocketAuthentication: a ticket opens one socket once; the token as a subprotocol
// (echoed as "bearer" only) and in Authorization work; a bad token, a token in the URL and a
// used ticket are refused with 401 before any upgrade; other origins with 403.
func TestEventSocketAuthentication(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	srv := f.server(t)
	c := newAnalysisCaller(t, f)

	tk := f.ticket(t, c.token)
	ws, _, err := dialWS(t, srv, "?ticket="+tk.Ticket, nil)
	if err != nil {
		t.Fatalf("dial with a ticket: %v", err)
	}
	wantReady(t, ws)
	_, resp, err := dialWS(t, srv, "?ticket="+tk.Ticket, nil)
	refusedWith(t, resp, err, http.StatusUnauthorized, live.CodeTicketInvalid)
	_, resp, err = dialWS(t, srv, "?ticket=not-a-ticket", nil)
	refusedWith(t, resp, err, http.StatusUnauthorized, live.CodeTicketInvalid)

	ws, resp, err = dialWS(t, srv, "", &websocket.DialOptions{Subprotocols: []string{"bearer", c.token}})
	if err != nil || ws.Subprotocol() != "bearer" || resp.header.Get("Sec-WebSocket-Protocol") != "bearer" {
		t.Fatalf("dial with the token as a subprotocol: %v (%q)", err, resp.header.Get("Sec-WebSocket-Protocol"))
	}
	wantReady(t, ws)
	ws, _, err = dialWS(t, srv, "", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.token}}})
	if err != nil {
		t.Fatalf("dial with Authorization: %v", err)
	}
	wantReady(t, ws)

	forged := c.token[:len(c.token)-4] + "AAAA"
	_, resp, err = dialWS(t, srv, "", &websocket.DialOptions{Subprotocols: []string{"bearer", forged}})
	refusedWith(t, resp, err, http.StatusUnauthorized, identity.CodeTokenInvalid)
	for _, q := range []string{"", "?access_token=" + c.token, "?token=" + c.token} {
		_, resp, err = dialWS(t, srv, q, nil)
		refusedWith(t, resp, err, http.StatusUnauthorized, identity.CodeTokenMissing)
	}
	_, resp, err = dialWS(t, srv, "", &websocket.DialOptions{Subprotocols: []string{"bearer", c.token},
		HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	refusedWith(t, resp, err, http.StatusForbidden, CodeOriginForbidden)
	ws, _, err = dialWS(t, srv, "", &websocket.DialOptions{Subprotocols: []string{"bearer", c.token},
		HTTPHeader: http.Header{"Origin": {srv.URL}}})
	if err != nil {
		t.Fatalf("same origin: %v", err)
	}
	wantReady(t, ws)

	// An origin on the CORS allow-list is accepted; the same handler refuses another.
	cfg := Config{CORSAllowedOrigins: []string{"https://app.oslira.com"}}.WithDefaults()
	h := NewHandler(cfg, discardLogger(), NewHealth([]observe.HealthChecker{}, "t"), f.api, mustContract(t), nil)
	srv2 := httptest.NewServer(h)
	t.Cleanup(srv2.Close)
	ws, _, err = dialWS(t, srv2, "", &websocket.DialOptions{Subprotocols: []string{"bearer", c.token},
		HTTPHeader: http.Header{"Origin": {"https://app.oslira.com"}}})
	if err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
	wantReady(t, ws)
	_, resp, err = dialWS(t, srv2, "", &websocket.DialOptions{Subprotocols: []string{"bearer", c.token},
		HTTPHeader: http.Header{"Origin": {"https://app.oslira.com.evil.example"}}})
	refusedWith(t, resp, err, http.StatusForbidden, CodeOriginForbidden)
}

// TestEventSocketStreams: ready with the hub's position, the account's events live, ping/pong,
// resume with ?after= (the missed events, then the live ones: no gap, no duplicate), and the
// socket closed with 1001 when the hub stops.
func TestEventSocketStreams(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	srv := f.server(t)
	c := newAnalysisCaller(t, f)
	a := f.submit(t, c, "socket.one", "light")
	bearer := &websocket.DialOptions{Subprotocols: []string{"bearer", c.token}}

	ws, _, err := dialWS(t, srv, "", bearer)
	if err != nil {
		t.Fatal(err)
	}
	pos := wantReady(t, ws)
	f.publish(t, c, a.ID, analyze.EventProgress, "profile", 1, 2)
	first := readEvent(t, f, ws)
	if first.ID <= pos || first.Type != "analysis.progress" || first.AnalysisID != a.ID || first.Data.Step != "profile" {
		t.Errorf("first event %+v (ready at %d)", first, pos)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	raw, m := readWS(t, ws)
	f.validateSchema(t, "SocketPong", raw)
	if ts, err := time.Parse(time.RFC3339Nano, m["timestamp"].(string)); m["type"] != "pong" || err != nil || ts.IsZero() {
		t.Errorf("pong = %s", raw)
	}
	_ = ws.Close(websocket.StatusNormalClosure, "")

	f.publish(t, c, a.ID, analyze.EventProgress, "scrape", 2, 5) // while disconnected
	f.publish(t, c, a.ID, analyze.EventProgress, "ai", 3, 37)
	ws, _, err = dialWS(t, srv, "?after="+strconv.FormatInt(first.ID, 10), bearer)
	if err != nil {
		t.Fatal(err)
	}
	wantReady(t, ws)
	got := []eventJSON{readEvent(t, f, ws), readEvent(t, f, ws)}
	f.publish(t, c, a.ID, analyze.EventFailed, "ai", 3, 100)
	got = append(got, readEvent(t, f, ws))
	wantSteps(t, got, a.ID, "progress:scrape", "progress:ai", "failed:ai")

	f.live.stop()
	ctx, cancel = context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	_, _, err = ws.Read(ctx)
	if websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("after the hub stopped: %v, want close 1001", err)
	}
	_, resp, err := dialWS(t, srv, "?after=x", bearer)
	refusedWith(t, resp, err, http.StatusBadRequest, "request.invalid")
}

// TestEventSocketIsolation: account B's socket never receives account A's events, live or
// replayed with ?after=, and A's receives only its own.
func TestEventSocketIsolation(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	srv := f.server(t)
	a, b := newAnalysisCaller(t, f), newAnalysisCaller(t, f)
	anA, anB := f.submit(t, a, "same.handle", "light"), f.submit(t, b, "same.handle", "light")

	wsA, _, errA := dialWS(t, srv, "", &websocket.DialOptions{Subprotocols: []string{"bearer", a.token}})
	wsB, _, errB := dialWS(t, srv, "?ticket="+f.ticket(t, b.token).Ticket, nil)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	posB := wantReady(t, wsB)
	wantReady(t, wsA)
	f.publish(t, a, anA.ID, analyze.EventProgress, "profile", 1, 2)
	f.publish(t, a, anA.ID, analyze.EventProgress, "scrape", 2, 5)
	f.publish(t, b, anB.ID, analyze.EventProgress, "profile", 1, 2)
	// Events come in id order: had B been sent A's, they would come before B's own.
	if e := readEvent(t, f, wsB); e.AnalysisID != anB.ID {
		t.Fatalf("B received %+v", e)
	}
	wantSteps(t, []eventJSON{readEvent(t, f, wsA), readEvent(t, f, wsA)}, anA.ID, "progress:profile", "progress:scrape")
	f.publish(t, b, anB.ID, analyze.EventComplete, "complete", 4, 100)
	f.publish(t, a, anA.ID, analyze.EventComplete, "complete", 4, 100)
	if e := readEvent(t, f, wsA); e.AnalysisID != anA.ID || e.Type != "analysis.complete" {
		t.Fatalf("A received %+v", e) // B's complete came first and was not sent to A
	}
	// B resumes from before every event: the replay holds B's two events only.
	wsB2, _, err := dialWS(t, srv, "?after="+strconv.FormatInt(posB, 10), &websocket.DialOptions{Subprotocols: []string{"bearer", b.token}})
	if err != nil {
		t.Fatal(err)
	}
	wantReady(t, wsB2)
	wantSteps(t, []eventJSON{readEvent(t, f, wsB2), readEvent(t, f, wsB2)}, anB.ID, "progress:profile", "complete:complete")
	f.publish(t, b, anB.ID, analyze.EventProgress, "save", 4, 99) // a late duplicate: the next thing B2 gets
	if e := readEvent(t, f, wsB2); e.AnalysisID != anB.ID || e.Data.Step != "save" {
		t.Errorf("B2 received %+v", e)
	}

	// Streams and tickets of another account's analysis or batch: 404, as for ids that do not exist.
	bulk := decode[bulkAcceptedJSON](t, f.post(t, a.token, analysesPath+"/bulk", bulkBody(a.profile, "light", "x1", "x2"), ""), http.StatusAccepted)
	for _, target := range []string{analysesPath + "/" + anA.ID + "/events", batchesPath + "/" + bulk.Batch.ID + "/events"} {
		wantProblem(t, f.get(t, b.token, target), http.StatusNotFound, "resource.not-found")
	}
}

// TestLiveOff: an API without the live ports answers its live routes 503, after
// authentication (TestDefaultDeny covers the 401s without credentials).
func TestLiveOff(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	c := newAnalysisCaller(t, f)
	f.api.WithLive(nil, f.live.source, f.live.tickets)
	a := f.submit(t, c, "no.live", "light")
	for _, r := range []req{
		{method: http.MethodPost, target: "/v1/events/ticket"},
		{method: http.MethodGet, target: analysesPath + "/" + a.ID + "/events"},
		{method: http.MethodGet, target: "/v1/events"},
		{method: http.MethodGet, target: "/v1/events?ticket=abc"},
	} {
		r.token = c.token
		wantProblem(t, f.do(t, r), http.StatusServiceUnavailable, "service.unavailable")
	}
	if got := decode[activeJSON](t, f.get(t, c.token, analysesPath+"/active"), http.StatusOK); len(got.Data) != 1 {
		t.Errorf("active without live = %+v", got) // not a live route
	}
}

// testEventRoutes drives the live routes through the contract validator (TestContract).
func testEventRoutes(t *testing.T, f *apiFixture) {
	f.live.waitStarted(t)
	c := newAnalysisCaller(t, f)
	f.ticket(t, c.token)
	wantProblem(t, f.post(t, "", "/v1/events/ticket", "", ""), http.StatusUnauthorized, identity.CodeTokenMissing)
	p := wantProblem(t, f.get(t, c.token, "/v1/events"), http.StatusBadRequest, "request.invalid")
	if len(p.Errors) != 1 || p.Errors[0].Field != "Upgrade" {
		t.Errorf("plain GET /v1/events: %+v", p)
	}
	wantProblem(t, f.get(t, "", "/v1/events?ticket=unknown"), http.StatusUnauthorized, live.CodeTicketInvalid)
	wantProblem(t, f.do(t, req{method: http.MethodGet, target: "/v1/events", header: map[string]string{
		"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
		"Sec-WebSocket-Protocol": "bearer, " + c.token, "Origin": "https://evil.example"}}), http.StatusForbidden, CodeOriginForbidden)

	a := f.submit(t, c, "contract.live", "light")
	decode[activeJSON](t, f.get(t, c.token, analysesPath+"/active"), http.StatusOK)
	f.publish(t, c, a.ID, analyze.EventProgress, "profile", 1, 2)
	f.score(t, c, a.ID, 90, sampleProfile("contract.live", 100))
	f.publish(t, c, a.ID, analyze.EventComplete, "complete", 4, 100)
	rec := f.get(t, c.token, analysesPath+"/"+a.ID+"/events")
	events := (&sseReader{r: bufioOf(rec.Body.String())}).events(t, f, -1)
	if rec.Code != http.StatusOK || len(events) != 2 {
		t.Fatalf("finished analysis stream: %d, %d events", rec.Code, len(events))
	}
	last := strconv.FormatInt(events[1].ID, 10)
	if rec := f.do(t, req{method: http.MethodGet, target: analysesPath + "/" + a.ID + "/events", token: c.token,
		header: map[string]string{"Last-Event-ID": last}}); rec.Code != http.StatusNoContent {
		t.Errorf("after the end: %d", rec.Code)
	}
	wantProblem(t, f.get(t, c.token, analysesPath+"/"+a.ID+"/events?last_event_id=-2"), http.StatusBadRequest, "request.invalid")
	wantProblem(t, f.get(t, c.token, analysesPath+"/00000000-0000-4000-8000-000000000000/events"), http.StatusNotFound, "resource.not-found")

	bulk := decode[bulkAcceptedJSON](t, f.post(t, c.token, analysesPath+"/bulk", bulkBody(c.profile, "light", "cb1", "cb2"), ""), http.StatusAccepted)
	decode[cancelBatchJSON](t, f.post(t, c.token, batchesPath+"/"+bulk.Batch.ID+"/cancel", "", ""), http.StatusOK)
	if rec := f.get(t, c.token, batchesPath+"/"+bulk.Batch.ID+"/events"); rec.Code != http.StatusNoContent {
		t.Errorf("cancelled batch: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, f.get(t, c.token, batchesPath+"/nope/events"), http.StatusNotFound, "resource.not-found")
}
