package lead

import (
	"slices"
	"strings"
	"time"
)

const day = 24 * time.Hour

// frequency fills the posting-frequency figures from the posts' timestamps.
func frequency(p ProfileSnapshot, m *Metrics) {
	var dated []time.Time // not pinned
	var newest time.Time  // pinned included
	for _, po := range p.RecentPosts {
		if po.Timestamp.IsZero() {
			continue
		}
		if po.Timestamp.After(newest) {
			newest = po.Timestamp
		}
		if !po.Pinned {
			dated = append(dated, po.Timestamp)
		}
	}
	switch {
	case newest.IsZero() && len(p.RecentPosts) == 0:
		m.DaysSinceLastPost = missing[int](MissingNoPosts)
	case newest.IsZero():
		m.DaysSinceLastPost = missing[int](MissingNoTimestamps)
	case p.ScrapedAt.IsZero():
		m.DaysSinceLastPost = missing[int](MissingNoScrapeTime)
	default:
		m.DaysSinceLastPost = known(int(max(0, p.ScrapedAt.Sub(newest)) / day))
	}

	slices.SortFunc(dated, time.Time.Compare)
	var reason MissingReason
	switch {
	case len(p.RecentPosts) == 0:
		reason = MissingNoPosts
	case len(dated) == 0:
		reason = MissingNoTimestamps
	case len(dated) < 2:
		reason = MissingTooFewPosts
	case dated[0].Equal(dated[len(dated)-1]):
		reason = MissingSameTimestamp
	}
	if reason != "" {
		m.PostsPerWeek, m.AvgDaysBetweenPosts = missing[float64](reason), missing[float64](reason)
		m.PostingConsistency = missing[int](reason)
		return
	}
	intervals := float64(len(dated) - 1)
	spanDays := dated[len(dated)-1].Sub(dated[0]).Hours() / 24
	m.PostsPerWeek = known(intervals / spanDays * 7)
	m.AvgDaysBetweenPosts = known(spanDays / intervals)
	if len(dated) < 3 {
		m.PostingConsistency = missing[int](MissingTooFewPosts)
		return
	}
	gaps := make([]float64, len(dated)-1)
	for i := range gaps {
		gaps[i] = dated[i+1].Sub(dated[i]).Hours() / 24
	}
	m.PostingConsistency = known(score(100 / (1 + stdDev(gaps)/5)))
}

// topHashtags returns the n most used hashtags (lowercased, without "#"), most used first, ties
// alphabetical.
func topHashtags(posts []Post, n int) []string {
	counts := map[string]int{}
	for _, po := range posts {
		for _, h := range po.Hashtags {
			if h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "#")); h != "" {
				counts[h]++
			}
		}
	}
	tags := make([]string, 0, len(counts))
	for h := range counts {
		tags = append(tags, h)
	}
	slices.SortFunc(tags, func(a, b string) int {
		if d := counts[b] - counts[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return tags[:min(n, len(tags))]
}

// Format is a post format of the format mix.
type Format string

// The formats. A Reel is a video with product type "clips"; Video is any other video.
const (
	FormatReel     Format = "reel"
	FormatVideo    Format = "video"
	FormatImage    Format = "image"
	FormatCarousel Format = "carousel"
	// FormatMixed is FormatMix.Dominant when no format has more than half of the posts.
	FormatMixed Format = "mixed"
)

// FormatMix is the share of each format among the recent posts (fractions summing to 1).
type FormatMix struct {
	Reels     float64 `json:"reels"`
	Videos    float64 `json:"videos"`
	Images    float64 `json:"images"`
	Carousels float64 `json:"carousels"`
	// Diversity is how many of the four formats occur (1–4).
	Diversity int `json:"diversity"`
	// Dominant is the format of more than half of the posts, else FormatMixed.
	Dominant Format `json:"dominant"`
}

// formatMix classifies the posts; a post of unknown type counts as an image (Instagram's default).
func formatMix(posts []Post) Metric[FormatMix] {
	if len(posts) == 0 {
		return missing[FormatMix](MissingNoPosts)
	}
	counts := map[Format]int{}
	for _, po := range posts {
		switch {
		case po.IsReel():
			counts[FormatReel]++
		case po.Type == PostVideo:
			counts[FormatVideo]++
		case po.Type == PostCarousel:
			counts[FormatCarousel]++
		default:
			counts[FormatImage]++
		}
	}
	n := float64(len(posts))
	mix := FormatMix{Reels: float64(counts[FormatReel]) / n, Videos: float64(counts[FormatVideo]) / n,
		Images: float64(counts[FormatImage]) / n, Carousels: float64(counts[FormatCarousel]) / n,
		Diversity: len(counts), Dominant: FormatMixed}
	for f, c := range counts {
		if 2*c > len(posts) {
			mix.Dominant = f
		}
	}
	return known(mix)
}
