package business

import "time"

// Tone is how outreach written for the business should sound.
type Tone string

// The tones of the original's onboarding form. The zero value means "not said" (prompts then use
// a professional tone).
const (
	ToneProfessional Tone = "professional"
	ToneFriendly     Tone = "friendly"
	ToneCasual       Tone = "casual"
)

// Tones lists every tone.
func Tones() []Tone { return []Tone{ToneProfessional, ToneFriendly, ToneCasual} }

// CompanySize is a size of company the business sells to.
type CompanySize string

// The company sizes of the original's onboarding form.
const (
	SizeStartup    CompanySize = "startup"
	SizeSMB        CompanySize = "smb"
	SizeEnterprise CompanySize = "enterprise"
)

// CompanySizes lists every company size.
func CompanySizes() []CompanySize { return []CompanySize{SizeStartup, SizeSMB, SizeEnterprise} }

// Context is everything the customer says about the business: the part of a profile they edit
// (PATCH merges into it) and that prompts are built from. Text is stored trimmed; lists hold
// trimmed, non-empty items without case-insensitive duplicates (Normalize).
type Context struct {
	BusinessName   string // required, 1–MaxNameLength characters
	OneLiner       string // at most MaxOneLinerLength characters; onboarding writes it
	Summary        string // at most MaxSummaryLength characters; onboarding writes four sentences
	TargetAudience string // who the business sells to, in the customer's words
	Tone           Tone   // "" or one of Tones
	SellingPoints  []string
	OutreachGoals  []string
	ICP            ICP
}

// OnboardingStatus says where the generation of a profile's one-liner and summary is.
type OnboardingStatus string

// The onboarding statuses: not_started → running → completed | failed; a new generation may be
// started from any status but running (and from running when its run is gone).
const (
	OnboardingNotStarted OnboardingStatus = "not_started"
	OnboardingRunning    OnboardingStatus = "running"
	OnboardingCompleted  OnboardingStatus = "completed"
	OnboardingFailed     OnboardingStatus = "failed"
)

// Onboarding is the state of a profile's context generation.
type Onboarding struct {
	Status OnboardingStatus
	// RunID is the workflow run of the latest generation ("" before the first).
	RunID string
	// Generation counts the generations started; run ids are made from it (ContextRunID).
	Generation int
	// ErrorCode is the failed run's code (failed only).
	ErrorCode string
	// CompletedAt is when the latest generation saved its text (zero until one did).
	CompletedAt time.Time
}

// Profile is one business profile of an account.
type Profile struct {
	ID        string
	AccountID string
	Context
	Onboarding Onboarding
	// LeadsCount and AnalysesCount are the leads filed under the profile and the analyses run
	// against it (listings and single reads fill them; 0 until those features store any).
	LeadsCount    int64
	AnalysesCount int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
