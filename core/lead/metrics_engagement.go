package lead

import (
	"math"
	"time"
)

// engagement fills the averages, the engagement rate and its consistency and score.
func engagement(p ProfileSnapshot, m *Metrics) {
	posts := p.RecentPosts
	if len(posts) == 0 {
		m.AvgLikes, m.AvgComments, m.EngagementRate, m.CommentToLikeRatio = missing[float64](MissingNoPosts),
			missing[float64](MissingNoPosts), missing[float64](MissingNoPosts), missing[float64](MissingNoPosts)
		m.EngagementConsistency, m.EngagementScore = missing[int](MissingNoPosts), missing[int](MissingNoPosts)
		return
	}
	var comments float64
	for _, po := range posts {
		comments += float64(po.Comments)
	}
	m.AvgComments = known(comments / float64(len(posts)))

	// Only posts with visible likes say how many people interacted with them.
	var likes, visibleComments float64
	var perPost []float64
	for _, po := range posts {
		if po.LikesHidden {
			continue
		}
		likes += float64(po.Likes)
		visibleComments += float64(po.Comments)
		perPost = append(perPost, (float64(po.Likes)+float64(po.Comments))/ageMultiplier(po.Timestamp, p.ScrapedAt))
	}
	if len(perPost) == 0 {
		m.AvgLikes, m.EngagementRate, m.CommentToLikeRatio = missing[float64](MissingLikesHidden),
			missing[float64](MissingLikesHidden), missing[float64](MissingLikesHidden)
		m.EngagementConsistency, m.EngagementScore = missing[int](MissingLikesHidden), missing[int](MissingLikesHidden)
		return
	}
	n := float64(len(perPost))
	m.AvgLikes = known(likes / n)
	if likes > 0 {
		m.CommentToLikeRatio = known(visibleComments / likes)
	} else {
		m.CommentToLikeRatio = missing[float64](MissingNoLikes)
	}
	if p.FollowersCount > 0 {
		rate := (likes + visibleComments) / n / float64(p.FollowersCount)
		m.EngagementRate = known(rate)
		m.EngagementScore = known(EngagementScore(rate))
	} else {
		m.EngagementRate, m.EngagementScore = missing[float64](MissingNoFollowers), missing[int](MissingNoFollowers)
	}
	switch mu := mean(perPost); {
	case len(perPost) < 2:
		m.EngagementConsistency = missing[int](MissingTooFewPosts)
	case mu == 0:
		m.EngagementConsistency = missing[int](MissingNoEngagement)
	default:
		m.EngagementConsistency = known(score(100 / (1 + stdDev(perPost)/mu)))
	}
}

// ageMultiplier is the share of its eventual interactions a post of this age is assumed to have:
// 0.5 before 24 hours, 0.8 before 7 days, else 1 — and 1 when the age is unknown (no timestamp,
// no scrape time).
func ageMultiplier(published, scraped time.Time) float64 {
	if published.IsZero() || scraped.IsZero() {
		return 1
	}
	switch age := scraped.Sub(published); {
	case age < 24*time.Hour:
		return 0.5
	case age < 7*24*time.Hour:
		return 0.8
	}
	return 1
}

// engagementBands are the corners of EngagementScore's piecewise line: rate in percent → score.
var engagementBands = [...]struct{ percent, score float64 }{
	{0, 0}, {0.5, 20}, {1.5, 40}, {3, 60}, {6, 80}, {10, 100},
}

// EngagementScore maps an engagement rate (a fraction) to 0–100 along a piecewise line on the
// rate in percent: 0.5 % → 20, 1.5 % → 40, 3 % → 60, 6 % → 80, 10 % and above → 100, linear in
// between; a negative or NaN rate is 0.
func EngagementScore(rate float64) int {
	pct := rate * 100
	if !(pct > 0) {
		return 0
	}
	pct = math.Min(pct, 10)
	i := 1
	for pct > engagementBands[i].percent { // ends at the last corner, 10 %, at the latest
		i++
	}
	lo, hi := engagementBands[i-1], engagementBands[i]
	return score(lo.score + (pct-lo.percent)/(hi.percent-lo.percent)*(hi.score-lo.score))
}
