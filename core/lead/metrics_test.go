package lead_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oslira/oslira/core/lead"
)

var scrapedAt = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func daysAgo(d float64) time.Time { return scrapedAt.Add(-time.Duration(d * float64(24*time.Hour))) }

// profileA is hand-computed in TestExtractMetricsProfileA: 10,000 followers, 350 likes + comments
// per post on average.
func profileA() lead.ProfileSnapshot {
	return lead.ProfileSnapshot{
		Username: "a", FollowersCount: 10_000, FollowingCount: 12_000, PostsCount: 100,
		Biography: "hi", ExternalURL: "https://a.example", BusinessAccount: true, HighlightReelCount: 3,
		ScrapedAt: scrapedAt,
		RecentPosts: []lead.Post{
			{Type: lead.PostPhoto, Likes: 400, Comments: 20, Hashtags: []string{"Travel", "food"},
				Caption: strings.Repeat("é", 100), LocationName: "Paris", Timestamp: daysAgo(10)},
			{Type: lead.PostVideo, ProductType: "clips", Likes: 300, Comments: 0, Hashtags: []string{"#travel"},
				Caption: strings.Repeat("x", 50), LocationName: "  ", Timestamp: daysAgo(12)},
			{Type: lead.PostCarousel, Likes: 300, Comments: 30, Timestamp: daysAgo(15)},
		},
	}
}

