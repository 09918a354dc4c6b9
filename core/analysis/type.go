package analysis

import "github.com/oslira/oslira/core/credit"

// Type is the depth of an analysis. light is a score and summary, deep adds
// metrics and qualification, xray adds psychographics and outreach; what each costs is
// core/credit's price list (AnalysisCost), the one place costs live.
type Type string

// The analysis types.
const (
	// Light: profile assessment only — score, tier, a short summary.
	Light Type = "light"
	// Deep: extraction metrics, niche detection, profile assessment and lead qualification.
	Deep Type = "deep"
	// XRay: deep plus psychographics, commercial intelligence and an outreach message.
	XRay Type = "xray"
)

// Types lists every type, cheapest first.
func Types() []Type { return []Type{Light, Deep, XRay} }

// ParseType reads a type from a request. An unknown type is core/credit's Invalid error
// (credits.unknown-analysis-type, field "type"), the same one pricing returns.
func ParseType(s string) (Type, error) {
	if _, err := credit.AnalysisCost(s); err != nil {
		return "", err
	}
	return Type(s), nil
}

// Cost is what an analysis of type t costs; an error for a Type that ParseType would refuse.
func (t Type) Cost() (credit.Amount, error) { return credit.AnalysisCost(string(t)) }

// NeedsMetrics reports whether the analysis computes extraction metrics (deep and xray).
func (t Type) NeedsMetrics() bool { return t == Deep || t == XRay }
