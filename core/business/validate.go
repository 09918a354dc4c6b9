package business

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oslira/oslira/core/apperr"
)

// Limits on a profile's fields. Lengths count characters (runes), after trimming.
const (
	MaxNameLength     = 200
	MaxOneLinerLength = 140 // the original's limit for the generated one-liner
	MaxSummaryLength  = 2000
	MaxAudienceLength = 750 // the original's limit for the target description
	MaxListItems      = 20
	MaxItemLength     = 200
	// MaxFollowerBound caps both ends of the follower range (no account comes near it; it keeps
	// typos out of the database).
	MaxFollowerBound int64 = 10_000_000_000
)

// Normalize returns c trimmed and deduplicated, or a Validation error (CodeInvalidProfile) that
// lists every broken rule with the API's JSON field names ("business_name", "icp.max_followers",
// "selling_points[2]"):
//
//   - business_name is required, at most MaxNameLength characters; one_liner, summary and
//     target_audience are bounded (MaxOneLinerLength, MaxSummaryLength, MaxAudienceLength);
//   - tone is empty or one of Tones;
//   - every list (selling_points, outreach_goals, icp.content_themes, icp.niches, icp.geography)
//     has at most MaxListItems items of 1–MaxItemLength characters each; items that repeat an
//     earlier one (ignoring case) are dropped;
//   - icp.min_followers is 0–MaxFollowerBound, icp.max_followers (when set) min_followers–
//     MaxFollowerBound;
//   - icp.min_engagement_rate (when set) is a fraction from 0 to 1;
//   - icp.company_sizes are CompanySizes (duplicates dropped).
func Normalize(c Context) (Context, error) {
	var v checker
	out := Context{
		BusinessName:   v.text("business_name", c.BusinessName, MaxNameLength, true),
		OneLiner:       v.text("one_liner", c.OneLiner, MaxOneLinerLength, false),
		Summary:        v.text("summary", c.Summary, MaxSummaryLength, false),
		TargetAudience: v.text("target_audience", c.TargetAudience, MaxAudienceLength, false),
		Tone:           c.Tone,
		SellingPoints:  v.list("selling_points", c.SellingPoints),
		OutreachGoals:  v.list("outreach_goals", c.OutreachGoals),
		ICP:            v.icp(c.ICP),
	}
	if c.Tone != "" && !slices.Contains(Tones(), c.Tone) {
		v.add("tone", "must be one of professional, friendly, casual")
	}
	if len(v.fields) > 0 {
		return Context{}, apperr.Validation(CodeInvalidProfile, "invalid business profile", v.fields...)
	}
	return out, nil
}

// checker collects field errors.
type checker struct {
	fields []apperr.FieldError
}

func (v *checker) add(field, message string) {
	v.fields = append(v.fields, apperr.FieldError{Field: field, Message: message})
}

// text trims s and checks its length.
func (v *checker) text(field, s string, maxLen int, required bool) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		v.add(field, "is required")
	case utf8.RuneCountInString(s) > maxLen:
		v.add(field, "must be at most "+strconv.Itoa(maxLen)+" characters")
	}
	return s
}

// list trims every item, refuses blank or long ones and too many, and drops repeats (ignoring
// case). The result is never nil.
func (v *checker) list(field string, items []string) []string {
	if len(items) > MaxListItems {
		v.add(field, "must have at most "+strconv.Itoa(MaxListItems)+" items")
		return []string{}
	}
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, s := range items {
		s = strings.TrimSpace(s)
		at := field + "[" + strconv.Itoa(i) + "]"
		if s == "" || utf8.RuneCountInString(s) > MaxItemLength {
			v.add(at, "must be 1 to "+strconv.Itoa(MaxItemLength)+" characters")
			continue
		}
		if key := strings.ToLower(s); !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	return out
}

// icp checks the ideal customer profile.
func (v *checker) icp(i ICP) ICP {
	out := ICP{
		MinFollowers:      i.MinFollowers,
		MaxFollowers:      i.MaxFollowers,
		MinEngagementRate: i.MinEngagementRate,
		ContentThemes:     v.list("icp.content_themes", i.ContentThemes),
		Niches:            v.list("icp.niches", i.Niches),
		Geography:         v.list("icp.geography", i.Geography),
		CompanySizes:      v.sizes(i.CompanySizes),
	}
	bound := strconv.FormatInt(MaxFollowerBound, 10)
	if i.MinFollowers < 0 || i.MinFollowers > MaxFollowerBound {
		v.add("icp.min_followers", "must be between 0 and "+bound)
	}
	if m := i.MaxFollowers; m != nil {
		switch {
		case *m < 0 || *m > MaxFollowerBound:
			v.add("icp.max_followers", "must be between 0 and "+bound)
		case *m < i.MinFollowers:
			v.add("icp.max_followers", "must be at least icp.min_followers ("+strconv.FormatInt(i.MinFollowers, 10)+")")
		}
		out.MaxFollowers = Int64(*m)
	}
	if r := i.MinEngagementRate; r != nil {
		// Written so that NaN fails too.
		if !(*r >= 0 && *r <= 1) {
			v.add("icp.min_engagement_rate", "must be a fraction from 0 to 1 (3.5 % is 0.035)")
		}
		out.MinEngagementRate = Float64(*r)
	}
	return out
}

// sizes refuses unknown company sizes and drops repeats. The result is never nil.
func (v *checker) sizes(sizes []CompanySize) []CompanySize {
	out := make([]CompanySize, 0, len(sizes))
	for i, s := range sizes {
		switch {
		case !slices.Contains(CompanySizes(), s):
			v.add("icp.company_sizes["+strconv.Itoa(i)+"]", "must be one of startup, smb, enterprise")
		case !slices.Contains(out, s):
			out = append(out, s)
		}
	}
	return out
}
