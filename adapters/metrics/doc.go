// Package metrics is the Prometheus side of Oslira: one *prometheus.Registry per process with
// the Go runtime and process collectors, and the instruments the other pieces report to —
// HTTP requests (RecordRequest, from a host's middleware), workflow runs (an Observer of
// adapters/dbos), provider calls and breakers (an adapters/httpclient Metrics hook), AI cost
// and cache hits (a decorator of the ai.UsageRecorder port), the database pool (a collector
// over pgxpool.Stat) and the analytics buffer's drops. Handler serves the registry in the
// Prometheus text format (GET /metrics).
//
// Labels are bounded by construction: route templates (never raw paths), a closed set of
// methods, status codes, definition, step, provider, model and purpose names from the code
// and its configuration. Nothing is labelled by user, account, request or run: a series per
// caller would grow without end, and would put personal data in the monitoring system.
package metrics
