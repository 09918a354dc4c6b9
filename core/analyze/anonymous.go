package analyze

//go:generate go tool mockgen -typed -source=anonymous_port.go -destination=../../adapters/mock/analyzemock/anonymous_mock.go -package=analyzemock

import (
	"context"
	"fmt"
	"time"

	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/lead"
)

// Anonymous is the landing page's light analysis: no account, no business profile, nothing
// stored but caches (the profile cache inside the scraper the host hands, and AnonymousCache).
// The per-IP daily limit is the HTTP host's.
type Anonymous struct {
	scraper lead.Scraper
	llm     ai.LLM
	cache   AnonymousCache
	now     func() time.Time
}

// NewAnonymous returns the use case (now nil: time.Now).
func NewAnonymous(scraper lead.Scraper, llm ai.LLM, cache AnonymousCache, now func() time.Time) *Anonymous {
	if now == nil {
		now = time.Now
	}
	return &Anonymous{scraper: scraper, llm: llm, cache: cache, now: now}
}

// Analyze returns the light analysis of a handle (a username, "@name" or a profile link). A
// result the cache holds from the last AnonymousTTL is returned with Cached true (a cache
// error counts as a miss). Otherwise: scrape, one small-model call (light_analysis, billed to
// no account, PurposeAnonymous) from the profile and its metrics, and the result is cached
// (a cache error is ignored).
//
// Errors: the handle's Invalid error (field "username"); ErrProfileNotFound (NotFound) and
// ErrProfilePrivate (Invalid, field "username"); the scraper's and the LLM's errors as they
// are (Unavailable and RateLimited kinds: the client may try again later).
func (s *Anonymous) Analyze(ctx context.Context, rawUsername string) (AnonymousResult, error) {
	h, err := lead.ParseHandle(rawUsername, "username")
	if err != nil {
		return AnonymousResult{}, err
	}
	name := h.String()
	if r, found, err := s.cache.Get(ctx, name, AnonymousTTL); err == nil && found {
		r.Cached = true
		return r, nil
	}
	res, err := s.scraper.Scrape(ctx, name)
	if err != nil {
		return AnonymousResult{}, err
	}
	switch {
	case res.Outcome == lead.NotFound:
		return AnonymousResult{}, ErrProfileNotFound
	case res.Outcome == lead.Private:
		return AnonymousResult{}, ErrProfilePrivate
	case res.Profile == nil:
		return AnonymousResult{}, lead.ErrScraperUnavailable.WithCause(fmt.Errorf("the scraper answered outcome %q without a profile", res.Outcome))
	}
	p := *res.Profile
	m := lead.ExtractMetrics(p)
	resp, err := s.llm.Complete(ctx, ai.Request{
		Purpose: PurposeAnonymous,
		Tier:    ai.TierSmall,
		System:  systemAnonymous,
		User:    describeProfile(p, m, lightPosts),
		Schema:  ai.Schema{Name: ai.SchemaLightAnalysis},
		Facts:   &ai.Facts{Profile: res.Profile, Metrics: profileFacts(m)},
	})
	if err != nil {
		return AnonymousResult{}, err
	}
	var a analyzed
	if err := apply(ai.SchemaLightAnalysis, resp.JSON, &a); err != nil {
		return AnonymousResult{}, ai.ErrMalformedOutput.WithCause(err)
	}
	score, _ := analysis.NewScore(a.Score) // apply checked it
	out := AnonymousResult{
		Profile: AnonymousProfile{
			Username: p.Username, DisplayName: p.DisplayName(), Biography: p.Biography,
			FollowersCount: p.FollowersCount, FollowingCount: p.FollowingCount, PostsCount: p.PostsCount,
			Verified: p.Verified, Private: p.Private, BusinessAccount: p.BusinessAccount,
			ProfilePicURL: p.ProfilePicURL, ExternalURL: p.ExternalURL,
		},
		Score: score.Int(), Tier: string(score.Tier()), Summary: a.Result.Summary,
		AudienceQuality: AudienceQuality(p.FollowersCount),
		Model:           resp.Model,
		AnalyzedAt:      s.now().UTC(),
	}
	_ = s.cache.Put(ctx, name, out)
	return out, nil
}

// AudienceQuality buckets a follower count as the original's anonymous analysis did: more
// than 100,000 is high, more than 10,000 medium, anything else low.
func AudienceQuality(followers int64) string {
	switch {
	case followers > 100_000:
		return "high"
	case followers > 10_000:
		return "medium"
	}
	return "low"
}
