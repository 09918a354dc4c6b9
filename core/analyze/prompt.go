package analyze

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
)

// Prompts are part of the LLM response cache's key: everything below renders the snapshot,
// its metrics and the business context only — never the clock, a run id or anything else that
// changes between two analyses of the same snapshot. (Figures measured "now", such as days
// since the last post, are measured at the snapshot's ScrapedAt, so they are the snapshot's.)

// postLimits is how many recent posts a prompt shows and how many caption characters of each,
// by depth: the original used 12 posts with captions cut at 200 (light) and 400 (deep)
// characters; a light prompt is kept shorter still.
type postLimits struct{ posts, caption int }

var (
	lightPosts = postLimits{posts: 6, caption: 160}
	deepPosts  = postLimits{posts: 12, caption: 400}
)

// describeProfile renders the compact profile, its metrics and a few recent posts.
func describeProfile(p lead.ProfileSnapshot, m lead.Metrics, lim postLimits) string {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			b.WriteString(label + ": " + value + "\n")
		}
	}
	b.WriteString("## Instagram profile\n")
	line("Username", "@"+p.Username)
	line("Name", oneLine(p.FullName, 100))
	line("Followers", strconv.FormatInt(p.FollowersCount, 10))
	line("Following", strconv.FormatInt(p.FollowingCount, 10))
	line("Posts", strconv.FormatInt(p.PostsCount, 10))
	line("Verified", yesNo(p.Verified))
	line("Business account", yesNo(p.BusinessAccount))
	line("Business category", p.BusinessCategory)
	line("Link", p.ExternalURL)
	line("Biography", oneLine(p.Biography, 300))

	b.WriteString("\n## Metrics\n")
	line("Audience scale", string(m.AudienceScale))
	line("Engagement rate", metricText(m.EngagementRate, func(v float64) string { return decimal(v*100, 2) + " %" }))
	line("Average likes", metricText(m.AvgLikes, func(v float64) string { return decimal(v, 0) }))
	line("Average comments", metricText(m.AvgComments, func(v float64) string { return decimal(v, 1) }))
	line("Posts per week", metricText(m.PostsPerWeek, func(v float64) string { return decimal(v, 1) }))
	line("Days since the last post", metricText(m.DaysSinceLastPost, strconv.Itoa))
	line("Engagement consistency (0-100)", metricText(m.EngagementConsistency, strconv.Itoa))
	line("Fake-follower risk (0-100)", metricText(m.FakeFollowerRisk, func(r lead.Risk) string { return strconv.Itoa(r.Score) }))
	line("Top hashtags", strings.Join(prefixed("#", m.TopHashtags, 5), " "))

	posts := p.RecentPosts
	if len(posts) > lim.posts {
		posts = posts[:lim.posts]
	}
	if len(posts) > 0 {
		b.WriteString("\n## Recent posts (newest first)\n")
	}
	for i, post := range posts {
		date := "undated"
		if !post.Timestamp.IsZero() {
			date = post.Timestamp.UTC().Format("2006-01-02")
		}
		likes := strconv.FormatInt(post.Likes, 10)
		if post.LikesHidden {
			likes = "hidden"
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + string(post.Type) + ", " + date + ", " + likes + " likes, " +
			strconv.FormatInt(post.Comments, 10) + " comments")
		if c := oneLine(post.Caption, lim.caption); c != "" {
			b.WriteString(": " + c)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// describeBusiness renders the business context block (the stable prefix of every analysis
// prompt of one business profile).
func describeBusiness(c business.Context) string {
	return "## The business\n" + business.Describe(c)
}

// profileFacts converts the metrics to the LLM port's figures: the port counts engagement in
// PERCENT (rounded to 4 decimals of a percent) where core/lead holds a fraction.
func profileFacts(m lead.Metrics) *ai.ProfileMetrics {
	f := &ai.ProfileMetrics{
		AvgLikes:          m.AvgLikes.Or(0),
		AvgComments:       m.AvgComments.Or(0),
		PostsPerWeek:      m.PostsPerWeek.Or(0),
		DaysSinceLastPost: m.DaysSinceLastPost.Or(-1),
		TopHashtags:       m.TopHashtags,
	}
	if m.EngagementRate.Known() {
		f.EngagementRate = math.Round(*m.EngagementRate.Value*1e6) / 1e4
	}
	return f
}

// metricText renders a known metric with format, and a missing one as "unknown (reason)".
func metricText[T any](m lead.Metric[T], format func(T) string) string {
	if !m.Known() {
		return "unknown (" + strings.ReplaceAll(string(m.Reason), "_", " ") + ")"
	}
	return format(*m.Value)
}

func decimal(v float64, places int) string { return strconv.FormatFloat(v, 'f', places, 64) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func prefixed(prefix string, items []string, n int) []string {
	out := make([]string, 0, min(len(items), n))
	for i, s := range items {
		if i == n {
			break
		}
		out = append(out, prefix+s)
	}
	return out
}

// oneLine collapses white space and cuts s to n characters (with "…" when cut).
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}
