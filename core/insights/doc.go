// Package insights answers the operators' questions about the running system (DESIGN §8): which
// accounts drive 80 % of the AI cost, the latency percentiles of each route, how often each
// workflow succeeds and where analyses fail, and what the LLM response cache saves.
//
// Every answer covers a Window ending now ("30d", "7d", "24h"; from one hour to 400 days) and is
// read through the Store port in one query per answer (adapters/postgres InsightsStore, over
// ai_usage, analytics_events, analyses and DBOS's workflow_status). The rules that turn the
// rows into an answer — shares, the 80 % cut, rates — live here, in integers where they decide
// something, so the HTTP admin routes and `oslira stats` print the same numbers.
package insights
