package lead

import (
	"math"
	"strings"
	"unicode/utf8"
)

// AudienceScale is a follower-count bucket.
type AudienceScale string

// The audience scales, by follower count.
const (
	ScaleNano       AudienceScale = "nano"       // < 10,000 (including none)
	ScaleMicro      AudienceScale = "micro"      // < 50,000
	ScaleMid        AudienceScale = "mid"        // < 250,000
	ScaleMacro      AudienceScale = "macro"      // < 1,000,000
	ScaleMega       AudienceScale = "mega"       // < 3,000,000
	ScaleEnterprise AudienceScale = "enterprise" // ≥ 3,000,000
)

// AudienceScaleOf buckets a follower count; each bound belongs to the larger scale.
func AudienceScaleOf(followers int64) AudienceScale {
	switch {
	case followers < 10_000:
		return ScaleNano
	case followers < 50_000:
		return ScaleMicro
	case followers < 250_000:
		return ScaleMid
	case followers < 1_000_000:
		return ScaleMacro
	case followers < 3_000_000:
		return ScaleMega
	}
	return ScaleEnterprise
}

// authority fills the authority ratio and score.
func authority(p ProfileSnapshot, m *Metrics) {
	switch {
	case p.FollowingCount == 0 && p.FollowersCount >= 100:
		m.AuthorityRatio, m.AuthorityScore = missing[float64](MissingFollowsNobody), known(100)
	case p.FollowingCount == 0:
		m.AuthorityRatio, m.AuthorityScore = missing[float64](MissingFollowsNobody), missing[int](MissingFollowsNobody)
	case p.FollowersCount == 0:
		m.AuthorityRatio, m.AuthorityScore = known(0.0), known(0) // log10(0) is −Inf
	default:
		ratio := float64(p.FollowersCount) / float64(p.FollowingCount)
		m.AuthorityRatio, m.AuthorityScore = known(ratio), known(score(math.Log10(ratio)*25))
	}
}

// RiskBand names a range of the fake-follower risk score.
type RiskBand string

// The bands: ≤ 20 low, ≤ 40 moderate, ≤ 60 elevated, ≤ 80 high, else very high.
const (
	RiskLow      RiskBand = "low"
	RiskModerate RiskBand = "moderate"
	RiskElevated RiskBand = "elevated"
	RiskHigh     RiskBand = "high"
	RiskVeryHigh RiskBand = "very_high"
)

// Risk is a fake-follower risk score (0–100) and its band.
type Risk struct {
	Score int      `json:"score"`
	Band  RiskBand `json:"band"`
}

// RiskBandOf bands a risk score; each bound belongs to the lower band.
func RiskBandOf(score int) RiskBand {
	switch {
	case score <= 20:
		return RiskLow
	case score <= 40:
		return RiskModerate
	case score <= 60:
		return RiskElevated
	case score <= 80:
		return RiskHigh
	}
	return RiskVeryHigh
}

// FakeFollowerRisk scores how likely a profile's audience is bought or inactive, adding points
// for each signal (at most 95):
//   - engagement below what its size suggests — expected minimum rate 1.5 % under 10,000
//     followers, 1 % under 50,000, 0.5 % under 500,000, else 0.2 %: below a quarter of it +35,
//     below half +25, below it +15 (as fractions: the original compared a decimal rate to these
//     percent figures, flagging nearly every account);
//   - followers / following below 0.3 +25, below 0.7 +15, below 1 +5 (not scored when following
//     no one);
//   - followers per post (the profile's total posts; none counts as unboundedly many) above
//     5,000 with over 50,000 followers +20, else above 2,000 with over 20,000 +12, else above
//     1,000 with over 10,000 +5;
//   - engagement consistency above 90 with a rate below 1 % +15 (suspiciously even), below 20
//     +10 (erratic); not scored when the consistency is missing.
//
// It needs the engagement rate: when that is missing, so is the risk, for the same reason.
func FakeFollowerRisk(p ProfileSnapshot, rate Metric[float64], consistency Metric[int]) Metric[Risk] {
	if !rate.Known() {
		return missing[Risk](rate.Reason)
	}
	er, followers := *rate.Value, p.FollowersCount
	points := 0

	expected := 0.002
	switch {
	case followers < 10_000:
		expected = 0.015
	case followers < 50_000:
		expected = 0.010
	case followers < 500_000:
		expected = 0.005
	}
	switch {
	case er < expected/4:
		points += 35
	case er < expected/2:
		points += 25
	case er < expected:
		points += 15
	}

	if p.FollowingCount > 0 {
		switch ratio := float64(followers) / float64(p.FollowingCount); {
		case ratio < 0.3:
			points += 25
		case ratio < 0.7:
			points += 15
		case ratio < 1:
			points += 5
		}
	}

	perPost := math.Inf(1)
	if p.PostsCount > 0 {
		perPost = float64(followers) / float64(p.PostsCount)
	}
	switch {
	case perPost > 5_000 && followers > 50_000:
		points += 20
	case perPost > 2_000 && followers > 20_000:
		points += 12
	case perPost > 1_000 && followers > 10_000:
		points += 5
	}

	if consistency.Known() {
		switch c := *consistency.Value; {
		case c > 90 && er < 0.01:
			points += 15
		case c < 20:
			points += 10
		}
	}
	return known(Risk{Score: points, Band: RiskBandOf(points)})
}

// composites fills the composite scores from the figures already in m.
func composites(p ProfileSnapshot, m *Metrics) {
	if posts := p.RecentPosts; len(posts) > 0 {
		var hashtags, captionRunes, located float64
		for _, po := range posts {
			hashtags += float64(len(po.Hashtags))
			captionRunes += float64(utf8.RuneCountInString(po.Caption))
			if strings.TrimSpace(po.LocationName) != "" {
				located++
			}
		}
		n := float64(len(posts))
		m.ContentSophistication = known(score(hashtags/n*3 + captionRunes/n/10 + located/n*100*0.3 +
			float64(m.Formats.Value.Diversity)*10))
	} else {
		m.ContentSophistication = missing[int](MissingNoPosts)
	}

	maturity := float64(m.PostingConsistency.Or(0))*0.4 + math.Min(float64(p.HighlightReelCount)*5, 25)
	if strings.TrimSpace(p.Biography) != "" {
		maturity += 10
	}
	if p.ExternalURL != "" || len(p.ExternalURLs) > 0 {
		maturity += 15
	}
	if p.BusinessAccount {
		maturity += 10
	}
	m.AccountMaturity = known(score(maturity))

	if !m.EngagementRate.Known() {
		m.EngagementHealth, m.ProfileHealth = missing[int](m.EngagementRate.Reason), missing[int](m.EngagementRate.Reason)
		return
	}
	health := score(*m.EngagementRate.Value*100*15 + float64(m.EngagementConsistency.Or(0))*0.3 +
		m.CommentToLikeRatio.Or(0)*200)
	m.EngagementHealth = known(health)
	// A known rate implies posts (so content sophistication is known) and a known risk.
	m.ProfileHealth = known(score(0.30*float64(health) + 0.25*float64(*m.ContentSophistication.Value) +
		0.25*float64(*m.AccountMaturity.Value) + 0.20*float64(100-m.FakeFollowerRisk.Value.Score)))
}
