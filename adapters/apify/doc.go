// Package apify implements lead.Scraper on Apify's Instagram profile scraper actor, through
// adapters/httpclient.
//
// One scrape is one actor run with input {"usernames": [u]}: first the synchronous endpoint
// run-sync-get-dataset-items (201 with the dataset items); if Apify answers 408 (the run outlived
// the endpoint's 300 s wait) the adapter starts the run asynchronously (POST …/runs), polls it
// (GET /actor-runs/{id}?waitForFinish=…) and reads its dataset. The run's own timeout is set below
// 300 s, so a 408 is rare and the run it leaves behind is short-lived.
//
// Answers: a profile item → found (private when it says so); an empty dataset or an error item
// ({"error": "no_items", "errorDescription": "Empty or private data …"}) → not found (Apify does not
// tell a missing profile from a hidden one there; a profile item with "private": true is the one
// private answer it gives). Failures: 429 → lead.ErrScraperRateLimited; 5xx, transport errors, an
// open breaker, a failed run → lead.ErrScraperUnavailable; 401/402/403/404 and other 4xx (a bad
// token, an exhausted plan, a wrong actor id) → lead.ErrScraperRejected. Every error is retryable
// by kind, so a lead.Chain falls over to the next scraper.
//
// Cost: a run's usageTotalUsd when Apify reports it (the asynchronous path), else the configured
// price per profile result (pay-per-result pricing, about $2.60 per 1,000) times the profile items
// returned. The token comes from the secrets port on every call (rotation without restart) and is
// sent only as a Bearer header; it never appears in URLs, logs or errors.
package apify
