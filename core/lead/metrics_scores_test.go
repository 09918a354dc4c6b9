package lead_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/oslira/oslira/core/lead"
)

func TestTopHashtags(t *testing.T) {
	var posts []lead.Post
	// "k" used 12 times, "j" 11, … "a" 2 times; "#A" and " a " are "a"; blanks are skipped.
	for i, tag := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"} {
		for range i + 2 {
			posts = append(posts, lead.Post{Hashtags: []string{tag}})
		}
	}
	posts = append(posts, lead.Post{Hashtags: []string{"#A", " a ", "", "#", "zz", "yy"}})
	m := lead.ExtractMetrics(lead.ProfileSnapshot{RecentPosts: posts})
	// a: 4 like c, b: 3, yy and zz: 1 each; the ten most used, ties alphabetical.
	want := []string{"k", "j", "i", "h", "g", "f", "e", "d", "a", "c"} // a and c: 4 each
	if !reflect.DeepEqual(m.TopHashtags, want) {
		t.Errorf("top hashtags %q, want %q", m.TopHashtags, want)
	}
	m = lead.ExtractMetrics(lead.ProfileSnapshot{RecentPosts: []lead.Post{{Hashtags: []string{"zz", "yy", "xx", "yy"}}}})
	if !reflect.DeepEqual(m.TopHashtags, []string{"yy", "xx", "zz"}) {
		t.Errorf("ties: %q", m.TopHashtags)
	}
	if m := lead.ExtractMetrics(lead.ProfileSnapshot{}); m.TopHashtags == nil || len(m.TopHashtags) != 0 {
		t.Errorf("no hashtags: %#v, want empty, not null", m.TopHashtags)
	}
}

func TestFormatMix(t *testing.T) {
	reel := lead.Post{Type: lead.PostVideo, ProductType: "clips"}
	video := lead.Post{Type: lead.PostVideo, ProductType: "igtv"}
	image := lead.Post{Type: lead.PostPhoto}
	carousel := lead.Post{Type: lead.PostCarousel}
	untyped := lead.Post{}
	clipsCarousel := lead.Post{Type: lead.PostCarousel, ProductType: "clips"}
	for name, c := range map[string]struct {
		posts []lead.Post
		want  lead.FormatMix
	}{
		"every format": {[]lead.Post{reel, clipsCarousel, video, image, untyped, carousel, carousel, carousel},
			lead.FormatMix{Reels: 0.25, Videos: 0.125, Images: 0.25, Carousels: 0.375, Diversity: 4, Dominant: lead.FormatMixed}},
		"half is not dominant": {[]lead.Post{video, video, image, carousel},
			lead.FormatMix{Videos: 0.5, Images: 0.25, Carousels: 0.25, Diversity: 3, Dominant: lead.FormatMixed}},
		"more than half": {[]lead.Post{image, untyped, image, reel, video},
			lead.FormatMix{Reels: 0.2, Videos: 0.2, Images: 0.6, Diversity: 3, Dominant: lead.FormatImage}},
		"one format": {[]lead.Post{reel}, lead.FormatMix{Reels: 1, Diversity: 1, Dominant: lead.FormatReel}},
	} {
		got := val(t, name, lead.ExtractMetrics(lead.ProfileSnapshot{RecentPosts: c.posts}).Formats)
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", name, got, c.want)
		}
	}
}

func TestAuthority(t *testing.T) {
	for _, c := range []struct {
		followers, following int64
		ratio                lead.Metric[float64]
		score                lead.Metric[int]
	}{
		{100, 0, lead.Metric[float64]{Reason: lead.MissingFollowsNobody}, ptr(100)},
		{99, 0, lead.Metric[float64]{Reason: lead.MissingFollowsNobody}, lead.Metric[int]{Reason: lead.MissingFollowsNobody}},
		{0, 5, fptr(0), ptr(0)},
		{1000, 10, fptr(100), ptr(50)},
		{10, 1000, fptr(0.01), ptr(0)},
		{1_000_000, 1, fptr(1_000_000), ptr(100)},
		{316, 100, fptr(3.16), ptr(12)},
		{1, 1, fptr(1), ptr(0)},
	} {
		m := lead.ExtractMetrics(lead.ProfileSnapshot{FollowersCount: c.followers, FollowingCount: c.following})
		if fmt.Sprint(show(m.AuthorityRatio), show(m.AuthorityScore)) != fmt.Sprint(show(c.ratio), show(c.score)) {
			t.Errorf("%d/%d: ratio %s score %s, want %s %s", c.followers, c.following,
				show(m.AuthorityRatio), show(m.AuthorityScore), show(c.ratio), show(c.score))
		}
	}
}

