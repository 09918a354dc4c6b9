package httpclient

import (
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Defaults for a zero Config field.
const (
	DefaultTimeout             = 30 * time.Second
	DefaultMaxRetries          = 3
	DefaultBackoffMin          = 500 * time.Millisecond
	DefaultBackoffMax          = 30 * time.Second
	DefaultMaxRetryAfter       = 60 * time.Second
	DefaultConsecutiveFailures = 5
	DefaultOpenTimeout         = 30 * time.Second
	DefaultHalfOpenRequests    = 1
)

// Config describes one outbound client. Only Name is required; every zero field takes its default.
type Config struct {
	// Name identifies the client in logs, metrics, the breaker and /health ("apify", "openai").
	Name string
	// Timeout bounds each attempt (connect, headers and body); the caller's context bounds the
	// whole call, retries and waits included.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt (so MaxRetries+1 attempts at
	// most). NoRetries makes a client that never retries (MaxRetries is then ignored).
	MaxRetries int
	NoRetries  bool
	// BackoffMin and BackoffMax bound the exponential backoff between attempts.
	BackoffMin time.Duration
	BackoffMax time.Duration
	// MaxRetryAfter is the longest server-requested wait (Retry-After, or RetryAfter's hint) the
	// client honours; a response asking for longer is returned to the caller without retrying.
	MaxRetryAfter time.Duration
	// RetryStatuses are statuses retried in addition to 408, 429 and 5xx (Anthropic: 529 is a 5xx
	// already, but a provider may use a 4xx for "overloaded"). NoRetryStatuses are statuses never
	// retried even though the defaults would (Apify's sync endpoint: 408). A status's retry
	// decision is also its breaker verdict: retried statuses count as failures.
	RetryStatuses   []int
	NoRetryStatuses []int
	// RetryNonIdempotent retries transport failures that happen after a POST or PATCH may have
	// reached the server (timeouts, resets). Off by default: resending may start a second paid
	// job. Connection failures before anything was sent are always retried.
	RetryNonIdempotent bool
	// RetryAfter extracts a provider's "wait this long" hint from a response (for example
	// OpenAI's x-ratelimit-reset-requests); nil reads the standard Retry-After header.
	RetryAfter func(*http.Response) (time.Duration, bool)
	// Final tells, from a response whose status would be retried, that retrying cannot help
	// (OpenAI's 429 with code insufficient_quota): such a response is returned at once and is
	// not a breaker failure. It sees the status, the headers and up to 64 KiB of the body (the
	// caller still reads the whole body). nil: every retryable status is retried.
	Final func(status int, header http.Header, body []byte) bool
	// Breaker tunes the circuit breaker.
	Breaker BreakerConfig
	// Logger receives one line per call; nil discards. Metrics receives events; nil discards.
	Logger  *slog.Logger
	Metrics Metrics
	// Transport is the underlying round tripper; nil uses a pooled transport of its own.
	Transport http.RoundTripper
}

// BreakerConfig tunes a client's circuit breaker.
type BreakerConfig struct {
	// ConsecutiveFailures failed calls in a row open the breaker.
	ConsecutiveFailures uint32
	// OpenTimeout is how long the breaker stays open before letting a probe through.
	OpenTimeout time.Duration
	// HalfOpenRequests is how many probe calls the half-open breaker lets through; that many
	// successes close it.
	HalfOpenRequests uint32
	// Disabled turns the breaker off (every call goes through).
	Disabled bool
}

func (c Config) withDefaults() (Config, error) {
	if c.Name == "" {
		return c, errors.New("httpclient: Config.Name is required")
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.NoRetries {
		c.MaxRetries = 0
	} else if c.MaxRetries <= 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = DefaultBackoffMin
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = DefaultBackoffMax
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = c.BackoffMin
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if c.RetryAfter == nil {
		c.RetryAfter = RetryAfterHeader
	}
	if c.Breaker.ConsecutiveFailures == 0 {
		c.Breaker.ConsecutiveFailures = DefaultConsecutiveFailures
	}
	if c.Breaker.OpenTimeout <= 0 {
		c.Breaker.OpenTimeout = DefaultOpenTimeout
	}
	if c.Breaker.HalfOpenRequests == 0 {
		c.Breaker.HalfOpenRequests = DefaultHalfOpenRequests
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = NopMetrics{}
	}
	return c, nil
}
