package business

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/oslira/oslira/core/lead"
)

// Criterion names one test of the ICP against a lead.
type Criterion string

// The criteria MatchICP evaluates, with their weights in the fit score.
const (
	CriterionFollowers  Criterion = "followers"  // weight 35; out of range disqualifies
	CriterionEngagement Criterion = "engagement" // weight 25; below the minimum disqualifies
	CriterionTopics     Criterion = "topics"     // weight 30; content themes and niches together
	CriterionGeography  Criterion = "geography"  // weight 10
)

// Weights of the criteria in the fit score.
const (
	weightFollowers  = 35
	weightEngagement = 25
	weightTopics     = 30
	weightGeography  = 10
)

// Verdict is how a lead fared on one criterion.
type Verdict string

// The verdicts.
const (
	// Met: the lead satisfies the criterion (full weight).
	Met Verdict = "met"
	// Partial: some of the topics were found (the found share of the weight).
	Partial Verdict = "partial"
	// Unmet: the lead fails the criterion. For followers and engagement that disqualifies
	// (Reason.Disqualifies); for topics it only earns nothing.
	Unmet Verdict = "unmet"
	// Unknown: the snapshot cannot tell (no engagement rate, no place named): half the weight,
	// never a disqualification.
	Unknown Verdict = "unknown"
)

// Reason explains one criterion's verdict. Only criteria the ICP asks for get a Reason.
type Reason struct {
	Criterion    Criterion
	Verdict      Verdict
	Disqualifies bool
	// Detail is a short English sentence for people (logs, the analysis page).
	Detail string
}

// Match is MatchICP's answer.
type Match struct {
	// Matched is false when a hard rule fails: followers outside the range, or a known
	// engagement rate below the minimum (the original's icp_violation, which it never enabled).
	Matched bool
	// Score is the fit sub-score, 0–100: the earned share of the weights of the criteria the ICP
	// asks for, rounded half away from zero; 100 when it asks for nothing, 0 when not Matched.
	Score   int
	Reasons []Reason
}

// MatchICP tests a lead's profile snapshot against an ICP. engagementRate is the lead's rate as
// a fraction (likes and comments per post over followers, from the metrics code); nil, negative
// or NaN means unknown. It is pure and deterministic.
//
// Criteria, each evaluated only when the ICP asks for it:
//   - followers (ICP sets a minimum above 0 or a maximum): both ends inclusive; outside the
//     range disqualifies;
//   - engagement (ICP sets a minimum rate): a known rate at or above it is met, below it
//     disqualifies, unknown earns half;
//   - topics (content themes and niches): each term is looked for, as whole words (a trailing
//     "s" ignored) or as a hashtag written without spaces, in the name, biography, business
//     category, and the posts' captions, alt texts, hashtags and locations; the share of terms
//     found is the share of the weight earned;
//   - geography: any place found the same way is met, none is unknown (half: a profile rarely
//     states where it is). Company sizes are not matched: a snapshot does not show them.
func MatchICP(icp ICP, p lead.ProfileSnapshot, engagementRate *float64) Match {
	m := Match{Matched: true}
	var earned, possible float64
	add := func(r Reason, weight int, share float64) {
		m.Reasons = append(m.Reasons, r)
		if r.Disqualifies {
			m.Matched = false
		}
		earned += float64(weight) * share
		possible += float64(weight)
	}
	if icp.HasFollowerRange() {
		r, share := matchFollowers(icp, p.FollowersCount)
		add(r, weightFollowers, share)
	}
	if icp.MinEngagementRate != nil {
		r, share := matchEngagement(*icp.MinEngagementRate, engagementRate)
		add(r, weightEngagement, share)
	}
	text := newCorpus(p)
	if terms := append(append([]string{}, icp.ContentThemes...), icp.Niches...); len(terms) > 0 {
		r, share := matchTopics(text, terms)
		add(r, weightTopics, share)
	}
	if len(icp.Geography) > 0 {
		r, share := matchGeography(text, icp.Geography)
		add(r, weightGeography, share)
	}
	switch {
	case !m.Matched:
		m.Score = 0
	case possible == 0:
		m.Score = 100
	default:
		m.Score = int(math.Round(100 * earned / possible))
	}
	return m
}

