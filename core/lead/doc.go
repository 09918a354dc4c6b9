// Package lead is what the product knows about an Instagram profile it analyses: the handle
// value object (Handle, ParseHandle: the one place a username is read from user input), the profile
// snapshot a scraper returns (ProfileSnapshot, Post), the outcomes of a scrape (found, not found,
// private), the Scraper port the providers implement, and the pure policies around it: a cache
// decorator over the ProfileCache port (CachedScraper) and a failover chain over several
// scrapers (Chain).
//
// "Not found" and "private" are answers, never errors: a scraper returns them as a ScrapeResult
// with a nil error, so a workflow step that scrapes never retries them and an analysis can refund
// on them. Errors are reserved for infrastructure failures (apperr.Unavailable, apperr.RateLimited:
// retryable) and for input that can never succeed (apperr.Invalid: an unusable username).
package lead