func val[T any](t *testing.T, name string, m lead.Metric[T]) T {
	t.Helper()
	if !m.Known() || m.Reason != "" {
		t.Fatalf("%s missing (%q)", name, m.Reason)
	}
	return *m.Value
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestEngagementRateIsAFraction pins the fix of the original's percent/decimal mix-up: 350
// interactions per post over 10,000 followers is 0.035 (3.5 %), not 3.5 and not 0.00035.
func TestEngagementRateIsAFraction(t *testing.T) {
	m := lead.ExtractMetrics(profileA())
	er := val(t, "engagement rate", m.EngagementRate)
	if er != 0.035 || er == 3.5 || er == 0.00035 {
		t.Fatalf("engagement rate = %v, want 0.035", er)
	}
	if s := val(t, "engagement score", m.EngagementScore); s != 63 { // 60 + (3.5 − 3) / 3 × 20
		t.Fatalf("engagement score = %d, want 63", s)
	}
	// The fake-follower rule compares the fraction with fractions: a healthy 3.5 % at 10,000
	// followers (expected ≥ 1 %) earns no points there; only following > followers (+5) counts.
	if r := val(t, "risk", m.FakeFollowerRisk); r != (lead.Risk{Score: 5, Band: lead.RiskLow}) {
		t.Fatalf("risk = %+v, want 5 low", r)
	}
}

func TestExtractMetricsProfileA(t *testing.T) {
	m := lead.ExtractMetrics(profileA())
	if m.SampleSize != 3 || m.AudienceScale != lead.ScaleMicro {
		t.Fatalf("sample %d, scale %s", m.SampleSize, m.AudienceScale)
	}
	floats := map[string]struct {
		m    lead.Metric[float64]
		want float64
	}{
		"avg likes":        {m.AvgLikes, 1000.0 / 3},
		"avg comments":     {m.AvgComments, 50.0 / 3},
		"comment to like":  {m.CommentToLikeRatio, 0.05},
		"posts per week":   {m.PostsPerWeek, 2.8}, // 2 intervals over 5 days
		"avg days between": {m.AvgDaysBetweenPosts, 2.5},
		"authority ratio":  {m.AuthorityRatio, 10_000.0 / 12_000},
	}
	for name, c := range floats {
		if got := val(t, name, c.m); !near(got, c.want) {
			t.Errorf("%s = %v, want %v", name, got, c.want)
		}
	}
	ints := map[string]struct {
		m    lead.Metric[int]
		want int
	}{
		// per post 420, 300, 330: mean 350, σ = √2600 ≈ 50.99 → 100 / 1.1457 ≈ 87.3
		"engagement consistency": {m.EngagementConsistency, 87},
		// gaps of 3 and 2 days: σ = 0.5 → 100 / 1.1 ≈ 90.9
		"posting consistency":  {m.PostingConsistency, 91},
		"days since last post": {m.DaysSinceLastPost, 10},
		"authority score":      {m.AuthorityScore, 0}, // log10(0.83) < 0, clamped
		// 3.5 × 15 + 87 × 0.3 + 0.05 × 200 = 52.5 + 26.1 + 10
		"engagement health": {m.EngagementHealth, 89},
		// 1 hashtag × 3 + 50 characters / 10 + 33.3 % located × 0.3 + 3 formats × 10
		"content sophistication": {m.ContentSophistication, 48},
		// 91 × 0.4 + 3 highlights × 5 + bio 10 + link 15 + business 10 = 86.4
		"account maturity": {m.AccountMaturity, 86},
		// 0.3 × 89 + 0.25 × 48 + 0.25 × 86 + 0.2 × (100 − 5) = 79.2
		"profile health": {m.ProfileHealth, 79},
	}
	for name, c := range ints {
		if got := val(t, name, c.m); got != c.want {
			t.Errorf("%s = %d, want %d", name, got, c.want)
		}
	}
	if !reflect.DeepEqual(m.TopHashtags, []string{"travel", "food"}) {
		t.Errorf("top hashtags %q", m.TopHashtags)
	}
	f := val(t, "formats", m.Formats)
	third := 1.0 / 3
	if f.Reels != third || f.Images != third || f.Carousels != third || f.Videos != 0 || f.Diversity != 3 || f.Dominant != lead.FormatMixed {
		t.Errorf("formats %+v", f)
	}
}

// TestDegenerateProfiles: each degenerate input gives missing figures with the right reason and
// never NaN or ±Inf (json.Marshal refuses those).
func TestDegenerateProfiles(t *testing.T) {
	posts := func(ps ...lead.Post) []lead.Post { return ps }
	cases := map[string]struct {
		p       lead.ProfileSnapshot
		missing map[string]lead.MissingReason // figure → reason
		known   []string
	}{
		"no posts": {
			p: lead.ProfileSnapshot{FollowersCount: 5000, FollowingCount: 100, ScrapedAt: scrapedAt},
			missing: map[string]lead.MissingReason{"avg_likes": lead.MissingNoPosts, "avg_comments": lead.MissingNoPosts,
				"engagement_rate": lead.MissingNoPosts, "comment_to_like_ratio": lead.MissingNoPosts,
				"engagement_consistency": lead.MissingNoPosts, "engagement_score": lead.MissingNoPosts,
				"posts_per_week": lead.MissingNoPosts, "avg_days_between_posts": lead.MissingNoPosts,
				"posting_consistency": lead.MissingNoPosts, "days_since_last_post": lead.MissingNoPosts,
				"formats": lead.MissingNoPosts, "fake_follower_risk": lead.MissingNoPosts,
				"engagement_health": lead.MissingNoPosts, "content_sophistication": lead.MissingNoPosts,
				"profile_health": lead.MissingNoPosts},
			known: []string{"authority_ratio", "authority_score", "account_maturity"},
		},
		"zero followers": {
			p: lead.ProfileSnapshot{FollowingCount: 10, PostsCount: 2, ScrapedAt: scrapedAt, RecentPosts: posts(
				lead.Post{Likes: 3, Comments: 1, Timestamp: daysAgo(1)}, lead.Post{Likes: 1, Timestamp: daysAgo(9)})},
			missing: map[string]lead.MissingReason{"engagement_rate": lead.MissingNoFollowers,
				"engagement_score": lead.MissingNoFollowers, "fake_follower_risk": lead.MissingNoFollowers,
				"engagement_health": lead.MissingNoFollowers, "profile_health": lead.MissingNoFollowers},
			known: []string{"avg_likes", "engagement_consistency", "authority_ratio", "authority_score", "posts_per_week"},
		},
		"zero following, few followers": {
			p: lead.ProfileSnapshot{FollowersCount: 99, ScrapedAt: scrapedAt, RecentPosts: posts(lead.Post{Likes: 5})},
			missing: map[string]lead.MissingReason{"authority_ratio": lead.MissingFollowsNobody,
				"authority_score": lead.MissingFollowsNobody, "engagement_consistency": lead.MissingTooFewPosts,
				"posts_per_week": lead.MissingNoTimestamps, "posting_consistency": lead.MissingNoTimestamps,
				"days_since_last_post": lead.MissingNoTimestamps},
			known: []string{"engagement_rate", "fake_follower_risk", "profile_health"},
		},
		"same timestamp": {
			p: lead.ProfileSnapshot{FollowersCount: 1000, FollowingCount: 100, ScrapedAt: scrapedAt, RecentPosts: posts(
				lead.Post{Likes: 10, Timestamp: daysAgo(3)}, lead.Post{Likes: 10, Timestamp: daysAgo(3)},
				lead.Post{Likes: 10, Timestamp: daysAgo(3)})},
			missing: map[string]lead.MissingReason{"posts_per_week": lead.MissingSameTimestamp,
				"avg_days_between_posts": lead.MissingSameTimestamp, "posting_consistency": lead.MissingSameTimestamp},
			known: []string{"days_since_last_post", "engagement_consistency", "profile_health"},
		},
		"hidden likes": {
			p: lead.ProfileSnapshot{FollowersCount: 1000, FollowingCount: 100, ScrapedAt: scrapedAt, RecentPosts: posts(
				lead.Post{LikesHidden: true, Comments: 4}, lead.Post{LikesHidden: true, Comments: 2})},
			missing: map[string]lead.MissingReason{"avg_likes": lead.MissingLikesHidden,
				"engagement_rate": lead.MissingLikesHidden, "comment_to_like_ratio": lead.MissingLikesHidden,
				"engagement_consistency": lead.MissingLikesHidden, "engagement_score": lead.MissingLikesHidden,
				"fake_follower_risk": lead.MissingLikesHidden, "profile_health": lead.MissingLikesHidden},
			known: []string{"avg_comments", "formats", "content_sophistication"},
		},
		"no interactions": {
			p: lead.ProfileSnapshot{FollowersCount: 1000, FollowingCount: 100, RecentPosts: posts(lead.Post{}, lead.Post{})},
			missing: map[string]lead.MissingReason{"comment_to_like_ratio": lead.MissingNoLikes,
				"engagement_consistency": lead.MissingNoEngagement},
			known: []string{"engagement_rate", "engagement_health"},
		},
		"no scrape time": {
			p:       lead.ProfileSnapshot{FollowersCount: 1000, RecentPosts: posts(lead.Post{Likes: 1, Timestamp: daysAgo(2)})},
			missing: map[string]lead.MissingReason{"days_since_last_post": lead.MissingNoScrapeTime, "posts_per_week": lead.MissingTooFewPosts},
		},
	}
	for name, c := range cases {
		m := lead.ExtractMetrics(c.p)
		b, err := json.Marshal(m)
		if err != nil {
			t.Errorf("%s: %v (NaN or Inf?)", name, err)
			continue
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(b, &fields)
		for figure, reason := range c.missing {
			if want := `{"value":null,"reason":"` + string(reason) + `"}`; string(fields[figure]) != want {
				t.Errorf("%s: %s = %s, want %s", name, figure, fields[figure], want)
			}
		}
		for _, figure := range c.known {
			if f := string(fields[figure]); !strings.HasPrefix(f, `{"value":`) || strings.HasPrefix(f, `{"value":null`) || strings.Contains(f, "reason") {
				t.Errorf("%s: %s = %s, want a value", name, figure, f)
			}
		}
	}
}

func TestMetricOr(t *testing.T) {
	var m lead.Metric[int]
	if m.Or(7) != 7 || m.Known() {
		t.Fatal("missing metric")
	}
	m = lead.ExtractMetrics(profileA()).DaysSinceLastPost
	if m.Or(7) != 10 {
		t.Fatal("known metric")
	}
}
