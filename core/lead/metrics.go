package lead

// Metrics are the extraction metrics of a profile snapshot: pure,
// deterministic arithmetic over the snapshot, used by the ICP matcher, the AI prompts and the
// deep/xray results. Every figure that the snapshot cannot support is a missing Metric with its
// reason — never NaN, ±Inf, or a division by zero.
//
// Rates and shares are fractions (0.035 = 3.5 %), unrounded: the original mixed a decimal
// engagement rate with thresholds and weights written for percent, which flagged almost every
// account as a fake-follower risk and all but zeroed the engagement health score. Here the rate
// is a fraction everywhere and the formulas that were calibrated in percent say so and convert.
// Scores are integers 0–100.
type Metrics struct {
	// SampleSize is the number of recent posts in the snapshot.
	SampleSize int `json:"sample_size"`
	// AudienceScale is the follower bucket (always known).
	AudienceScale AudienceScale `json:"audience_scale"`

	// AvgLikes is the mean like count of the posts whose likes are visible.
	AvgLikes Metric[float64] `json:"avg_likes"`
	// AvgComments is the mean comment count of all recent posts.
	AvgComments Metric[float64] `json:"avg_comments"`
	// EngagementRate is mean(likes + comments) of the posts with visible likes over followers, as
	// a fraction: 10,000 followers and 350 interactions per post is 0.035.
	EngagementRate Metric[float64] `json:"engagement_rate"`
	// CommentToLikeRatio is total comments over total likes of the posts with visible likes.
	CommentToLikeRatio Metric[float64] `json:"comment_to_like_ratio"`
	// EngagementConsistency (0–100) is 100 / (1 + coefficient of variation) of the per-post
	// interactions, each divided by its age multiplier (younger than 24 h: 0.5, than 7 days: 0.8,
	// else 1) so fresh posts are not penalised for likes still to come. Needs 2 posts with
	// visible likes and some interaction.
	EngagementConsistency Metric[int] `json:"engagement_consistency"`
	// EngagementScore (0–100) is piecewise linear in the rate in percent: 0–0.5 % → 0–20,
	// 0.5–1.5 → 20–40, 1.5–3 → 40–60, 3–6 → 60–80, 6–10 → 80–100, capped at 10 %.
	EngagementScore Metric[int] `json:"engagement_score"`

	// PostsPerWeek is the posting frequency: the dated posts' intervals per week, (n − 1) /
	// (newest − oldest) × 7 days. Pinned posts are left out of every frequency figure (they are
	// old posts kept on top, not activity). Needs 2 dated posts at different times.
	PostsPerWeek Metric[float64] `json:"posts_per_week"`
	// AvgDaysBetweenPosts is (newest − oldest) / (n − 1) in days, with the same needs.
	AvgDaysBetweenPosts Metric[float64] `json:"avg_days_between_posts"`
	// PostingConsistency (0–100) is 100 / (1 + stdDev(days between posts) / 5). Needs 3 dated
	// posts not all at the same time.
	PostingConsistency Metric[int] `json:"posting_consistency"`
	// DaysSinceLastPost is whole days from the newest dated post (pinned ones included) to
	// ScrapedAt, 0 when the post is newer than the snapshot's clock.
	DaysSinceLastPost Metric[int] `json:"days_since_last_post"`
	// TopHashtags are the 10 most used hashtags of recent posts, lowercased without "#", most
	// used first, ties alphabetical; empty when there are none.
	TopHashtags []string `json:"top_hashtags"`
	// Formats is the format mix of the recent posts.
	Formats Metric[FormatMix] `json:"formats"`

	// AuthorityRatio is followers / following.
	AuthorityRatio Metric[float64] `json:"authority_ratio"`
	// AuthorityScore (0–100) is log10(followers / following) × 25, clamped; 100 for a profile
	// that follows no one with at least 100 followers; 0 with no followers.
	AuthorityScore Metric[int] `json:"authority_score"`
	// FakeFollowerRisk is the fake-follower heuristic (see FakeFollowerRisk). Needs the
	// engagement rate.
	FakeFollowerRisk Metric[Risk] `json:"fake_follower_risk"`

	// EngagementHealth (0–100) = rate in percent × 15 + engagement consistency × 0.3 +
	// comment-to-like ratio × 200; a missing consistency or ratio counts 0. Missing with the
	// rate's reason when the rate is.
	EngagementHealth Metric[int] `json:"engagement_health"`
	// ContentSophistication (0–100) = hashtags per post × 3 + caption characters per post / 10 +
	// share of posts with a location in percent × 0.3 + format diversity × 10. Needs posts.
	ContentSophistication Metric[int] `json:"content_sophistication"`
	// AccountMaturity (0–100) = posting consistency × 0.4 (0 when missing) + min(highlight reels
	// × 5, 25) + 10 with a biography + 15 with an external link + 10 for a business account.
	// Always known.
	AccountMaturity Metric[int] `json:"account_maturity"`
	// ProfileHealth (0–100) = 0.30 engagement health + 0.25 content sophistication + 0.25
	// account maturity + 0.20 (100 − fake-follower risk). Missing with the rate's reason when the
	// rate is (every other part is known whenever the rate is).
	ProfileHealth Metric[int] `json:"profile_health"`
}

// ExtractMetrics computes the metrics of p. Time-dependent figures (post ages, days since the
// last post) are measured at p.ScrapedAt, so the result depends on the snapshot alone.
func ExtractMetrics(p ProfileSnapshot) Metrics {
	m := Metrics{SampleSize: len(p.RecentPosts), AudienceScale: AudienceScaleOf(p.FollowersCount)}
	engagement(p, &m)
	frequency(p, &m)
	m.TopHashtags = topHashtags(p.RecentPosts, 10)
	m.Formats = formatMix(p.RecentPosts)
	authority(p, &m)
	m.FakeFollowerRisk = FakeFollowerRisk(p, m.EngagementRate, m.EngagementConsistency)
	composites(p, &m)
	return m
}
