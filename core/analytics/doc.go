// Package analytics holds the request analytics of the HTTP host: one Event per request, and the
// Buffer that takes events from request goroutines without ever blocking them and writes them in
// batches through a Writer port (the postgres adapter copies them into public.analytics_events).
//
// Analytics are best effort by design: a request must never wait for, or fail because of, its
// event. A full buffer drops the event and counts it; a batch the Writer keeps refusing is dropped
// after a few retries and counted; shutdown flushes what is buffered within its deadline. The
// counters (Buffer.Dropped, Buffer.Stats) are what metrics export.
//
// The package imports only the standard library.
package analytics
