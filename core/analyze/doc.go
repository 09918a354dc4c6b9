// Package analyze holds the analysis use cases: submitting one analysis or a bulk batch (debit,
// analysis row and workflow start in one transaction), the analysis workflow itself (scrape,
// pre-checks, metrics, AI calls, save, costs, progress; refund exactly once on any terminal
// failure or bypass), batch progress and cancellation, the anonymous light analysis of the
// landing page, and the reads of analyses and leads.
//
// The domain values (type, status machine, outcome, score, tier) live in core/analysis and the
// profile rules (handle, snapshot, metrics) in core/lead; this package composes them behind
// ports: Store (adapters/postgres), workflow.Engine (adapters/dbos), lead.Scraper and ai.LLM.
package analyze