func matchFollowers(icp ICP, n int64) (Reason, float64) {
	r := Reason{Criterion: CriterionFollowers}
	have := strconv.FormatInt(n, 10) + " followers"
	switch {
	case n < icp.MinFollowers:
		r.Verdict, r.Disqualifies = Unmet, true
		r.Detail = have + ", below the minimum of " + strconv.FormatInt(icp.MinFollowers, 10)
		return r, 0
	case icp.MaxFollowers != nil && n > *icp.MaxFollowers:
		r.Verdict, r.Disqualifies = Unmet, true
		r.Detail = have + ", above the maximum of " + strconv.FormatInt(*icp.MaxFollowers, 10)
		return r, 0
	}
	r.Verdict = Met
	r.Detail = have + ", within the range"
	return r, 1
}

func matchEngagement(minRate float64, rate *float64) (Reason, float64) {
	r := Reason{Criterion: CriterionEngagement}
	want := percent(minRate)
	switch {
	case rate == nil || !(*rate >= 0):
		r.Verdict = Unknown
		r.Detail = "engagement rate unknown; the minimum is " + want
		return r, 0.5
	case *rate < minRate:
		r.Verdict, r.Disqualifies = Unmet, true
		r.Detail = "engagement rate " + percent(*rate) + ", below the minimum of " + want
		return r, 0
	}
	r.Verdict = Met
	r.Detail = "engagement rate " + percent(*rate) + ", at least " + want
	return r, 1
}

func matchTopics(text corpus, terms []string) (Reason, float64) {
	var found []string
	for _, t := range terms {
		if text.has(t) {
			found = append(found, t)
		}
	}
	r := Reason{Criterion: CriterionTopics}
	share := float64(len(found)) / float64(len(terms))
	switch len(found) {
	case 0:
		r.Verdict = Unmet
		r.Detail = "none of the themes and niches found"
	case len(terms):
		r.Verdict = Met
		r.Detail = "every theme and niche found"
	default:
		r.Verdict = Partial
		r.Detail = strconv.Itoa(len(found)) + " of " + strconv.Itoa(len(terms)) + " themes and niches found: " + strings.Join(found, ", ")
	}
	return r, share
}

func matchGeography(text corpus, places []string) (Reason, float64) {
	r := Reason{Criterion: CriterionGeography}
	for _, pl := range places {
		if text.has(pl) {
			r.Verdict = Met
			r.Detail = "mentions " + pl
			return r, 1
		}
	}
	r.Verdict = Unknown
	r.Detail = "no target place mentioned"
	return r, 0.5
}

// percent formats a fraction as a percentage with up to two decimals: 0.035 → "3.5 %".
func percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*10000)/100, 'f', -1, 64) + " %"
}

// corpus is the searchable text of a snapshot: word sequences (one per text field) and hashtags.
type corpus struct {
	texts    [][]string
	hashtags map[string]bool
}

func newCorpus(p lead.ProfileSnapshot) corpus {
	c := corpus{hashtags: map[string]bool{}}
	fields := []string{p.FullName, p.Biography, p.BusinessCategory}
	for _, post := range p.RecentPosts {
		fields = append(fields, post.Caption, post.Alt, post.LocationName)
		for _, h := range post.Hashtags {
			c.hashtags[strings.ToLower(strings.TrimPrefix(h, "#"))] = true
		}
	}
	for _, f := range fields {
		if w := words(f); len(w) > 0 {
			c.texts = append(c.texts, w)
		}
	}
	return c
}

// has reports whether term occurs as a whole-word sequence in one text, or, written without
// spaces, as a hashtag.
func (c corpus) has(term string) bool {
	tw := words(term)
	if len(tw) == 0 {
		return false
	}
	if c.hashtags[strings.Join(rawWords(term), "")] {
		return true
	}
	for _, text := range c.texts {
		for i := 0; i+len(tw) <= len(text); i++ {
			if equalWords(text[i:i+len(tw)], tw) {
				return true
			}
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rawWords splits s into lowercase runs of letters and digits.
func rawWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// words is rawWords with one trailing "s" dropped from words longer than three letters, so
// "recipes" finds "recipe" and "yoga classes" finds "yoga class".
func words(s string) []string {
	w := rawWords(s)
	for i, x := range w {
		if len(x) > 3 {
			w[i] = strings.TrimSuffix(x, "s")
		}
	}
	return w
}
