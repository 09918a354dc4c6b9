package analyze

// Result is what the models said about a lead, stored with the analysis. Light fills Summary
// (and Score on the analysis); deep adds Niche, Qualification and the metrics; xray adds
// Psychographics, Commercial and Outreach. A bypassed analysis carries only Bypass.
type Result struct {
	// Summary explains the score: 2–3 sentences (light), 4–6 (deep, xray).
	Summary         string          `json:"summary,omitempty"`
	Niche           string          `json:"niche,omitempty"`
	NicheConfidence string          `json:"niche_confidence,omitempty"`
	Qualification   *Qualification  `json:"qualification,omitempty"`
	Psychographics  *Psychographics `json:"psychographics,omitempty"`
	Commercial      *Commercial     `json:"commercial,omitempty"`
	Outreach        *Outreach       `json:"outreach,omitempty"`
	// ICP is how the profile met the business's ideal customer profile (the pre-check).
	ICP *ICPFit `json:"icp,omitempty"`
	// Bypass says why no model was asked (not found, private, outside the ICP).
	Bypass *Bypass `json:"bypass,omitempty"`
	// Models maps each call's purpose to the model that answered ("offline" for the offline
	// analyzer).
	Models map[string]string `json:"models,omitempty"`
}

// Qualification is the deep analysis's lead qualification (schema lead_qualification).
type Qualification struct {
	LeadTier           string   `json:"lead_tier"`
	Strengths          []string `json:"strengths"`
	Weaknesses         []string `json:"weaknesses"`
	Opportunities      []string `json:"opportunities"`
	RecommendedActions []string `json:"recommended_actions"`
	RiskFactors        []string `json:"risk_factors"`
	FitReasoning       string   `json:"fit_reasoning"`
}

// Psychographics is the xray copywriter profile (schema psychographics).
type Psychographics struct {
	Demographics   string   `json:"demographics"`
	Psychographics string   `json:"psychographics"`
	PainPoints     []string `json:"pain_points"`
	Desires        []string `json:"desires"`
}

// Commercial is the xray commercial intelligence (schema commercial_intelligence).
type Commercial struct {
	BudgetTier         string     `json:"budget_tier"`
	DecisionRole       string     `json:"decision_role"`
	BuyingStage        string     `json:"buying_stage"`
	Objections         []string   `json:"objections"`
	PersuasionStrategy Persuasion `json:"persuasion_strategy"`
}

// Persuasion is how to win the lead over.
type Persuasion struct {
	PrimaryAngle       string   `json:"primary_angle"`
	HookStyle          string   `json:"hook_style"`
	ProofElements      []string `json:"proof_elements"`
	CommunicationStyle string   `json:"communication_style"`
}

// Outreach is the xray first message (schema outreach_message).
type Outreach struct {
	Subject      string `json:"subject"`
	Message      string `json:"message"`
	CallToAction string `json:"call_to_action"`
}

// ICPFit is the outcome of matching the profile against the ideal customer profile.
type ICPFit struct {
	Matched bool        `json:"matched"`
	Score   int         `json:"score"`
	Reasons []ICPReason `json:"reasons"`
}

// ICPReason is one criterion's verdict.
type ICPReason struct {
	Criterion    string `json:"criterion"`
	Verdict      string `json:"verdict"`
	Disqualifies bool   `json:"disqualifies"`
	Detail       string `json:"detail"`
}

// Bypass says why an analysis ended without asking a model.
type Bypass struct {
	// Reason is the outcome: not_found, private or icp_mismatch.
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}
