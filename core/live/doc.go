// Package live delivers analysis progress to live clients: a Hub per process follows the
// progress events the workflow steps write (a Source to read them in order, a Notifier that
// wakes the hub on each new one and on each reconnection) and fans them out to in-process
// Subscriptions (a WebSocket per account, an SSE stream per analysis or batch), each with a
// bounded buffer: a subscriber that falls behind is dropped, never waited for.
//
// Every event has a global, increasing ID (its row's id), which is also the position clients
// resume from (SSE Last-Event-ID, the WebSocket's "after"): replay reads the stored events after
// it, live delivery continues from there, and events carry absolute values, so a duplicate
// after a crash is harmless.
package live
