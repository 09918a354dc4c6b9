// Package analyzetest is an in-memory analyze.Store and analyze.Events for examples and tests
// of code built on the analysis use cases: no database, plain maps behind one mutex.
//
// It keeps the rules that make the use cases observable, as adapters/postgres does: a submit is
// all or nothing (profile check, in-flight duplicate check, debit of an in-memory balance with
// reference analyze.RunID(id), the run's start); RunStore.Finish accepts only moves
// analysis.Finish allows and refunds every outcome but scored, at most once per analysis;
// progress events set the analysis's progress and step; reads are limited to the principal's
// account; listings are newest first with an opaque cursor. Ids are UUIDs made from a counter,
// so a fixed clock (WithClock) makes every answer reproducible.
//
// It is not a model of PostgreSQL's concurrency (one mutex serialises everything) nor of
// row-level security, plans (every account has DefaultBulkLimit) or retention.
package analyzetest
