package lead

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/oslira/oslira/core/apperr"
)

// ChainLink is one scraper of a Chain and the name it is logged and reported under.
type ChainLink struct {
	Name    string
	Scraper Scraper
}

// Chain is a failover chain: it asks its scrapers in order and returns the first answer.
//
// Found, not found and private are answers: the first scraper that gives one ends the search
// (another provider would only spend money to say the same). A retryable error (Unavailable —
// down, timing out, misconfigured, breaker open — or RateLimited) moves on to the next scraper.
// Any other error (an invalid username, an internal failure) is returned at once: the next
// scraper would fail the same way. When every scraper failed, the error is ErrScraperRateLimited
// if all of them were throttling, else ErrScraperUnavailable, with every link's error as cause.
type Chain struct {
	links []ChainLink
	log   *slog.Logger
}

// NewChain returns a chain over links, tried in order. log may be nil.
func NewChain(log *slog.Logger, links ...ChainLink) *Chain {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Chain{links: links, log: log}
}

// Names lists the links' names in order.
func (c *Chain) Names() []string {
	names := make([]string, len(c.links))
	for i, l := range c.links {
		names[i] = l.Name
	}
	return names
}

// Scrape implements Scraper. An answer without a Provider is labelled with its link's name.
func (c *Chain) Scrape(ctx context.Context, username string) (ScrapeResult, error) {
	var errs []error
	allThrottled := true
	for i, l := range c.links {
		r, err := l.Scraper.Scrape(ctx, username)
		if err == nil {
			if r.Provider == "" {
				r.Provider = l.Name
			}
			return r, nil
		}
		kind := apperr.KindOf(err)
		if !kind.Retryable() || ctx.Err() != nil {
			return ScrapeResult{}, err
		}
		allThrottled = allThrottled && kind == apperr.RateLimited
		errs = append(errs, fmt.Errorf("%s: %w", l.Name, err))
		if i+1 < len(c.links) {
			c.log.WarnContext(ctx, "profile provider failed; trying the next",
				slog.String("provider", l.Name), slog.String("next", c.links[i+1].Name), slog.String("error", err.Error()))
		}
	}
	cause := errors.Join(errs...)
	if len(errs) > 0 && allThrottled {
		return ScrapeResult{}, ErrScraperRateLimited.WithCause(cause)
	}
	return ScrapeResult{}, ErrScraperUnavailable.WithCause(cause)
}
