package business_test

import (
	"math"
	"testing"

	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
)

// snapshot is a public profile with n followers, a bio and two posts.
func snapshot(n int64) lead.ProfileSnapshot {
	return lead.ProfileSnapshot{
		Username: "coach.anna", FullName: "Anna Berg", FollowersCount: n,
		Biography:        "Strength training for busy founders. Based in Berlin.",
		BusinessCategory: "Personal Trainer",
		RecentPosts: []lead.Post{
			{Caption: "Three deadlift cues #strength", Hashtags: []string{"strength", "MealPrep"}, LocationName: "Kreuzberg"},
			{Caption: "Easy vegan recipes for lifters", Alt: "a bowl of lentils"},
		},
	}
}

// reason returns the reason for criterion c, failing when there is none.
func reason(t *testing.T, m business.Match, c business.Criterion) business.Reason {
	t.Helper()
	for _, r := range m.Reasons {
		if r.Criterion == c {
			return r
		}
	}
	t.Fatalf("no reason for %s in %+v", c, m.Reasons)
	return business.Reason{}
}

func TestMatchICPFollowerBoundsAreInclusive(t *testing.T) {
	icp := business.ICP{MinFollowers: 1000, MaxFollowers: business.Int64(5000)}
	for _, tc := range []struct {
		followers int64
		matched   bool
		score     int
		detail    string
	}{
		{999, false, 0, "999 followers, below the minimum of 1000"},
		{1000, true, 100, "1000 followers, within the range"}, // min = followers
		{3000, true, 100, "3000 followers, within the range"},
		{5000, true, 100, "5000 followers, within the range"}, // max = followers
		{5001, false, 0, "5001 followers, above the maximum of 5000"},
	} {
		m := business.MatchICP(icp, snapshot(tc.followers), nil)
		r := reason(t, m, business.CriterionFollowers)
		wantVerdict := business.Met
		if !tc.matched {
			wantVerdict = business.Unmet
		}
		if m.Matched != tc.matched || m.Score != tc.score || len(m.Reasons) != 1 || r.Verdict != wantVerdict ||
			r.Disqualifies == tc.matched || r.Detail != tc.detail {
			t.Errorf("%d followers: %+v", tc.followers, m)
		}
	}
	// Only a minimum, only a maximum: the open end is unbounded.
	if m := business.MatchICP(business.ICP{MinFollowers: 10}, snapshot(1<<40), nil); !m.Matched {
		t.Errorf("no maximum: %+v", m)
	}
	if m := business.MatchICP(business.ICP{MaxFollowers: business.Int64(0)}, snapshot(0), nil); !m.Matched || m.Score != 100 {
		t.Errorf("max 0 with 0 followers: %+v", m)
	}
	if m := business.MatchICP(business.ICP{MaxFollowers: business.Int64(0)}, snapshot(1), nil); m.Matched {
		t.Errorf("max 0 with 1 follower: %+v", m)
	}
}

func TestMatchICPEngagement(t *testing.T) {
	icp := business.ICP{MinEngagementRate: business.Float64(0.035)}
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		rate    *float64
		matched bool
		verdict business.Verdict
		score   int
		detail  string
	}{
		{"unknown", nil, true, business.Unknown, 50, "engagement rate unknown; the minimum is 3.5 %"},
		{"negative is unknown", business.Float64(-1), true, business.Unknown, 50, "engagement rate unknown; the minimum is 3.5 %"},
		{"NaN is unknown", &nan, true, business.Unknown, 50, "engagement rate unknown; the minimum is 3.5 %"},
		{"below", business.Float64(0.0349), false, business.Unmet, 0, "engagement rate 3.49 %, below the minimum of 3.5 %"},
		{"equal", business.Float64(0.035), true, business.Met, 100, "engagement rate 3.5 %, at least 3.5 %"},
		{"above", business.Float64(0.12), true, business.Met, 100, "engagement rate 12 %, at least 3.5 %"},
	} {
		m := business.MatchICP(icp, snapshot(10), tc.rate)
		r := reason(t, m, business.CriterionEngagement)
		if m.Matched != tc.matched || m.Score != tc.score || r.Verdict != tc.verdict || r.Disqualifies != !tc.matched || r.Detail != tc.detail {
			t.Errorf("%s: %+v", tc.name, m)
		}
	}
}

