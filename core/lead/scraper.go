package lead

//go:generate go tool mockgen -typed -source=scraper.go -destination=../../adapters/mock/leadmock/scraper_mock.go -package=leadmock

import (
	"context"
	"time"
)

// Outcome is what a scrape found. Every outcome is an answer: none of them is an error.
type Outcome string

// The outcomes of a scrape.
const (
	// Found: the profile exists and is public; ScrapeResult.Profile holds it.
	Found Outcome = "found"
	// NotFound: no profile has this username (deleted, renamed, never existed).
	NotFound Outcome = "not_found"
	// Private: the profile exists but is private; Profile may hold its public counts (no posts).
	Private Outcome = "private"
)

// Valid reports whether o is one of the three outcomes.
func (o Outcome) Valid() bool { return o == Found || o == NotFound || o == Private }

// ScrapeResult is one scrape's answer.
type ScrapeResult struct {
	Outcome Outcome `json:"outcome"`
	// Profile is set when Outcome is Found, may be set when Private, and is nil when NotFound.
	Profile *ProfileSnapshot `json:"profile,omitempty"`
	// Provider names the scraper that produced the answer ("apify", "sample"); a cache hit keeps
	// the provider of the original scrape.
	Provider string `json:"provider"`
	// CostMicros is what this call cost in micro-dollars (1 USD = 1,000,000). A cache hit costs 0;
	// the cost of the original scrape is in OriginalCostMicros.
	CostMicros int64 `json:"cost_micros"`
	// OriginalCostMicros is the cost of the scrape that produced this answer (equal to CostMicros
	// for a fresh scrape), so a cache hit can report the money it saved.
	OriginalCostMicros int64 `json:"original_cost_micros"`
	// Cached is true when the answer came from the profile cache rather than a provider.
	Cached bool `json:"cached"`
	// FetchedAt is when the provider answered (for a cache hit: when the cached answer was made).
	FetchedAt time.Time `json:"fetched_at"`
}

// Scraper fetches one Instagram profile by username.
//
// Scrape returns a ScrapeResult with a nil error for each of the three outcomes. Its errors are:
//   - apperr.Unavailable (ErrScraperUnavailable and codes of the same kind): the provider could not
//     be reached, answered 5xx after retries, timed out, rejected our credentials, or its circuit
//     breaker is open — retryable, and a Chain moves on to the next scraper;
//   - apperr.RateLimited (ErrScraperRateLimited): the provider throttles us beyond what the client
//     waits for — retryable later, and a Chain moves on;
//   - apperr.Invalid (ErrInvalidUsername): the username can never be scraped — not retryable.
//
// username is expected normalised (NormalizeUsername); implementations lowercase it again
// defensively. Implementations are safe for concurrent use and honour ctx's deadline.
type Scraper interface {
	Scrape(ctx context.Context, username string) (ScrapeResult, error)
}
