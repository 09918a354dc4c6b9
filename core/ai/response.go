package ai

import (
	"encoding/json"
	"time"
)

// Usage counts the tokens of one call, normalised across providers.
type Usage struct {
	// Input is every prompt token, cached or not (OpenAI's prompt_tokens; Anthropic's
	// input_tokens + cache_creation_input_tokens + cache_read_input_tokens).
	Input int64 `json:"input"`
	// Output is every generated token, reasoning tokens included.
	Output int64 `json:"output"`
	// Cached is the part of Input read from the provider's prompt cache (billed at the cached
	// rate): OpenAI's prompt_tokens_details.cached_tokens, Anthropic's cache_read_input_tokens.
	Cached int64 `json:"cached"`
	// CacheWrite is the part of Input written to the provider's prompt cache (Anthropic's
	// cache_creation_input_tokens, billed at the cache-write rate); 0 for OpenAI.
	CacheWrite int64 `json:"cache_write"`
}

// Response is a validated answer.
type Response struct {
	// JSON is the answer, valid against the request's schema.
	JSON json.RawMessage
	// Usage is what this call consumed: zero for an answer from the response cache.
	Usage Usage
	// CostMicros is what this call cost in micro-dollars (0 for a cache hit or the offline
	// analyzer). Meaningful only when CostKnown.
	CostMicros int64
	// CostKnown is false when the answering model is not in the price table.
	CostKnown bool
	// SavedMicros is, for a cache hit, what the replayed answer cost when it was first made.
	SavedMicros int64
	// Provider and Model say who answered ("openai", "gpt-5-mini-2025-08-07"; "offline",
	// "offline"). For a cache hit, who answered first.
	Provider string
	Model    string
	// Latency is the wall time of the call that produced this answer (or of the cache lookup).
	Latency time.Duration
	// CacheHit is true when a cache answered: the Gateway's response cache, or the AI gateway's
	// (Cloudflare's cf-aig-cache-status: HIT).
	CacheHit bool
}

// Decode unmarshals the answer into v.
func (r Response) Decode(v any) error { return json.Unmarshal(r.JSON, v) }

// Call is what the Gateway asks of one Provider: a Request resolved to a concrete model, schema
// document and token budget.
type Call struct {
	Purpose   string
	AccountID string
	Model     string
	System    string
	User      string
	Schema    Schema
	MaxTokens int
	Effort    Effort
	Facts     *Facts
}

// Completion is a provider's raw answer. Content problems are reported in its fields, not as
// errors, so that the tokens they cost are still recorded; errors are for calls that produced
// nothing.
type Completion struct {
	// JSON is the model's output as the provider returned it, expected to be a JSON object
	// (the Gateway checks).
	JSON []byte
	// Usage is what the call consumed.
	Usage Usage
	// Model is the model that answered as the provider reports it ("" means Call.Model).
	Model string
	// Truncated is true when the output stopped at the token budget (OpenAI finish_reason
	// "length", Anthropic stop_reason "max_tokens").
	Truncated bool
	// Refusal is the model's refusal text, "" when it answered.
	Refusal string
	// CacheHit is true when a cache in front of the provider answered (Cloudflare AI Gateway):
	// the provider did not bill it again.
	CacheHit bool
	// Free is true when the provider charges nothing at all (the offline analyzer): the cost is
	// a known zero without consulting the price table.
	Free bool
}
