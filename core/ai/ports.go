package ai

//go:generate go tool mockgen -typed -source=ports.go -destination=../../adapters/mock/aimock/ports_mock.go -package=aimock

import (
	"context"
	"time"
)

// LLM is the port the use cases call (analysis, onboarding); the Gateway implements it.
//
// Complete returns an answer valid against req.Schema, or an error of this package's kinds:
// ErrInvalidRequest (Invalid) for a request that cannot be sent; ErrRateLimited/ErrUnavailable
// (retryable, possibly carrying RetryAfter) when no provider could answer; ErrQuotaExhausted,
// ErrRejected, ErrRefused, ErrMalformedOutput, ErrSchemaViolation (Internal) otherwise; or
// ctx's error. Calls are billed to req.AccountID; nothing is tenant-scoped beyond that.
type LLM interface {
	Complete(ctx context.Context, req Request) (Response, error)
}

// Provider is one LLM vendor's API (adapters/openai, adapters/anthropic, adapters/offline).
//
// Name is a stable lowercase identifier ("openai"), part of cache keys and ai_usage rows.
// Complete sends one call and returns the raw completion: content problems (truncated output,
// a refusal, text that is not JSON) are fields of the Completion, not errors. Errors, after the
// adapter's own HTTP retries: ErrRateLimited (429; may carry RetryAfter), ErrUnavailable
// (connection failures, timeouts, 5xx, 529, an open circuit breaker), ErrQuotaExhausted
// (never retried by the adapter), ErrRejected (any other refusal of the request); or ctx's
// error when it ended the call. Errors never contain API keys or prompts. Safe for concurrent
// use.
type Provider interface {
	Name() string
	Complete(ctx context.Context, c Call) (Completion, error)
}

// CachedAnswer is what the ResponseCache keeps per key: the validated answer and what it cost
// when it was made (the money a hit saves).
type CachedAnswer struct {
	Provider   string
	Model      string
	JSON       []byte
	Usage      Usage
	CostMicros int64
	CostKnown  bool
	CreatedAt  time.Time
}

// ResponseCache is the exact-match response cache (adapters/postgres: table llm_cache). It is
// system data, shared by every account: an answer depends only on the prompts and the schema,
// which are in the key.
//
// Get returns the answer stored under key unless it expired (found false). Put stores a under
// key until now + ttl, replacing an older entry. Keys are compared on every field (see CacheKey). Errors are apperr.Unavailable when the store
// cannot be reached; the Gateway treats a Get error as a miss and ignores a Put error, so a
// cache outage never fails a call.
type ResponseCache interface {
	Get(ctx context.Context, key CacheKey) (a CachedAnswer, found bool, err error)
	Put(ctx context.Context, key CacheKey, a CachedAnswer, ttl time.Duration) error
}

// Statuses of a UsageRecord.
const (
	StatusOK    = "ok"
	StatusError = "error"
)

// UsageRecord is one attempt of one call, as ai_usage stores it.
type UsageRecord struct {
	// AccountID is the account billed; "" for system work and anonymous analyses.
	AccountID string
	Purpose   string
	Tier      Tier
	Provider  string
	Model     string
	Usage     Usage
	// CostMicros is what the attempt cost (0 for cache hits and free providers); when
	// CostKnown is false the model had no price and CostMicros is 0.
	CostMicros int64
	CostKnown  bool
	// SavedMicros is what a cache hit saved (the cost of the answer it replayed).
	SavedMicros int64
	Latency     time.Duration
	CacheHit    bool
	// Status is StatusOK, or StatusError with ErrorCode (an ai.* code: the attempt that was
	// malformed, rate limited, …).
	Status    string
	ErrorCode string
	At        time.Time
}

// UsageRecorder stores UsageRecords (adapters/postgres: table ai_usage, readable by the
// account's members). Errors are apperr.Unavailable when the store cannot be reached; the
// Gateway logs them and still returns its answer (the provider has been paid already; failing
// the call would make the caller pay again).
type UsageRecorder interface {
	Record(ctx context.Context, r UsageRecord) error
}

// SchemaValidator checks a JSON document against a JSON Schema (adapters/jsonschema).
//
// Validate returns nil when doc satisfies s, an error wrapping ErrSchemaViolation that names
// the first violations when it does not (or when doc is not JSON), and ErrInvalidRequest when
// s itself is not a valid schema. Implementations may cache compiled schemas by name and
// content. Safe for concurrent use.
type SchemaValidator interface {
	Validate(s Schema, doc []byte) error
}