func TestMatchICPTopicsAndGeography(t *testing.T) {
	for _, tc := range []struct {
		name    string
		icp     business.ICP
		verdict business.Verdict
		score   int
		detail  string
	}{
		// Whole words, case-insensitive, a trailing "s" ignored: "recipe" finds "recipes".
		{"two of three", business.ICP{ContentThemes: []string{"Strength Training", "recipe"}, Niches: []string{"fitness"}}, business.Partial, 67,
			"2 of 3 themes and niches found: Strength Training, recipe"},
		{"every one", business.ICP{ContentThemes: []string{"deadlift"}, Niches: []string{"personal trainer"}}, business.Met, 100, "every theme and niche found"},
		{"hashtag without spaces", business.ICP{Niches: []string{"meal prep"}}, business.Met, 100, "every theme and niche found"},
		{"alt text", business.ICP{Niches: []string{"lentil"}}, business.Met, 100, "every theme and niche found"},
		{"no partial words", business.ICP{Niches: []string{"train", "art"}}, business.Unmet, 0, "none of the themes and niches found"},
		{"blank term", business.ICP{Niches: []string{"--"}}, business.Unmet, 0, "none of the themes and niches found"},
	} {
		m := business.MatchICP(tc.icp, snapshot(10), nil)
		r := reason(t, m, business.CriterionTopics)
		if !m.Matched || m.Score != tc.score || r.Verdict != tc.verdict || r.Disqualifies || r.Detail != tc.detail {
			t.Errorf("%s: %+v", tc.name, m)
		}
	}

	// Geography: a place in the bio or a post's location is met; none is unknown (half).
	for _, tc := range []struct {
		places  []string
		verdict business.Verdict
		score   int
		detail  string
	}{
		{[]string{"Munich", "Berlin"}, business.Met, 100, "mentions Berlin"},
		{[]string{"kreuzberg"}, business.Met, 100, "mentions kreuzberg"},
		{[]string{"Paris"}, business.Unknown, 50, "no target place mentioned"},
	} {
		m := business.MatchICP(business.ICP{Geography: tc.places}, snapshot(10), nil)
		r := reason(t, m, business.CriterionGeography)
		if !m.Matched || m.Score != tc.score || r.Verdict != tc.verdict || r.Detail != tc.detail {
			t.Errorf("%v: %+v", tc.places, m)
		}
	}
}

func TestMatchICPScoreWeighsTheAskedCriteria(t *testing.T) {
	full := business.ICP{
		MinFollowers: 100, MaxFollowers: business.Int64(100_000), MinEngagementRate: business.Float64(0.02),
		ContentThemes: []string{"strength", "yoga"}, Niches: []string{"fitness", "recipe"}, Geography: []string{"Tokyo"},
		CompanySizes: []business.CompanySize{business.SizeSMB},
	}
	// followers 35 + engagement unknown 12.5 + topics 2/4 of 30 = 15 + geography unknown 5 = 67.5 of 100.
	m := business.MatchICP(full, snapshot(5000), nil)
	if !m.Matched || m.Score != 68 || len(m.Reasons) != 4 {
		t.Errorf("unknown engagement: %+v", m)
	}
	// With a known good rate: 35 + 25 + 15 + 5 = 80.
	if m := business.MatchICP(full, snapshot(5000), business.Float64(0.05)); !m.Matched || m.Score != 80 {
		t.Errorf("known engagement: %+v", m)
	}
	// Topics and geography only: 15 + 5 of 40 = 50.
	if m := business.MatchICP(business.ICP{ContentThemes: full.ContentThemes, Niches: full.Niches, Geography: full.Geography}, snapshot(5000), nil); m.Score != 50 {
		t.Errorf("topics and geography: %+v", m)
	}
	// A disqualified lead scores 0 whatever else fits, and every asked criterion is still explained.
	if m := business.MatchICP(full, snapshot(50), business.Float64(0.5)); m.Matched || m.Score != 0 || len(m.Reasons) != 4 {
		t.Errorf("too few followers: %+v", m)
	}
	// An ICP that asks for nothing (company sizes are not matched) matches everyone at 100, with no reasons.
	if m := business.MatchICP(business.ICP{CompanySizes: full.CompanySizes}, lead.ProfileSnapshot{}, nil); !m.Matched || m.Score != 100 || len(m.Reasons) != 0 {
		t.Errorf("empty ICP: %+v", m)
	}
}
