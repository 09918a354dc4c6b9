package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/identity"
	"github.com/oslira/oslira/core/live"
	"github.com/oslira/oslira/core/tenant"
	"github.com/oslira/oslira/hosts/bootstrap/logctx"
)

// WebSocket settings.
const (
	// wsPingInterval is how often the server pings a socket (a WebSocket ping frame; browsers
	// answer it themselves); a socket whose pong does not come within wsPongWait is closed.
	wsPingInterval = 30 * time.Second
	wsPongWait     = 15 * time.Second
	// wsReadLimit bounds a client message: clients only send {"type":"ping"}.
	wsReadLimit = 1024
	// wsBearer is the subprotocol that carries an access token: a browser's
	// new WebSocket(url, ["bearer", token]) sends "Sec-WebSocket-Protocol: bearer, <token>", and
	// the server selects "bearer" (never echoing the token).
	wsBearer = "bearer"
)

// CodeOriginForbidden: a WebSocket opened from a page whose origin is not allowed.
const CodeOriginForbidden = "auth.origin-forbidden"

var errOriginForbidden = apperr.New(apperr.Forbidden, CodeOriginForbidden,
	"This origin may not open the event socket; it is not on the API's CORS allow-list.")

// errNotUpgrade answers a plain GET of the socket route.
var errNotUpgrade = apperr.Validation(apperr.CodeInvalidRequest, "GET /v1/events is a WebSocket",
	apperr.FieldError{Field: "Upgrade", Message: "must be websocket (with Connection: Upgrade)"})

// issueTicket answers POST /v1/events/ticket: 201 with a single-use ticket for GET
// /v1/events?ticket=, valid for live.TicketTTL. No Idempotency-Key: an idempotent replay would
// have to store the ticket itself, and a lost answer costs only another ticket.
func (a *API) issueTicket(c *gin.Context) {
	t, err := a.live.tickets.Issue(c.Request.Context(), principal(c), live.TicketTTL)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, ticketJSON{Ticket: t, ExpiresIn: int(live.TicketTTL / time.Second)})
}

// authenticateSocket admits the WebSocket request (it is outside the bearer group because a
// browser cannot set Authorization on a WebSocket), before any upgrade. Credentials, in order:
//
//	?ticket=<ticket>                              a single-use ticket (POST /v1/events/ticket)
//	Sec-WebSocket-Protocol: bearer, <access token> the browser's way to send the token
//	Authorization: Bearer <access token>          other clients
//
// An access token in the URL is never read (URLs end up in logs). Without credentials the
// answer is the bearer group's 401 auth.token-missing; a bad ticket is 401 auth.ticket-invalid;
// a bad token the same 401s (and 403s) as authenticate's. The principal is then set as
// authenticate sets it.
func (a *API) authenticateSocket(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	ctx := c.Request.Context()
	var p tenant.Principal
	if ticket, ok := c.GetQuery("ticket"); ok {
		if a.live == nil {
			refuse(c, errLiveOff, false)
			return
		}
		var err error
		if p, err = a.live.tickets.Redeem(ctx, ticket); err != nil {
			refuse(c, err, false)
			return
		}
	} else {
		token, presented := protocolToken(c.Request.Header)
		if !presented {
			token, presented = bearerToken(c.GetHeader("Authorization"))
		}
		if !presented {
			refuse(c, identity.ErrTokenMissing, false)
			return
		}
		claims, err := a.verifier.Verify(ctx, token)
		if err != nil {
			refuse(c, err, true)
			return
		}
		if p, err = a.accounts.Resolve(ctx, claims); err != nil {
			refuse(c, err, false)
			return
		}
	}
	c.Set(principalKey, p)
	c.Request = c.Request.WithContext(logctx.WithUser(ctx, p.UserID, p.AccountID))
	c.Next()
}

// protocolToken reads the token of "Sec-WebSocket-Protocol: bearer, <token>".
func protocolToken(h http.Header) (token string, presented bool) {
	var protos []string
	for _, v := range h.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			protos = append(protos, strings.TrimSpace(p))
		}
	}
	for i, p := range protos {
		if strings.EqualFold(p, wsBearer) && i+1 < len(protos) && protos[i+1] != "" {
			return protos[i+1], true
		}
	}
	return "", false
}

