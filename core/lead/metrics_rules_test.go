package lead_test

import (
	"math"
	"testing"
	"time"

	"github.com/oslira/oslira/core/lead"
)

func TestEngagementSamples(t *testing.T) {
	// A post with hidden likes counts for comments but not for likes or the rate.
	m := lead.ExtractMetrics(lead.ProfileSnapshot{FollowersCount: 100, RecentPosts: []lead.Post{
		{Likes: 10, Comments: 2}, {LikesHidden: true, Comments: 6}, {Likes: 30, Comments: 0},
	}})
	if got := val(t, "avg likes", m.AvgLikes); got != 20 {
		t.Errorf("avg likes %v, want 20 (hidden post left out)", got)
	}
	if got := val(t, "avg comments", m.AvgComments); got != 8.0/3 {
		t.Errorf("avg comments %v, want 8/3 (every post)", got)
	}
	if got := val(t, "rate", m.EngagementRate); got != 0.21 { // (12 + 30) / 2 / 100
		t.Errorf("rate %v, want 0.21", got)
	}
	if got := val(t, "comment to like", m.CommentToLikeRatio); got != 0.05 { // 2 / 40
		t.Errorf("comment to like %v, want 0.05", got)
	}
	// 12 and 30: σ/μ = 9/21 → 100/(1 + 0.4286) = 70
	if got := val(t, "consistency", m.EngagementConsistency); got != 70 {
		t.Errorf("consistency %v, want 70", got)
	}
	// One follower is enough for a rate; two visible posts for a consistency.
	m = lead.ExtractMetrics(lead.ProfileSnapshot{FollowersCount: 1, RecentPosts: []lead.Post{{Likes: 1}, {Likes: 1}}})
	if val(t, "rate", m.EngagementRate) != 1 || val(t, "consistency", m.EngagementConsistency) != 100 {
		t.Errorf("one follower: %+v", m)
	}
}

func TestEngagementConsistencyAgeMultiplier(t *testing.T) {
	// Fresh posts are divided by their multiplier: 50 at 12 h (÷0.5), 80 at exactly 24 h and at 6.9
	// days (÷0.8), 100 at exactly 7 days (÷1) are all 100 → perfectly consistent.
	posts := []lead.Post{{Likes: 50, Timestamp: daysAgo(0.5)}, {Likes: 80, Timestamp: daysAgo(1)},
		{Likes: 80, Timestamp: daysAgo(6.9)}, {Likes: 100, Timestamp: daysAgo(7)}}
	m := lead.ExtractMetrics(lead.ProfileSnapshot{FollowersCount: 1000, ScrapedAt: scrapedAt, RecentPosts: posts})
	if got := val(t, "consistency", m.EngagementConsistency); got != 100 {
		t.Errorf("consistency %d, want 100", got)
	}
	// Without a scrape time (or a timestamp) ages are unknown and nothing is adjusted: 50, 80, 80,
	// 100 → σ/μ = 17.9/77.5 → 81.
	m = lead.ExtractMetrics(lead.ProfileSnapshot{FollowersCount: 1000, RecentPosts: posts})
	if got := val(t, "consistency", m.EngagementConsistency); got != 81 {
		t.Errorf("consistency without a clock %d, want 81", got)
	}
	posts[0].Timestamp = time.Time{}
	m = lead.ExtractMetrics(lead.ProfileSnapshot{FollowersCount: 1000, ScrapedAt: scrapedAt, RecentPosts: posts})
	// 50 (undated, ÷1), 100, 100, 100 → σ/μ = 21.65/87.5 → 80
	if got := val(t, "consistency", m.EngagementConsistency); got != 80 {
		t.Errorf("consistency with an undated post %d, want 80", got)
	}
}

func TestEngagementScoreCorners(t *testing.T) {
	for rate, want := range map[float64]int{
		-0.01: 0, 0: 0, 0.0025: 10, 0.005: 20, 0.01: 30, 0.015: 40, 0.0225: 50, 0.03: 60, 0.045: 70,
		0.06: 80, 0.08: 90, 0.1: 100, 0.5: 100, math.Inf(1): 100,
	} {
		if got := lead.EngagementScore(rate); got != want {
			t.Errorf("EngagementScore(%v) = %d, want %d", rate, got, want)
		}
	}
	if lead.EngagementScore(math.NaN()) != 0 {
		t.Error("NaN rate scores")
	}
}

func TestFrequency(t *testing.T) {
	// Dated posts 1, 3 and 9 days old; an undated one; a pinned one 400 days old is not activity.
	p := lead.ProfileSnapshot{FollowersCount: 10, ScrapedAt: scrapedAt, RecentPosts: []lead.Post{
		{Timestamp: daysAgo(1.5)}, {Timestamp: daysAgo(3.5)}, {}, {Timestamp: daysAgo(9.5)},
		{Timestamp: daysAgo(400), Pinned: true},
	}}
	m := lead.ExtractMetrics(p)
	if got := val(t, "per week", m.PostsPerWeek); !near(got, 2.0/8*7) {
		t.Errorf("posts per week %v, want 1.75", got)
	}
	if got := val(t, "between", m.AvgDaysBetweenPosts); !near(got, 4) {
		t.Errorf("avg days between %v, want 4", got)
	}
	if got := val(t, "posting consistency", m.PostingConsistency); got != 71 { // gaps 6 and 2 days: σ 2 → 100 / 1.4
		t.Errorf("posting consistency %d", got)
	}
	if got := val(t, "days since", m.DaysSinceLastPost); got != 1 {
		t.Errorf("days since last post %d, want 1 (36 h, whole days)", got)
	}
	// A pinned post newer than the rest is the last post; a post after the snapshot's clock is 0
	// days old, not negative.
	p.RecentPosts[4].Timestamp = daysAgo(0.2)
	if got := val(t, "days since", lead.ExtractMetrics(p).DaysSinceLastPost); got != 0 {
		t.Errorf("pinned newest: %d", got)
	}
	p.RecentPosts[4].Timestamp = scrapedAt.Add(time.Hour)
	if got := val(t, "days since", lead.ExtractMetrics(p).DaysSinceLastPost); got != 0 {
		t.Errorf("future post: %d", got)
	}
	p.RecentPosts[4].Timestamp = daysAgo(2.5)
	if got := val(t, "days since", lead.ExtractMetrics(p).DaysSinceLastPost); got != 1 {
		t.Errorf("older pinned post taken as last: %d", got)
	}
	// Two dated posts give a frequency but no posting consistency.
	p.RecentPosts = p.RecentPosts[:2]
	m = lead.ExtractMetrics(p)
	if val(t, "per week", m.PostsPerWeek) != 3.5 || m.PostingConsistency.Reason != lead.MissingTooFewPosts {
		t.Errorf("two posts: %+v / %+v", m.PostsPerWeek, m.PostingConsistency)
	}
}
