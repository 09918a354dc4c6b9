package httpclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/sony/gobreaker/v2"
)

// Client is one provider's outbound HTTP client. It is safe for concurrent use; build one per
// provider (each has its own breaker) and keep it for the process's life.
type Client struct {
	cfg     Config
	rc      *retryablehttp.Client
	breaker *gobreaker.CircuitBreaker[*http.Response]

	mu        sync.Mutex
	changedAt time.Time // when the breaker last changed state
}

// New builds a client from cfg (see Config for the defaults).
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, changedAt: time.Now()}
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	c.rc = &retryablehttp.Client{
		HTTPClient:      &http.Client{Transport: attemptRecorder{base}, Timeout: cfg.Timeout},
		Logger:          nil, // its own lines carry full URLs; ours are written in Do
		RetryWaitMin:    cfg.BackoffMin,
		RetryWaitMax:    cfg.BackoffMax,
		RetryMax:        cfg.MaxRetries,
		CheckRetry:      c.checkRetry,
		Backoff:         c.backoff,
		ErrorHandler:    retryablehttp.PassthroughErrorHandler,
		RequestLogHook:  c.beforeAttempt,
		ResponseLogHook: nil,
	}
	if !cfg.Breaker.Disabled {
		c.breaker = gobreaker.NewCircuitBreaker[*http.Response](gobreaker.Settings{
			Name:        cfg.Name,
			MaxRequests: cfg.Breaker.HalfOpenRequests,
			Timeout:     cfg.Breaker.OpenTimeout,
			ReadyToTrip: func(n gobreaker.Counts) bool {
				return n.ConsecutiveFailures >= cfg.Breaker.ConsecutiveFailures
			},
			OnStateChange: c.onStateChange,
			IsExcluded: func(err error) bool {
				var g callerGone
				return errors.As(err, &g)
			},
		})
	}
	return c, nil
}

// Name is the client's name.
func (c *Client) Name() string { return c.cfg.Name }

// Do sends req with the client's retries, breaker and logging. req's body, if any, is read into
// memory so it can be sent again.
//
// It returns the last response whatever its status (a 5xx after the last retry, a 429 whose
// Retry-After exceeds MaxRetryAfter, any 4xx): the caller owns and must close its body and maps
// statuses to its own errors. The error is non-nil only when no response is returned: an error
// wrapping ErrCircuitOpen (nothing sent), a *TransportError, the caller's context error, or an
// invalid request.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	start := time.Now()
	st := &callState{idempotent: isIdempotent(req)}
	callerCtx := req.Context()
	rreq, err := retryablehttp.FromRequest(req.WithContext(context.WithValue(callerCtx, stateKey{}, st)))
	if err != nil {
		return nil, fmt.Errorf("%s: building request: %w", c.cfg.Name, err)
	}
	send := func() (*http.Response, error) {
		resp, err := c.rc.Do(rreq)
		if err != nil {
			if callerCtx.Err() != nil {
				return nil, callerGone{callerCtx.Err()}
			}
			return nil, err
		}
		if c.retryableResponse(resp) {
			return resp, errFailedStatus
		}
		return resp, nil
	}
	var resp *http.Response
	if c.breaker != nil {
		resp, err = c.breaker.Execute(send)
	} else {
		resp, err = send()
	}
	var gone callerGone
	switch {
	case err == nil:
	case errors.Is(err, errFailedStatus):
		err = nil
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		err = fmt.Errorf("%s: %w", c.cfg.Name, ErrCircuitOpen)
	case errors.As(err, &gone):
		err = gone.err
	default:
		err = &TransportError{Client: c.cfg.Name, Method: req.Method, URL: SafeURL(req.URL), Attempts: st.attempts, Err: unwrapURLError(err)}
	}
	c.report(req, resp, err, st.attempts, time.Since(start))
	return resp, err
}

// report writes the call's log line and metrics event.
func (c *Client) report(req *http.Request, resp *http.Response, err error, attempts int, d time.Duration) {
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	c.cfg.Metrics.Call(CallEvent{Client: c.cfg.Name, Method: req.Method, Host: req.URL.Host, Status: status, Attempts: attempts, Duration: d, Err: err})
	level := slog.LevelInfo
	if err != nil || c.retryableStatus(status) {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("client", c.cfg.Name),
		slog.String("method", req.Method),
		slog.String("url", SafeURL(req.URL)),
		slog.Int("status", status),
		slog.Int("attempts", attempts),
		slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.cfg.Logger.LogAttrs(req.Context(), level, "outbound http call", attrs...)
}

// beforeAttempt is retryablehttp's RequestLogHook: attempt i > 0 is a retry, reported with the
// status of the attempt before it and the time actually waited.
func (c *Client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, i int) {
	if i == 0 {
		return
	}
	st := stateOf(req.Context())
	st.mu.Lock()
	ev := RetryEvent{Client: c.cfg.Name, Method: req.Method, Host: req.URL.Host, Attempt: i, Status: st.lastStatus, Wait: time.Since(st.lastEnd)}
	st.mu.Unlock()
	c.cfg.Metrics.Retry(ev)
	c.cfg.Logger.LogAttrs(req.Context(), slog.LevelDebug, "outbound http retry",
		slog.String("client", c.cfg.Name), slog.String("url", SafeURL(req.URL)),
		slog.Int("after_status", ev.Status), slog.Int("attempt", i+1), slog.Duration("waited", ev.Wait))
}

// errFailedStatus marks, for the breaker only, a call that ended with a retryable status.
var errFailedStatus = errors.New("retryable status")

// callerGone marks, for the breaker only, a call abandoned by its caller (context cancelled or its
// deadline passed): not the provider's fault, so neither a success nor a failure.
type callerGone struct{ err error }

func (g callerGone) Error() string { return g.err.Error() }

// callState is one call's bookkeeping, shared with the hooks through the request context.
type callState struct {
	idempotent bool

	mu         sync.Mutex
	attempts   int
	lastStatus int
	lastEnd    time.Time
}

type stateKey struct{}

func stateOf(ctx context.Context) *callState {
	if st, ok := ctx.Value(stateKey{}).(*callState); ok {
		return st
	}
	return &callState{}
}

// attemptRecorder counts attempts and records how each ended, for retry events and the call log.
type attemptRecorder struct{ next http.RoundTripper }

func (a attemptRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(req)
	st := stateOf(req.Context())
	st.mu.Lock()
	st.attempts++
	st.lastStatus = 0
	if resp != nil {
		st.lastStatus = resp.StatusCode
	}
	st.lastEnd = time.Now()
	st.mu.Unlock()
	return resp, err
}

// unwrapURLError drops *url.Error's URL (which may carry a query credential) and keeps its cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
