// Package ai is the product's one door to large language models: a call is a Request — what it is
// for (Purpose), which class of model (Tier), a system and a user prompt, the JSON Schema the
// answer must satisfy and the account it is billed to — and its answer is a Response: the
// validated JSON, the tokens used (input, output, cached), the cost in micro-dollars, the
// provider and model that answered, the latency and whether a cache served it.
//
// The Gateway use case implements the LLM port over the Provider port (one per vendor: OpenAI,
// Anthropic, the offline analyzer). For each call it
//
//  1. looks the request up in the exact-match ResponseCache, once per provider route in order
//     (key: provider, model, system prompt, user prompt and schema — see CacheKey), so
//     a repeated prompt costs nothing, whichever provider first answered it;
//  2. asks the providers in order, falling back to the next when one fails retryably
//     (apperr.Unavailable, apperr.RateLimited — an open circuit breaker is Unavailable) or has
//     exhausted its quota (ErrQuotaExhausted: never retried, but another vendor may still serve);
//  3. gives output that is not JSON (or was cut off by the token budget) one more try with a
//     budget larger by RetryBudgetFactor, then fails with ErrMalformedOutput;
//  4. validates the JSON against the schema (SchemaValidator port; ErrSchemaViolation);
//  5. prices the call from a PriceTable (prices with an effective date, loaded from
//     configuration); a model missing from the table is logged as a warning and its cost is
//     marked unknown (CostKnown false) — never silently zero;
//  6. records every attempt through the UsageRecorder port (the ai_usage table: account,
//     purpose, provider, model, tokens, cost, latency, cache hit, status);
//  7. stores the answer in the cache for the configured TTL.
//
// A cache hit costs nothing and records the cost of the answer it replays as SavedMicros, so hit
// rate and money saved can be read back from ai_usage.
//
// Errors: ErrInvalidRequest (Invalid) for a request the gateway cannot send; ErrRateLimited and
// ErrUnavailable (retryable kinds) when every provider failed transiently; ErrQuotaExhausted,
// ErrRejected, ErrRefused, ErrMalformedOutput and ErrSchemaViolation (Internal: not retried by
// workflows). Retryable errors may carry a Retry-After (RetryAfter).
package ai
