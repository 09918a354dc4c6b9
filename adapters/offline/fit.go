package offline

import (
	"fmt"
	"strings"

	"github.com/oslira/oslira/core/ai"
)

// fit is what the offline analyzer concludes about one profile for one business.
type fit struct {
	score     int      // 0–100
	strengths []string // evidence for the fit
	gaps      []string // evidence against it
	niche     string   // one or two lowercase words, "" when unclear
	matched   bool     // the niche came from the ICP or the business category
	er        float64  // engagement rate, percent (-1 unknown)
}

// assess scores the facts: 50 to start, then the ICP's follower range and minimum engagement,
// niche and theme overlap, engagement quality, account type and spam signals.
func assess(f *ai.Facts) fit {
	out := fit{score: 50, er: -1}
	if f == nil || f.Profile == nil {
		out.gaps = append(out.gaps, "No profile data was available, so the fit is a neutral estimate")
		return out
	}
	p := f.Profile
	var icp ai.ICPFacts
	if f.Business != nil {
		icp = f.Business.ICP
	}
	out.er = engagementRate(f)
	out.niche, out.matched = detectNiche(f)
	if p.Private {
		out.score = 10
		out.gaps = append(out.gaps, "The account is private, so its content and audience cannot be assessed")
		return out
	}
	add := func(points int, strength, gap string) {
		out.score += points
		if points > 0 && strength != "" {
			out.strengths = append(out.strengths, strength)
		}
		if points < 0 && gap != "" {
			out.gaps = append(out.gaps, gap)
		}
	}
	fol := p.FollowersCount
	switch {
	case icp.MinFollowers > 0 && fol < icp.MinFollowers:
		add(-20, "", fmt.Sprintf("%s followers is below the ICP minimum of %s", count(fol), count(icp.MinFollowers)))
	case icp.MaxFollowers > 0 && fol > icp.MaxFollowers:
		add(-20, "", fmt.Sprintf("%s followers is above the ICP maximum of %s", count(fol), count(icp.MaxFollowers)))
	case icp.MinFollowers > 0 || icp.MaxFollowers > 0:
		add(15, fmt.Sprintf("%s followers sits inside the ICP follower range", count(fol)), "")
	}
	if out.er >= 0 {
		if icp.MinEngagementRate > 0 {
			if out.er >= icp.MinEngagementRate {
				add(10, fmt.Sprintf("Engagement of %.1f %% meets the ICP minimum of %.1f %%", out.er, icp.MinEngagementRate), "")
			} else {
				add(-15, "", fmt.Sprintf("Engagement of %.1f %% is below the ICP minimum of %.1f %%", out.er, icp.MinEngagementRate))
			}
		}
		switch {
		case out.er >= 3:
			add(10, fmt.Sprintf("An engagement rate of %.1f %% shows an attentive audience", out.er), "")
		case out.er < 1:
			add(-10, "", fmt.Sprintf("An engagement rate of %.1f %% suggests a passive audience", out.er))
		}
	}
	hits := overlap(f, append(append([]string{}, icp.Niches...), icp.ContentThemes...))
	for i, h := range hits {
		if i == 2 {
			break
		}
		add(8, fmt.Sprintf("The content matches the ICP theme %q", h), "")
	}
	if len(hits) == 0 && len(icp.Niches)+len(icp.ContentThemes) > 0 {
		add(-5, "", "The content does not mention any of the ICP's niches or themes")
	}
	if p.BusinessAccount {
		add(5, "It is a business account"+categorySuffix(p.BusinessCategory), "")
	}
	if p.Verified {
		add(3, "The account is verified", "")
	}
	if fol > 1000 && p.FollowingCount > 0 && float64(fol)/float64(p.FollowingCount) < 0.1 {
		add(-20, "", "It follows far more accounts than follow it back, a common sign of inauthentic growth")
	}
	if len(p.RecentPosts) == 0 {
		add(-5, "", "No recent posts were available to judge activity")
	}
	out.score = max(0, min(100, out.score))
	return out
}

// engagementRate is the metrics' rate, else (average likes + comments of recent posts) /
// followers, in percent; -1 when unknown.
func engagementRate(f *ai.Facts) float64 {
	if f.Metrics != nil {
		return f.Metrics.EngagementRate
	}
	p := f.Profile
	if p == nil || p.FollowersCount <= 0 || len(p.RecentPosts) == 0 {
		return -1
	}
	var sum int64
	for _, post := range p.RecentPosts {
		sum += post.Likes + post.Comments
	}
	return float64(sum) / float64(len(p.RecentPosts)) / float64(p.FollowersCount) * 100
}

// profileText is everything a profile says about itself, lowercased.
func profileText(f *ai.Facts) string {
	p := f.Profile
	parts := []string{p.Username, p.FullName, p.Biography, p.BusinessCategory}
	for _, post := range p.RecentPosts {
		parts = append(parts, post.Caption, strings.Join(post.Hashtags, " "))
	}
	if f.Metrics != nil {
		parts = append(parts, strings.Join(f.Metrics.TopHashtags, " "))
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// overlap returns the terms (deduplicated, in order) the profile's text mentions.
func overlap(f *ai.Facts, terms []string) []string {
	text := profileText(f)
	var out []string
	seen := map[string]bool{}
	for _, t := range terms {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !seen[t] && strings.Contains(text, t) {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// detectNiche is the first ICP niche the profile mentions, else the first two words of its
// business category, else "" (matched tells whether evidence backed it).
func detectNiche(f *ai.Facts) (string, bool) {
	if f.Business != nil {
		if hits := overlap(f, f.Business.ICP.Niches); len(hits) > 0 {
			return nicheWords(hits[0]), true
		}
	}
	if f.Profile != nil && f.Profile.BusinessCategory != "" {
		return nicheWords(f.Profile.BusinessCategory), true
	}
	return "", false
}

// nicheWords keeps at most two lowercase ASCII words (the niche_detection pattern).
func nicheWords(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r < 'a' || r > 'z' })
	if len(words) > 2 {
		words = words[:2]
	}
	return strings.Join(words, " ")
}

func categorySuffix(c string) string {
	if c == "" {
		return ""
	}
	return " in " + c
}

// count renders 48210 as "48.2k".
func count(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	default:
		return fmt.Sprintf("%d", n)
	}
}

// tier is the lead tier of a score.
func tier(score int) string {
	switch {
	case score >= 75:
		return "hot"
	case score >= 50:
		return "warm"
	default:
		return "cold"
	}
}
