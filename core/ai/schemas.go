package ai

// The names of the product's answer schemas, one file each in contracts/ai/<name>.schema.json
// (embedded by the contracts package and handed to the Gateway by the host). A Request may set
// only Schema.Name to one of these.
const (
	// SchemaLightAnalysis: the light analysis — score 0–100 and a 2–3 sentence summary.
	SchemaLightAnalysis = "light_analysis"
	// SchemaProfileAssessment: the deep analysis' assessment — score 0–100 and a 4–6 sentence
	// summary.
	SchemaProfileAssessment = "profile_assessment"
	// SchemaNicheDetection: the profile's niche (1–2 lowercase words), confidence, reasoning.
	SchemaNicheDetection = "niche_detection"
	// SchemaLeadQualification: lead tier, strengths, weaknesses, opportunities, recommended
	// actions, risk factors and fit reasoning.
	SchemaLeadQualification = "lead_qualification"
	// SchemaPsychographics: demographics, psychographics, pain points and desires (xray).
	SchemaPsychographics = "psychographics"
	// SchemaCommercialIntelligence: budget tier, decision role, buying stage, objections and the
	// persuasion strategy (xray).
	SchemaCommercialIntelligence = "commercial_intelligence"
	// SchemaOutreachMessage: a personalised first message (xray).
	SchemaOutreachMessage = "outreach_message"
	// SchemaBusinessOneLiner: a business's one-liner, at most 140 characters (onboarding).
	SchemaBusinessOneLiner = "business_one_liner"
	// SchemaBusinessSummary: a business's four-sentence summary (onboarding).
	SchemaBusinessSummary = "business_summary"
	// SchemaBusinessContext: one-liner and summary in one call.
	SchemaBusinessContext = "business_context"
)

// SchemaNames lists every schema name above, for hosts that load them and tests that check
// each has a file.
func SchemaNames() []string {
	return []string{
		SchemaLightAnalysis, SchemaProfileAssessment, SchemaNicheDetection, SchemaLeadQualification,
		SchemaPsychographics, SchemaCommercialIntelligence, SchemaOutreachMessage,
		SchemaBusinessOneLiner, SchemaBusinessSummary, SchemaBusinessContext,
	}
}
