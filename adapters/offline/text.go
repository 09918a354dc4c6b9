package offline

import (
	"fmt"
	"strings"

	"github.com/oslira/oslira/core/ai"
)

// subject is how answers name the profile ("@examplebrand") or the business.
func (g *generator) subject() string {
	if g.facts != nil && g.facts.Profile != nil && g.facts.Profile.Username != "" {
		return "@" + g.facts.Profile.Username
	}
	if b := g.business(); b.Name != "" {
		return b.Name
	}
	return "this account"
}

// business returns the business facts (zero when none).
func (g *generator) business() ai.BusinessFacts {
	if g.facts != nil && g.facts.Business != nil {
		return *g.facts.Business
	}
	return ai.BusinessFacts{}
}

func (g *generator) businessName() string {
	if n := g.business().Name; n != "" {
		return n
	}
	return "the business"
}

// audience is the business's target audience in a few words.
func (g *generator) audience() string {
	b := g.business()
	switch {
	case b.TargetAudience != "":
		return b.TargetAudience
	case len(b.ICP.Niches) > 0:
		return strings.Join(b.ICP.Niches, " and ") + " brands"
	default:
		return "growing brands on Instagram"
	}
}

// offering is what the business does, in a few words.
func (g *generator) offering() string {
	b := g.business()
	switch {
	case b.OneLiner != "":
		return strings.TrimRight(b.OneLiner, ".")
	case b.Industry != "":
		return b.Industry + " services"
	default:
		return "services that help its clients grow"
	}
}

// fitWord is good, moderate or poor.
func (g *generator) fitWord() string {
	switch tier(g.fit.score) {
	case "hot":
		return "good"
	case "warm":
		return "moderate"
	default:
		return "poor"
	}
}

// factor is the deciding evidence: the first strength of a good fit, else the first gap.
func (g *generator) factor() string {
	first := func(l []string) string {
		if len(l) > 0 {
			return strings.ToLower(l[0][:1]) + l[0][1:]
		}
		return ""
	}
	if g.fit.score >= 50 {
		if s := first(g.fit.strengths); s != "" {
			return s
		}
	}
	if s := first(g.fit.gaps); s != "" {
		return s
	}
	if s := first(g.fit.strengths); s != "" {
		return s
	}
	return "the profile gives little evidence either way"
}

// text fills a string field.
func (g *generator) text(name string) string {
	subj, biz := g.subject(), g.businessName()
	switch name {
	case "summary":
		if strings.HasPrefix(g.schema, "business_") {
			return g.businessSummary()
		}
		s := fmt.Sprintf("%s is a %s fit for %s (score %d). The deciding factor: %s.", subj, g.fitWord(), biz, g.fit.score, g.factor())
		if g.schema == ai.SchemaProfileAssessment {
			s += fmt.Sprintf(" %s %s %s The assessment was made offline from the profile's metrics and the ICP, without a language model.",
				sentence(g.besides(g.fit.strengths), "No other strength stands out."),
				sentence(g.besides(g.fit.gaps), "No red flags were found."),
				fmt.Sprintf("Its niche reads as %s.", orWord(g.fit.niche, "unclear")))
		}
		return s
	case "one_liner":
		return fmt.Sprintf("%s: %s for %s.", biz, g.offering(), g.audience())
	case "niche":
		return g.fit.niche
	case "reasoning":
		if g.fit.niche == "" {
			return fmt.Sprintf("Nothing in the bio, category or posts of %s points to a clear business niche.", subj)
		}
		return fmt.Sprintf("The bio, category and posts of %s point to %s.", subj, g.fit.niche)
	case "fit_reasoning":
		return fmt.Sprintf("%s scores %d for %s, a %s lead. The deciding factor: %s. %s",
			subj, g.fit.score, biz, tier(g.fit.score), g.factor(), sentence(g.besides(g.fit.gaps), "Nothing else argues strongly against it."))
	case "demographics":
		return fmt.Sprintf("Likely an adult professional or creator behind %s, reaching an audience of about %s followers.", subj, g.followers())
	case "psychographics":
		return fmt.Sprintf("Values visible results and a consistent presence; interested in %s.", orWord(g.fit.niche, "their field"))
	case "primary_angle":
		return fmt.Sprintf("Show how %s helps %s grow what already works on the account.", biz, subj)
	case "hook_style":
		return "Open with a specific compliment on a recent post, then a question"
	case "communication_style":
		return orWord(g.business().Tone, "professional") + ", concise and personal"
	case "subject":
		return fmt.Sprintf("An idea for %s from %s", subj, biz)
	case "message":
		return fmt.Sprintf("Hi %s, I have been following your posts and liked how you engage your audience. "+
			"At %s we offer %s for %s, and your account looks like a strong match. "+
			"I would love to share two concrete ideas tailored to your content. Would you be open to a short chat this week?",
			subj, biz, g.offering(), g.audience())
	case "call_to_action":
		return "Reply to book a 15-minute call this week"
	default:
		return fmt.Sprintf("%s for %s.", humanize(name), subj)
	}
}

