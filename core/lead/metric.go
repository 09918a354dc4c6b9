package lead

import "math"

// Metric is one extraction figure that may be missing. Exactly one of Value and Reason is set:
// a known figure has Value (never NaN or ±Inf) and no Reason; a missing one has a nil Value and
// the Reason it could not be computed. In JSON: {"value": 0.035} or {"value": null, "reason":
// "no_followers"}.
type Metric[T any] struct {
	Value  *T            `json:"value"`
	Reason MissingReason `json:"reason,omitempty"`
}

// Known reports whether the figure could be computed.
func (m Metric[T]) Known() bool { return m.Value != nil }

// Or returns the value, or def when the figure is missing.
func (m Metric[T]) Or(def T) T {
	if m.Value == nil {
		return def
	}
	return *m.Value
}

// MissingReason says why a Metric could not be computed. The set is closed.
type MissingReason string

// The reasons a figure is missing.
const (
	// MissingNoPosts: the snapshot has no recent posts (a private or empty profile).
	MissingNoPosts MissingReason = "no_posts"
	// MissingNoFollowers: the profile has no followers, so no rate per follower exists.
	MissingNoFollowers MissingReason = "no_followers"
	// MissingLikesHidden: every recent post hides its like count.
	MissingLikesHidden MissingReason = "likes_hidden"
	// MissingNoLikes: the posts with visible likes have none, so no ratio to likes exists.
	MissingNoLikes MissingReason = "no_likes"
	// MissingNoEngagement: the posts have neither likes nor comments, so their spread is undefined.
	MissingNoEngagement MissingReason = "no_engagement"
	// MissingTooFewPosts: fewer posts (or dated posts) than the figure needs.
	MissingTooFewPosts MissingReason = "too_few_posts"
	// MissingNoTimestamps: no recent post says when it was published.
	MissingNoTimestamps MissingReason = "no_timestamps"
	// MissingSameTimestamp: every dated post has the same timestamp, so no period elapsed.
	MissingSameTimestamp MissingReason = "same_timestamp"
	// MissingNoScrapeTime: the snapshot does not say when it was taken.
	MissingNoScrapeTime MissingReason = "no_scrape_time"
	// MissingFollowsNobody: the profile follows no one and has too few followers (< 100) for that
	// to mean authority.
	MissingFollowsNobody MissingReason = "follows_nobody"
)

func known[T any](v T) Metric[T] { return Metric[T]{Value: &v} }

func missing[T any](r MissingReason) Metric[T] { return Metric[T]{Reason: r} }

// score rounds a 0–100 score to the nearest integer, clamping it into the range.
func score(v float64) int { return int(math.Round(math.Max(0, math.Min(100, v)))) }

// mean of xs; callers guarantee len(xs) > 0.
func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// stdDev is the population standard deviation of xs; callers guarantee len(xs) > 0.
func stdDev(xs []float64) float64 {
	m := mean(xs)
	var sq float64
	for _, x := range xs {
		d := x - m
		sq += d * d
	}
	return math.Sqrt(sq / float64(len(xs)))
}
