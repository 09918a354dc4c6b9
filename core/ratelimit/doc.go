// Package ratelimit holds the request limits of the API: the policies of every route (one table,
// routes.go applies them), the Decision a limiter returns and the header values it implies, and
// the Limiter port, implemented over PostgreSQL (adapters/postgres) so every process shares the
// same counters.
//
// # Algorithms
//
// A Rolling policy is a GCRA (generic cell rate algorithm, the virtual-scheduling form of a
// leaky bucket). Its whole state per key is one timestamp, the theoretical arrival time (TAT):
// the instant the key's budget would be full again. With the emission interval T = Period/Limit
// and the tolerance τ = Period − T, a request at now is allowed when max(TAT, now) − now ≤ τ,
// and then TAT becomes max(TAT, now) + T. A fresh key may therefore spend Limit requests at
// once; after that it earns one request back every T (30 per hour: one every 2 minutes), and the
// long-run rate is exactly Limit per Period.
//
// GCRA was chosen over a sliding window because the shared store must decide in ONE statement,
// race-free across processes: GCRA's state is a single timestamp per key, updated by one
// `insert … on conflict do update … returning` whose row lock serialises concurrent requests,
// and that never grows with traffic. A sliding-window log needs a row per request (a flood writes
// a flood of rows); a sliding-window counter needs two counters and an approximation; a plain
// fixed window lets a client spend 2×Limit around a window boundary. GCRA's guarantee, stated
// exactly: over any span of length d a key gets at most Limit + ⌊d/T⌋ requests; it never gets
// more than Limit in an instant, and a refused client is told precisely when the next request
// will pass (Retry-After = TAT − τ − now).
//
// A CalendarUTC policy is a fixed window aligned to UTC (a Period of 24 hours: UTC days, reset
// at midnight UTC). It counts units, at most Limit per window, exactly. It serves quotas phrased
// in calendar terms ("one anonymous analysis per client IP per UTC day"), and it can give a unit
// back (Limiter.Release) when the work it paid for failed for reasons that are not the client's.
//
// # Keys and failures
//
// A key names who is limited: the authenticated user ("user:<uuid>") or, without a principal,
// the client IP ("ip:<address>"). Each policy has its own budget per key. When the limiter
// itself fails (database down), a FailOpen policy lets the request through (the host logs a
// warning): an outage of the limiter should not become an outage of the API. The anonymous
// policies fail closed: they guard paid work (a scrape and a model call) that anyone on the
// internet can trigger, so without a working counter the answer is 503.
package ratelimit
