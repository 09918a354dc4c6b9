package httpclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryableStatus reports whether a response status is an infrastructure failure worth another
// attempt (and, equally, a failure for the breaker): 408, 429 and 5xx except 501 Not Implemented
// and 505 HTTP Version Not Supported (permanent by definition), adjusted by the client's
// RetryStatuses and NoRetryStatuses.
func (c *Client) retryableStatus(status int) bool {
	if slices.Contains(c.cfg.NoRetryStatuses, status) {
		return false
	}
	if slices.Contains(c.cfg.RetryStatuses, status) {
		return true
	}
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return true
	case status == http.StatusNotImplemented, status == http.StatusHTTPVersionNotSupported:
		return false
	default:
		return status >= 500 && status <= 599
	}
}

// checkRetry is the retryablehttp.CheckRetry of a client. It never retries after the caller's
// context ended, after a permanent transport error (bad certificate, bad scheme, redirect loop),
// after a transport error that may have happened once the request reached the server unless the
// request is idempotent (or the client allows it), or on a response asking to wait longer than
// MaxRetryAfter.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if ok, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !ok {
			return false, nil
		}
		st := stateOf(ctx)
		return beforeSend(err) || st.idempotent || c.cfg.RetryNonIdempotent, nil
	}
	if !c.retryableResponse(resp) {
		return false, nil
	}
	if d, ok := c.cfg.RetryAfter(resp); ok && d > c.cfg.MaxRetryAfter {
		return false, nil
	}
	return true, nil
}

// backoff is the retryablehttp.Backoff of a client: the server's hint when it gave one (checkRetry
// has made sure it is within MaxRetryAfter), else a random wait in [d, 2d] capped at max, where
// d = min·2^attempt (attempt counts from 0).
func (c *Client) backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := c.cfg.RetryAfter(resp); ok {
			return d
		}
	}
	return jittered(lo, hi, attempt)
}

func jittered(lo, hi time.Duration, attempt int) time.Duration {
	d := hi
	if attempt < 30 && lo<<attempt > 0 && lo<<attempt < hi {
		d = lo << attempt
	}
	w := d + rand.N(d+1)
	return min(w, hi)
}

// beforeSend reports whether a transport error happened before any byte of the request could
// reach the server (a failed dial or name lookup), so resending cannot duplicate anything.
func beforeSend(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// isIdempotent reports whether sending req twice has the effect of sending it once: the
// idempotent methods of RFC 9110, or any request carrying an Idempotency-Key.
func isIdempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Header.Get("Idempotency-Key") != ""
}

// RetryAfterHeader reads the standard Retry-After header: delay-seconds or an HTTP date. A date
// in the past is a zero wait. It is the default Config.RetryAfter and is exported for providers
// whose own hint falls back to it.
func RetryAfterHeader(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
