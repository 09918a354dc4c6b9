package analyze

import (
	"context"
	"time"
)

// AnonymousTTL is how long an anonymous result is served from the cache for its handle.
const AnonymousTTL = 6 * time.Hour

// AnonymousProfile is the public part of a profile an anonymous result shows.
type AnonymousProfile struct {
	Username        string `json:"username"`
	DisplayName     string `json:"display_name"`
	Biography       string `json:"biography"`
	FollowersCount  int64  `json:"followers_count"`
	FollowingCount  int64  `json:"following_count"`
	PostsCount      int64  `json:"posts_count"`
	Verified        bool   `json:"verified"`
	Private         bool   `json:"private"`
	BusinessAccount bool   `json:"business_account"`
	ProfilePicURL   string `json:"profile_pic_url"`
	ExternalURL     string `json:"external_url"`
}

// AnonymousResult is the landing page's light analysis of a handle: no account, no business
// profile, nothing stored but caches.
type AnonymousResult struct {
	Profile AnonymousProfile `json:"profile"`
	// Score is the profile's general partnership potential, 0–100, and Tier its tier.
	Score   int    `json:"score"`
	Tier    string `json:"tier"`
	Summary string `json:"summary"`
	// AudienceQuality is high, medium or low.
	AudienceQuality string `json:"audience_quality"`
	// Model is who answered ("offline" for the offline analyzer).
	Model      string    `json:"model"`
	AnalyzedAt time.Time `json:"analyzed_at"`
	// Cached is true when the result came from the cache (set on the way out, not stored).
	Cached bool `json:"cached"`
}

// AnonymousCache keeps anonymous results per handle (adapters/postgres: table
// anonymous_results). Get returns a result stored less than maxAge ago (found false otherwise);
// Put stores r for the handle, replacing an older one. Errors are Unavailable; the use case
// treats a Get error as a miss and ignores a Put error.
type AnonymousCache interface {
	Get(ctx context.Context, username string, maxAge time.Duration) (r AnonymousResult, found bool, err error)
	Put(ctx context.Context, username string, r AnonymousResult) error
}