// eventsSocket answers GET /v1/events: a WebSocket carrying every progress event of the
// caller's account (AnalysisEvent messages). See the contract for the protocol: the first
// message is {"type":"ready","position":N}; ?after=M first replays the stored events in
// (M, N]; {"type":"ping"} gets {"type":"pong","timestamp":…}. The server pings every 30 s,
// closes with 1008 (policy violation) a socket that fell too far behind (reconnect with
// ?after=<last id>), and with 1001 (going away) when the process stops.
//
// Origins: a browser page may connect only from an origin the CORS middleware allowed (it
// echoed it in Access-Control-Allow-Origin: the Config.CORSAllowedOrigins list) or from the
// API's own origin; other clients send no Origin. A refused origin is 403 before the upgrade.
func (a *API) eventsSocket(c *gin.Context) {
	raw, resume := c.GetQuery("after")
	after, err := position("after", raw)
	if err != nil {
		_ = c.Error(err)
		return
	}
	if !resume {
		after = -1 // no replay: live from the subscription on
	}
	if !isUpgrade(c.Request) {
		c.Header("Upgrade", "websocket")
		_ = c.Error(errNotUpgrade)
		return
	}
	patterns, ok := socketOrigin(c)
	if !ok {
		_ = c.Error(errOriginForbidden)
		return
	}
	opts := &websocket.AcceptOptions{OriginPatterns: patterns}
	if _, bearer := protocolToken(c.Request.Header); bearer {
		opts.Subprotocols = []string{wsBearer}
	}
	p := principal(c)
	f := live.Filter{AccountID: p.AccountID} // the caller's account, never another
	sub := a.live.hub.Subscribe(f)
	conn, err := websocket.Accept(c.Writer, c.Request, opts)
	if err != nil {
		sub.Close()
		return // Accept has answered
	}
	conn.SetReadLimit(wsReadLimit)
	// The socket runs on a goroutine of its own and the handler returns: the hijacked
	// connection outlives it, and the HTTP goroutine's stack — grown deep by the middleware and
	// the token check — is released instead of being held by every idle socket. The request's
	// context ends when the handler returns, so the socket keeps only its values (request id,
	// caller, for the logs); the hub's stop or the peer's close ends it.
	ctx := context.WithoutCancel(c.Request.Context())
	ws := &socket{conn: conn, live: a.live}
	go func() {
		defer sub.Close()
		status, reason := ws.serve(ctx, p, f, sub, after)
		_ = conn.Close(status, reason)
	}()
}

// isUpgrade reports a WebSocket handshake (Connection: Upgrade, Upgrade: websocket).
func isUpgrade(r *http.Request) bool {
	has := func(name, token string) bool {
		for _, v := range r.Header.Values(name) {
			for _, t := range strings.Split(v, ",") {
				if strings.EqualFold(strings.TrimSpace(t), token) {
					return true
				}
			}
		}
		return false
	}
	return has("Connection", "upgrade") && has("Upgrade", "websocket")
}

// socketOrigin checks the request's Origin and returns the OriginPatterns for Accept: none
// for a request without Origin or from the API's own host (Accept allows those itself), the
// origin exactly for one the CORS middleware allowed.
func socketOrigin(c *gin.Context) ([]string, bool) {
	origin := c.GetHeader("Origin")
	if origin == "" {
		return nil, true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return nil, false
	}
	if strings.EqualFold(u.Host, c.Request.Host) {
		return nil, true
	}
	if allowed := c.Writer.Header().Get("Access-Control-Allow-Origin"); allowed != "" && allowed == origin {
		return []string{matchLiteral(strings.ToLower(u.Scheme + "://" + u.Host))}, true
	}
	return nil, false
}

// matchLiteral escapes path.Match's special characters (an IPv6 host has brackets).
func matchLiteral(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// socket is one accepted WebSocket.
type socket struct {
	conn *websocket.Conn
	live *liveRoutes
}

// serve runs the socket until it ends and returns the close status: ready, the replay of the
// stored events in (after, sub.From()] unless after is -1 (no ?after=), then
// the live events and the pings, while a reader answers the client's pings (and receives the
// pongs of the server's).
func (s *socket) serve(parent context.Context, p tenant.Principal, f live.Filter, sub *live.Subscription, after int64) (websocket.StatusCode, string) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	go s.read(ctx, cancel)

	if err := s.send(ctx, readyJSON{Type: "ready", Position: sub.From()}); err != nil {
		return websocket.StatusInternalError, ""
	}
	last := max(after, 0)
	if after >= 0 {
		var sendErr error
		err := s.live.eachStored(ctx, p, f, last, sub.From(), func(e live.Event) (bool, error) {
			if sendErr = s.send(ctx, toEventJSON(e)); sendErr != nil {
				return true, sendErr
			}
			last = e.ID
			return false, nil
		})
		switch {
		case sendErr != nil:
			return websocket.StatusInternalError, ""
		case err != nil:
			return websocket.StatusTryAgainLater, "cannot replay; reconnect"
		}
	}
	ping := time.NewTicker(s.live.ping)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return websocket.StatusGoingAway, ""
		case <-sub.Done():
			if errors.Is(sub.Err(), live.ErrSlow) {
				return websocket.StatusPolicyViolation, "too slow: reconnect with ?after=<last id>"
			}
			return websocket.StatusGoingAway, "server stopping: reconnect"
		case e := <-sub.C():
			if e.ID <= last {
				continue
			}
			if s.send(ctx, toEventJSON(e)) != nil {
				return websocket.StatusInternalError, ""
			}
			last = e.ID
		case <-ping.C:
			go s.pingOnce(ctx, cancel)
		}
	}
}

// read answers the client's {"type":"ping"} messages until the connection ends, then cancels
// the socket. It is the one reader, which also processes the pong frames Ping waits for.
func (s *socket) read(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			return
		}
		var m clientMessage
		if json.Unmarshal(data, &m) == nil && m.Type == "ping" {
			if s.send(ctx, pongJSON{Type: "pong", Timestamp: time.Now().UTC()}) != nil {
				return
			}
		}
	}
}

// pingOnce sends a ping frame and cancels the socket when no pong comes within wsPongWait.
func (s *socket) pingOnce(ctx context.Context, cancel context.CancelFunc) {
	ctx, stop := context.WithTimeout(ctx, wsPongWait)
	defer stop()
	if err := s.conn.Ping(ctx); err != nil {
		cancel()
	}
}

// send writes one JSON text message within streamWriteWait (coder/websocket serializes
// concurrent writers).
func (s *socket) send(ctx context.Context, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, streamWriteWait)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, data)
}
