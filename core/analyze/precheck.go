package analyze

import (
	"github.com/oslira/oslira/core/analysis"
	"github.com/oslira/oslira/core/business"
	"github.com/oslira/oslira/core/lead"
)

// bypass is a pre-check's verdict that no model is worth asking: the outcome to record (always
// a refunded one), the Result carrying the reason, and the profile to save as the lead (nil
// when there is none).
type bypass struct {
	Outcome analysis.Outcome
	Result  *Result
	Profile *lead.ProfileSnapshot
}

// precheck runs the pre-checks on a scrape's answer, in the original's order: a profile that
// does not exist, a private one, then one outside the business's ICP (follower range and a
// known engagement rate below the minimum: the check the original wrote and never enabled).
// engagementRate is the profile's rate as a fraction (nil when unknown). It returns the ICP fit
// too, which a scored result keeps; fit is nil when there is no profile to match.
func precheck(res lead.ScrapeResult, icp business.ICP, engagementRate *float64) (b *bypass, fit *ICPFit) {
	switch {
	case res.Outcome == lead.NotFound || res.Profile == nil && res.Outcome != lead.Private:
		return &bypass{Outcome: analysis.NotFound, Result: &Result{Bypass: &Bypass{
			Reason: string(analysis.NotFound), Detail: "No Instagram profile has this username.",
		}}}, nil
	case res.Outcome == lead.Private:
		return &bypass{Outcome: analysis.Private, Profile: res.Profile, Result: &Result{Bypass: &Bypass{
			Reason: string(analysis.Private), Detail: "The profile is private, so its content and audience cannot be analysed.",
		}}}, nil
	}
	m := business.MatchICP(icp, *res.Profile, engagementRate)
	fit = icpFit(m)
	if m.Matched {
		return nil, fit
	}
	detail := "The profile is outside the ideal customer profile."
	for _, r := range m.Reasons {
		if r.Disqualifies {
			detail = r.Detail
			break
		}
	}
	return &bypass{Outcome: analysis.ICPMismatch, Profile: res.Profile, Result: &Result{ICP: fit, Bypass: &Bypass{
		Reason: string(analysis.ICPMismatch), Detail: detail,
	}}}, fit
}

// icpFit converts the matcher's answer to the stored form.
func icpFit(m business.Match) *ICPFit {
	f := &ICPFit{Matched: m.Matched, Score: m.Score, Reasons: make([]ICPReason, 0, len(m.Reasons))}
	for _, r := range m.Reasons {
		f.Reasons = append(f.Reasons, ICPReason{
			Criterion: string(r.Criterion), Verdict: string(r.Verdict), Disqualifies: r.Disqualifies, Detail: r.Detail,
		})
	}
	return f
}