// businessSummary is exactly four sentences: what and for whom, specialisation, problem, approach.
func (g *generator) businessSummary() string {
	b, biz := g.business(), g.businessName()
	special := "its core offering"
	if len(b.ICP.Niches) > 0 {
		special = strings.Join(b.ICP.Niches, ", ")
	}
	approach := "a personal, data-informed approach"
	if len(b.ICP.SellingPoints) > 0 {
		approach = strings.Join(b.ICP.SellingPoints, ", ")
	}
	return fmt.Sprintf("%s provides %s for %s. It specialises in %s. It solves the problem of finding and winning the right customers on Instagram. Its approach relies on %s.",
		biz, g.offering(), g.audience(), special, approach)
}

// list fills a list field with what the facts say (the walker pads and cuts to the bounds).
func (g *generator) list(name string) []string {
	subj, biz := g.subject(), g.businessName()
	switch name {
	case "strengths":
		return g.fit.strengths
	case "weaknesses", "risk_factors":
		return g.fit.gaps
	case "opportunities":
		return []string{
			fmt.Sprintf("Co-create content with %s for %s's audience", subj, biz),
			fmt.Sprintf("Offer %s a trial of %s", subj, g.offering()),
		}
	case "recommended_actions":
		if tier(g.fit.score) == "cold" {
			return []string{"Deprioritise this lead", "Revisit if the profile's audience grows closer to the ICP"}
		}
		return []string{fmt.Sprintf("Send %s a personalised message", subj), "Follow up within a week"}
	case "pain_points":
		return []string{"Turning attention into paying customers", "Keeping a consistent posting rhythm"}
	case "desires", "dreams_desires":
		return []string{"A larger, loyal audience", "Predictable income from the account"}
	case "objections":
		return []string{"The price may seem high before results show", "Not sure it fits their content"}
	case "proof_elements":
		return []string{"A case study from a similar account", "Numbers from a comparable campaign"}
	}
	return nil
}

// padding are generic but true items for lists the facts leave short.
var padding = map[string][]string{
	"strengths": {"The account is publicly active", "The profile states its focus in the bio",
		"Posts receive some interaction", "The profile is easy to reach", "Its content is consistent in style"},
	"weaknesses": {"Audience demographics are not visible from public data", "Past brand collaborations are unknown",
		"Conversion from engagement to sales is unproven", "Posting frequency may vary", "Audience location is unknown"},
	"opportunities": {"Feature the account in a case study", "Invite it to an affiliate programme",
		"Run a joint giveaway", "Offer an exclusive discount code for its audience", "Sponsor a series of posts"},
	"recommended_actions": {"Review the last twelve posts by hand", "Prepare a tailored offer", "Track the reply rate", "Set a follow-up reminder"},
	"risk_factors": {"Audience quality cannot be verified from public data", "The account may already work with competitors",
		"Engagement may not convert into sales"},
	"pain_points":    {"Standing out in a crowded feed", "Measuring what content pays off", "Time spent on content creation"},
	"desires":        {"Recognition as an expert", "Partnerships with brands they admire", "More time for creative work"},
	"objections":     {"Bad experiences with similar offers", "No time to try something new", "Wants proof of results first"},
	"proof_elements": {"Testimonials from creators of a similar size", "Before-and-after results", "A free first session"},
}

// filler is the i-th generic item of a list that needs more than the facts give.
func (g *generator) filler(name string, i int) string {
	if pad := padding[name]; i < len(pad) {
		return pad[i]
	}
	return fmt.Sprintf("%s (%d) for %s", humanize(name), i+1, g.subject())
}

// choice is the meaningful value of a known enum field ("" when unknown).
func (g *generator) choice(name string) string {
	var fol int64
	business := false
	if g.facts != nil && g.facts.Profile != nil {
		fol, business = g.facts.Profile.FollowersCount, g.facts.Profile.BusinessAccount
	}
	switch name {
	case "lead_tier", "leadTier":
		return tier(g.fit.score)
	case "confidence":
		if g.fit.matched {
			return "high"
		}
		return "low"
	case "budget_tier":
		switch {
		case g.facts == nil || g.facts.Profile == nil:
			return "unknown"
		case fol >= 1_000_000:
			return "enterprise"
		case fol >= 100_000:
			return "high"
		case fol >= 10_000:
			return "medium"
		default:
			return "low"
		}
	case "decision_role":
		if business {
			return "decision_maker"
		}
		return "influencer"
	case "buying_stage":
		switch tier(g.fit.score) {
		case "hot":
			return "solution_aware"
		case "warm":
			return "problem_aware"
		default:
			return "unaware"
		}
	}
	return ""
}

func (g *generator) followers() string {
	if g.facts != nil && g.facts.Profile != nil {
		return count(g.facts.Profile.FollowersCount)
	}
	return "an unknown number of"
}

// sentence turns the first item of l into a sentence, or returns def.
// besides returns l without the item the deciding factor already quotes, so that a text never
// says the same sentence twice.
func (g *generator) besides(l []string) []string {
	f := g.factor()
	out := make([]string, 0, len(l))
	for _, s := range l {
		if !strings.EqualFold(strings.TrimSuffix(s, "."), f) {
			out = append(out, s)
		}
	}
	return out
}

func sentence(l []string, def string) string {
	if len(l) == 0 {
		return def
	}
	return strings.TrimSuffix(l[0], ".") + "."
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// humanize turns "recommended_actions" into "Recommended actions".
func humanize(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return "Value"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
