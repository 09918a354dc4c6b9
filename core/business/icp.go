package business

// ICP is the ideal customer profile: what a lead must look like to be worth the business's
// outreach. The zero value asks for nothing (every profile matches). MatchICP applies it.
type ICP struct {
	// MinFollowers is the fewest followers a lead may have; 0 means no minimum.
	MinFollowers int64
	// MaxFollowers is the most followers a lead may have; nil means no maximum. When set it is
	// at least MinFollowers.
	MaxFollowers *int64
	// MinEngagementRate is the lowest engagement rate a lead may have, as a FRACTION from 0 to 1
	// (3.5 % is 0.035; the original mixed percents and fractions); nil means no minimum.
	MinEngagementRate *float64
	// ContentThemes and Niches are topics the lead's content should be about ("strength
	// training", "vegan recipes"); Geography the places it should be in ("Berlin", "Germany").
	ContentThemes []string
	Niches        []string
	Geography     []string
	// CompanySizes are the sizes of company the business sells to. Informational: a profile
	// snapshot says nothing about company size, so MatchICP does not use it (prompts do).
	CompanySizes []CompanySize
}

// HasFollowerRange reports whether the ICP bounds the follower count at all.
func (i ICP) HasFollowerRange() bool { return i.MinFollowers > 0 || i.MaxFollowers != nil }

// Int64 returns a pointer to v, for ICP.MaxFollowers.
func Int64(v int64) *int64 { return &v }

// Float64 returns a pointer to v, for ICP.MinEngagementRate.
func Float64(v float64) *float64 { return &v }
