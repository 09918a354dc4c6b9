// Package anthropic is the Anthropic ai.Provider: the Messages API with the answer's JSON Schema
// as the input schema of one tool that the model is forced to call (tool_choice {type: tool}),
// which works on every current model; the tool call's input object is the answer. On an
// adapters/httpclient client: 429 (Retry-After), 5xx and 529 overloaded are retried, then
// ai.ErrRateLimited / ai.ErrUnavailable; a 402 billing_error is ai.ErrQuotaExhausted. Usage
// counts cache_read_input_tokens as cached and cache_creation_input_tokens as cache writes.
//
// Routed through Cloudflare AI Gateway when configured (base URL
// https://gateway.ai.cloudflare.com/v1/{account}/{gateway}/anthropic, cf-aig-* headers, a
// cf-aig-cache-status: HIT answer reported as a cache hit).
package anthropic
