// Package openai is the OpenAI ai.Provider: Chat Completions with a strict json_schema response
// format, on an adapters/httpclient client (retries with Retry-After and OpenAI's
// x-ratelimit-reset-* hints, a circuit breaker whose open state fails fast as ai.ErrUnavailable).
//
// Reasoning models (the GPT-5 family and the o-series) are sent max_completion_tokens and
// reasoning_effort and no temperature, which they reject; older models max_tokens and a
// temperature. A 429 whose error code is insufficient_quota is final: not retried, not a breaker
// failure, ai.ErrQuotaExhausted. Usage includes prompt_tokens_details.cached_tokens.
//
// Routed through Cloudflare AI Gateway when configured: the base URL becomes
// https://gateway.ai.cloudflare.com/v1/{account}/{gateway}/openai, requests carry
// cf-aig-authorization (an authenticated gateway), cf-aig-cache-ttl or cf-aig-skip-cache and
// cf-aig-metadata (purpose, account), and a response with cf-aig-cache-status: HIT is reported as
// a cache hit (not billed again).
package openai
