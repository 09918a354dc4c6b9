package ai

import "github.com/oslira/oslira/core/lead"

// Facts are the structured inputs behind a call's prompts. The analysis and onboarding use cases
// fill what they have; real providers never see Facts (the prompts carry the same information
// as text), the offline analyzer answers from them alone. Every field is optional.
type Facts struct {
	// Profile is the scraped profile being analysed.
	Profile *lead.ProfileSnapshot `json:"profile,omitempty"`
	// Metrics are the extraction metrics computed from Profile.
	Metrics *ProfileMetrics `json:"metrics,omitempty"`
	// Business is the business the analysis scores against, or the one onboarding describes.
	Business *BusinessFacts `json:"business,omitempty"`
}

// ProfileMetrics are the engagement figures of a profile (pure code in core/lead computes them).
type ProfileMetrics struct {
	// EngagementRate is in percent: 2.5 means 2.5 % of followers interact with an average post.
	EngagementRate float64 `json:"engagement_rate"`
	AvgLikes       float64 `json:"avg_likes"`
	AvgComments    float64 `json:"avg_comments"`
	// PostsPerWeek is the recent posting frequency.
	PostsPerWeek float64 `json:"posts_per_week"`
	// DaysSinceLastPost is -1 when unknown.
	DaysSinceLastPost int `json:"days_since_last_post"`
	// TopHashtags are the most used hashtags of recent posts, without '#'.
	TopHashtags []string `json:"top_hashtags,omitempty"`
}

// BusinessFacts describe a business profile and its ideal customer profile (ICP).
type BusinessFacts struct {
	Name           string `json:"name"`
	OneLiner       string `json:"one_liner,omitempty"`
	Summary        string `json:"summary,omitempty"`
	Industry       string `json:"industry,omitempty"`
	TargetAudience string `json:"target_audience,omitempty"`
	// Tone is the communication tone: professional, friendly or casual.
	Tone string   `json:"tone,omitempty"`
	ICP  ICPFacts `json:"icp"`
}

// ICPFacts is the ideal customer profile a lead is scored against. Zero bounds mean "none".
type ICPFacts struct {
	MinFollowers      int64    `json:"min_followers,omitempty"`
	MaxFollowers      int64    `json:"max_followers,omitempty"`
	MinEngagementRate float64  `json:"min_engagement_rate,omitempty"` // percent
	ContentThemes     []string `json:"content_themes,omitempty"`
	Niches            []string `json:"niches,omitempty"`
	Geography         []string `json:"geography,omitempty"`
	CompanySizes      []string `json:"company_sizes,omitempty"`
	SellingPoints     []string `json:"selling_points,omitempty"`
	OutreachGoals     []string `json:"outreach_goals,omitempty"`
}