func ptr(v int) lead.Metric[int]          { return lead.Metric[int]{Value: &v} }
func fptr(v float64) lead.Metric[float64] { return lead.Metric[float64]{Value: &v} }
func show[T any](m lead.Metric[T]) string {
	if m.Value == nil {
		return "missing:" + string(m.Reason)
	}
	return fmt.Sprint(*m.Value)
}

func TestAudienceScaleBounds(t *testing.T) {
	for followers, want := range map[int64]lead.AudienceScale{
		0: lead.ScaleNano, 9_999: lead.ScaleNano, 10_000: lead.ScaleMicro, 49_999: lead.ScaleMicro,
		50_000: lead.ScaleMid, 249_999: lead.ScaleMid, 250_000: lead.ScaleMacro, 999_999: lead.ScaleMacro,
		1_000_000: lead.ScaleMega, 2_999_999: lead.ScaleMega, 3_000_000: lead.ScaleEnterprise,
	} {
		if got := lead.AudienceScaleOf(followers); got != want {
			t.Errorf("AudienceScaleOf(%d) = %s, want %s", followers, got, want)
		}
	}
}

func TestRiskBandBounds(t *testing.T) {
	for s, want := range map[int]lead.RiskBand{
		0: lead.RiskLow, 20: lead.RiskLow, 21: lead.RiskModerate, 40: lead.RiskModerate, 41: lead.RiskElevated,
		60: lead.RiskElevated, 61: lead.RiskHigh, 80: lead.RiskHigh, 81: lead.RiskVeryHigh, 95: lead.RiskVeryHigh,
	} {
		if got := lead.RiskBandOf(s); got != want {
			t.Errorf("RiskBandOf(%d) = %s, want %s", s, got, want)
		}
	}
}

