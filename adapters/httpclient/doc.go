// Package httpclient is the one place outbound HTTP clients are built (Apify, OpenAI, Anthropic,
// …): go-retryablehttp for retries, sony/gobreaker for a circuit breaker per client, slog for
// request logs without secrets, and a Metrics hook. Other adapters may import it (the one
// adapter-to-adapter import hosts/archtest allows), so every provider gets the same behaviour:
//
//   - a timeout per attempt (Config.Timeout) under the caller's context deadline;
//   - retries only on infrastructure failures: connection errors (dial, DNS; any transport error
//     for idempotent methods), 408, 429 and 5xx except 501/505, plus the statuses a provider adds
//     (Anthropic's 529), minus those it removes (Apify's sync 408 means "switch to polling", not
//     "send again"); never on other 4xx, which are business answers;
//   - exponential backoff with jitter (a random wait between d and 2d, d doubling from BackoffMin
//     up to BackoffMax, the wait capped at BackoffMax), and Retry-After honoured when it asks for
//     at most MaxRetryAfter; a longer Retry-After is not waited for: the response goes back to
//     the caller at once, so a durable workflow can schedule the retry instead of holding a
//     goroutine for minutes;
//   - a circuit breaker: a call that ends (after its retries) in a transport error or a retryable
//     status is a failure; after Breaker.ConsecutiveFailures failures in a row the breaker opens
//     and calls fail fast with ErrCircuitOpen (callers map it to apperr.Unavailable) for
//     Breaker.OpenTimeout, then one probe call is let through (half-open): its success closes the
//     breaker, its failure opens it again. A caller's own cancellation is never counted;
//   - one log line per call (method, host, path, query with the values of credential-looking keys
//     redacted, status, attempts, duration; never headers or bodies) and Metrics events per call,
//     per retry and per breaker state change.
//
// The breaker state is readable (Client.BreakerState) and each client is an observe.HealthChecker
// (non-critical), so /health shows an open breaker.
package httpclient