// TestFakeFollowerRiskSignals isolates each signal: following 0 (no ratio points), posts as many
// as followers (no per-post points) and no consistency unless the case sets them.
func TestFakeFollowerRiskSignals(t *testing.T) {
	none := lead.Metric[int]{Reason: lead.MissingTooFewPosts}
	cases := []struct {
		name                            string
		followers, following, postCount int64
		rate                            float64
		consistency                     lead.Metric[int]
		want                            int
	}{
		// engagement vs size, under 10,000 followers: expected 1.5 %
		{"at expected", 5000, 0, 5000, 0.015, none, 0},
		{"below expected", 5000, 0, 5000, 0.0149, none, 15},
		{"at half", 5000, 0, 5000, 0.0075, none, 15},
		{"below half", 5000, 0, 5000, 0.0074, none, 25},
		{"at a quarter", 5000, 0, 5000, 0.00375, none, 25},
		{"below a quarter", 5000, 0, 5000, 0.0037, none, 35},
		// the size bands' bounds: the expected rate drops at 10,000, 50,000 and 500,000
		{"9,999 expects 1.5 %", 9_999, 0, 9_999, 0.012, none, 15},
		{"10,000 expects 1 %", 10_000, 0, 10_000, 0.012, none, 0},
		{"49,999 expects 1 %", 49_999, 0, 49_999, 0.008, none, 15},
		{"50,000 expects 0.5 %", 50_000, 0, 50_000, 0.008, none, 0},
		{"499,999 expects 0.5 %", 499_999, 0, 499_999, 0.004, none, 15},
		{"500,000 expects 0.2 %", 500_000, 0, 500_000, 0.004, none, 0},
		{"large, below 0.2 %", 500_000, 0, 500_000, 0.0019, none, 15},
		// followers / following
		{"ratio below 0.3", 2999, 10_000, 2999, 0.05, none, 25},
		{"ratio 0.3", 3000, 10_000, 3000, 0.05, none, 15},
		{"ratio 0.7", 7000, 10_000, 7000, 0.05, none, 5},
		{"ratio 0.99", 9900, 10_000, 9900, 0.05, none, 5},
		{"ratio 1", 5000, 5000, 5000, 0.05, none, 0},
		// followers per post
		{"5,000.1 per post over 50,000", 50_001, 0, 10, 0.05, none, 20},
		{"per post 5,000 exactly", 60_000, 0, 12, 0.05, none, 12},
		{"50,000 followers is not over", 50_000, 0, 9, 0.05, none, 12},
		{"no posts at all", 60_000, 0, 0, 0.05, none, 20},
		{"2,000.1 per post over 20,000", 20_001, 0, 10, 0.05, none, 12},
		{"per post 2,000 exactly", 30_000, 0, 15, 0.05, none, 5},
		{"20,000 followers is not over", 20_000, 0, 5, 0.05, none, 5},
		{"1,000.1 per post over 10,000", 10_001, 0, 10, 0.05, none, 5},
		{"per post 1,000 exactly", 15_000, 0, 15, 0.05, none, 0},
		{"10,000 followers is not over", 10_000, 0, 5, 0.05, none, 0},
		// consistency
		{"even and low", 600_000, 0, 600_000, 0.0099, ptr(91), 15},
		{"consistency 90", 600_000, 0, 600_000, 0.0099, ptr(90), 0},
		{"rate 1 %", 600_000, 0, 600_000, 0.01, ptr(95), 0},
		{"erratic", 600_000, 0, 600_000, 0.05, ptr(19), 10},
		{"consistency 20", 600_000, 0, 600_000, 0.05, ptr(20), 0},
		// everything at once: 35 + 25 + 20 + 15
		{"all signals", 60_000, 1_000_000, 1, 0.0001, ptr(99), 95},
	}
	for _, c := range cases {
		p := lead.ProfileSnapshot{FollowersCount: c.followers, FollowingCount: c.following, PostsCount: c.postCount}
		r := val(t, c.name, lead.FakeFollowerRisk(p, fptr(c.rate), c.consistency))
		if r.Score != c.want || r.Band != lead.RiskBandOf(c.want) {
			t.Errorf("%s: %+v, want %d", c.name, r, c.want)
		}
	}
	r := lead.FakeFollowerRisk(lead.ProfileSnapshot{}, lead.Metric[float64]{Reason: lead.MissingLikesHidden}, ptr(95))
	if r.Known() || r.Reason != lead.MissingLikesHidden {
		t.Errorf("risk without a rate: %+v", r)
	}
}

func TestAccountMaturity(t *testing.T) {
	for name, c := range map[string]struct {
		p    lead.ProfileSnapshot
		want int
	}{
		"nothing":           {lead.ProfileSnapshot{Biography: " \n"}, 0},
		"highlights capped": {lead.ProfileSnapshot{HighlightReelCount: 6}, 25},
		"four highlights":   {lead.ProfileSnapshot{HighlightReelCount: 4}, 20},
		"bio":               {lead.ProfileSnapshot{Biography: "x"}, 10},
		"link list only":    {lead.ProfileSnapshot{ExternalURLs: []string{"https://x.example"}}, 15},
		"business":          {lead.ProfileSnapshot{BusinessAccount: true}, 10},
		"everything":        {lead.ProfileSnapshot{Biography: "x", ExternalURL: "u", BusinessAccount: true, HighlightReelCount: 9}, 60},
	} {
		if got := val(t, name, lead.ExtractMetrics(c.p).AccountMaturity); got != c.want {
			t.Errorf("%s: maturity %d, want %d", name, got, c.want)
		}
	}
}
