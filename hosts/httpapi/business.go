package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
)

// businessPath is the collection's path; a profile is businessPath + "/" + id.
const businessPath = "/v1/business-profiles"

// icpJSON is the ideal customer profile on the wire (schema ICP). min_engagement_rate is a
// fraction from 0 to 1 (0.035 is 3.5 %).
type icpJSON struct {
	MinFollowers      int64    `json:"min_followers"`
	MaxFollowers      *int64   `json:"max_followers"`
	MinEngagementRate *float64 `json:"min_engagement_rate"`
	ContentThemes     []string `json:"content_themes"`
	Niches            []string `json:"niches"`
	Geography         []string `json:"geography"`
	CompanySizes      []string `json:"company_sizes"`
}

// businessProfileRequest is the body of POST /v1/business-profiles (schema
// BusinessProfileCreate): business_name is required, everything else optional.
type businessProfileRequest struct {
	BusinessName   string   `json:"business_name"`
	OneLiner       string   `json:"one_liner"`
	Summary        string   `json:"summary"`
	TargetAudience string   `json:"target_audience"`
	Tone           string   `json:"tone"`
	SellingPoints  []string `json:"selling_points"`
	OutreachGoals  []string `json:"outreach_goals"`
	ICP            *icpJSON `json:"icp"`
}

// icpPatchJSON and businessPatchRequest are the body of PATCH /v1/business-profiles/{id}
// (schema BusinessProfilePatch): a JSON merge patch. Every member is a pointer, so that absent
// and null both decode to nil; which of the two it was comes from the members present in the
// body (patchMembers).
type icpPatchJSON struct {
	MinFollowers      *int64    `json:"min_followers"`
	MaxFollowers      *int64    `json:"max_followers"`
	MinEngagementRate *float64  `json:"min_engagement_rate"`
	ContentThemes     *[]string `json:"content_themes"`
	Niches            *[]string `json:"niches"`
	Geography         *[]string `json:"geography"`
	CompanySizes      *[]string `json:"company_sizes"`
}

type businessPatchRequest struct {
	BusinessName   *string       `json:"business_name"`
	OneLiner       *string       `json:"one_liner"`
	Summary        *string       `json:"summary"`
	TargetAudience *string       `json:"target_audience"`
	Tone           *string       `json:"tone"`
	SellingPoints  *[]string     `json:"selling_points"`
	OutreachGoals  *[]string     `json:"outreach_goals"`
	ICP            *icpPatchJSON `json:"icp"`
}

// onboardingJSON is a profile's onboarding state (schema Onboarding).
type onboardingJSON struct {
	Status      string     `json:"status"`
	RunID       *string    `json:"run_id"`
	Generation  int        `json:"generation"`
	ErrorCode   *string    `json:"error_code"`
	CompletedAt *time.Time `json:"completed_at"`
}

// businessProfileJSON is a profile on the wire (schema BusinessProfile).
type businessProfileJSON struct {
	ID             string         `json:"id"`
	AccountID      string         `json:"account_id"`
	BusinessName   string         `json:"business_name"`
	OneLiner       string         `json:"one_liner"`
	Summary        string         `json:"summary"`
	TargetAudience string         `json:"target_audience"`
	Tone           *string        `json:"tone"`
	SellingPoints  []string       `json:"selling_points"`
	OutreachGoals  []string       `json:"outreach_goals"`
	ICP            icpJSON        `json:"icp"`
	Onboarding     onboardingJSON `json:"onboarding"`
	LeadsCount     int64          `json:"leads_count"`
	AnalysesCount  int64          `json:"analyses_count"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// businessPageResponse is the body of GET /v1/business-profiles (schema BusinessProfilePage).
type businessPageResponse struct {
	Data       []businessProfileJSON `json:"data"`
	NextCursor *string               `json:"next_cursor"`
}

// contextRunJSON is the state of a profile's context generation (schema BusinessContextRun).
type contextRunJSON struct {
	ProfileID   string     `json:"profile_id"`
	RunID       *string    `json:"run_id"`
	Status      string     `json:"status"`
	State       *string    `json:"state"`
	ErrorCode   *string    `json:"error_code"`
	OneLiner    string     `json:"one_liner"`
	Summary     string     `json:"summary"`
	CompletedAt *time.Time `json:"completed_at"`
}

// createBusinessProfile answers POST /v1/business-profiles: 201 with the profile and its
// Location. An optional Idempotency-Key (the idempotency middleware) makes a retry return the
// same profile instead of creating a second one.
func (a *API) createBusinessProfile(c *gin.Context) {
	var in businessProfileRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	ctx := business.Context{
		BusinessName: in.BusinessName, OneLiner: in.OneLiner, Summary: in.Summary,
		TargetAudience: in.TargetAudience, Tone: business.Tone(in.Tone),
		SellingPoints: in.SellingPoints, OutreachGoals: in.OutreachGoals,
	}
	if in.ICP != nil {
		ctx.ICP = business.ICP{
			MinFollowers: in.ICP.MinFollowers, MaxFollowers: in.ICP.MaxFollowers, MinEngagementRate: in.ICP.MinEngagementRate,
			ContentThemes: in.ICP.ContentThemes, Niches: in.ICP.Niches, Geography: in.ICP.Geography,
			CompanySizes: companySizes(in.ICP.CompanySizes),
		}
	}
	p, err := a.business.Create(c.Request.Context(), principal(c), ctx)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.Header("Location", businessPath+"/"+p.ID)
	c.JSON(http.StatusCreated, toBusinessProfileJSON(p))
}

// listBusinessProfiles answers GET /v1/business-profiles?cursor=&limit=: the caller's profiles,
// newest first, with their lead and analysis counts. next_cursor is null on the last page.
func (a *API) listBusinessProfiles(c *gin.Context) {
	limit, err := businessPageSize(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	page, err := a.business.List(c.Request.Context(), principal(c), c.Query("cursor"), limit)
	if err != nil {
		_ = c.Error(err)
		return
	}
	out := businessPageResponse{Data: make([]businessProfileJSON, 0, len(page.Profiles))}
	for _, p := range page.Profiles {
		out.Data = append(out.Data, toBusinessProfileJSON(p))
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	c.JSON(http.StatusOK, out)
}

// businessPageSize reads ?limit= (absent: 0, the use case's default); a present value must be a
// whole number from 1 to business.MaxPageSize.
func businessPageSize(c *gin.Context) (int, error) {
	raw, ok := c.GetQuery("limit")
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n == 0 {
		return 0, apperr.Validation(business.CodeInvalidPageSize, "page size out of range",
			apperr.FieldError{Field: "limit", Message: "must be a whole number from 1 to " + strconv.Itoa(business.MaxPageSize)})
	}
	return n, nil
}

// getBusinessProfile answers GET /v1/business-profiles/{id}. Another account's profile, a
// deleted one, and an id that is not a UUID are all 404 resource.not-found.
func (a *API) getBusinessProfile(c *gin.Context) {
	p, err := a.business.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toBusinessProfileJSON(p))
}

// patchBusinessProfile answers PATCH /v1/business-profiles/{id} with the profile after a JSON
// merge patch (RFC 7396): absent members keep their value, null clears it, a value replaces
// it; "icp" merges member by member (null clears the whole ICP); arrays are replaced whole.
// Either Content-Type application/json or application/merge-patch+json is accepted.
func (a *API) patchBusinessProfile(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		_ = c.Error(decodeError(err))
		return
	}
	if c.ContentType() == "application/merge-patch+json" {
		c.Request.Header.Set("Content-Type", "application/json")
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	var in businessPatchRequest
	if err := BindJSON(c, &in); err != nil {
		_ = c.Error(err)
		return
	}
	p, err := a.business.Update(c.Request.Context(), principal(c), c.Param("id"), toPatch(in, patchMembers(body)))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toBusinessProfileJSON(p))
}

// deleteBusinessProfile answers DELETE /v1/business-profiles/{id}: 204, after which the profile
// is gone from reads and lists (soft delete); a second delete is 404.
func (a *API) deleteBusinessProfile(c *gin.Context) {
	if err := a.business.Delete(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		_ = c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

// generateBusinessContext answers POST /v1/business-profiles/{id}/context: it starts the
// onboarding workflow that writes the one-liner and the summary, and answers 202 with the run
// (Location: the context URL to poll). While a generation is in flight, the same run is
// returned and nothing new starts. An optional Idempotency-Key replays the first answer.
func (a *API) generateBusinessContext(c *gin.Context) {
	r, err := a.business.GenerateContext(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.Header("Location", businessPath+"/"+r.ProfileID+"/context")
	c.JSON(http.StatusAccepted, toContextRunJSON(r))
}

// businessContext answers GET /v1/business-profiles/{id}/context: the latest generation's
// status, its run's state in the workflow engine and the current texts.
func (a *API) businessContext(c *gin.Context) {
	r, err := a.business.ContextStatus(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, toContextRunJSON(r))
}

// patchMembers returns which members the body holds at the top level and inside "icp" (as
// "icp.<name>"). BindJSON has already checked the body, so errors cannot happen here; a body
// that did not decode yields no members.
func patchMembers(body []byte) map[string]bool {
	var top map[string]json.RawMessage
	_ = json.Unmarshal(body, &top)
	out := make(map[string]bool, len(top))
	for k := range top {
		out[k] = true
	}
	var icp map[string]json.RawMessage
	if raw, ok := top["icp"]; ok && json.Unmarshal(raw, &icp) == nil {
		for k := range icp {
			out["icp."+k] = true
		}
	}
	return out
}

// change is a member's merge-patch change: a value replaces, present without a value (null)
// clears, absent keeps.
func change[T any](present bool, v *T) business.Change[T] {
	switch {
	case v != nil:
		return business.To(*v)
	case present:
		return business.Clear[T]()
	default:
		return business.Change[T]{}
	}
}

// toPatch turns the decoded body and its members into a business.Patch.
func toPatch(in businessPatchRequest, has map[string]bool) business.Patch {
	var tone *business.Tone
	if in.Tone != nil {
		t := business.Tone(*in.Tone)
		tone = &t
	}
	p := business.Patch{
		BusinessName:   change(has["business_name"], in.BusinessName),
		OneLiner:       change(has["one_liner"], in.OneLiner),
		Summary:        change(has["summary"], in.Summary),
		TargetAudience: change(has["target_audience"], in.TargetAudience),
		Tone:           change(has["tone"], tone),
		SellingPoints:  change(has["selling_points"], in.SellingPoints),
		OutreachGoals:  change(has["outreach_goals"], in.OutreachGoals),
	}
	var icp *business.ICPPatch
	if i := in.ICP; i != nil {
		var sizes *[]business.CompanySize
		if i.CompanySizes != nil {
			s := companySizes(*i.CompanySizes)
			sizes = &s
		}
		icp = &business.ICPPatch{
			MinFollowers:      change(has["icp.min_followers"], i.MinFollowers),
			MaxFollowers:      change(has["icp.max_followers"], i.MaxFollowers),
			MinEngagementRate: change(has["icp.min_engagement_rate"], i.MinEngagementRate),
			ContentThemes:     change(has["icp.content_themes"], i.ContentThemes),
			Niches:            change(has["icp.niches"], i.Niches),
			Geography:         change(has["icp.geography"], i.Geography),
			CompanySizes:      change(has["icp.company_sizes"], sizes),
		}
	}
	p.ICP = change(has["icp"], icp)
	return p
}

func companySizes(in []string) []business.CompanySize {
	out := make([]business.CompanySize, 0, len(in))
	for _, s := range in {
		out = append(out, business.CompanySize(s))
	}
	return out
}

func toBusinessProfileJSON(p business.Profile) businessProfileJSON {
	sizes := make([]string, 0, len(p.ICP.CompanySizes))
	for _, s := range p.ICP.CompanySizes {
		sizes = append(sizes, string(s))
	}
	o := p.Onboarding
	return businessProfileJSON{
		ID: p.ID, AccountID: p.AccountID, BusinessName: p.BusinessName, OneLiner: p.OneLiner, Summary: p.Summary,
		TargetAudience: p.TargetAudience, Tone: stringOrNil(string(p.Tone)),
		SellingPoints: nonNilStrings(p.SellingPoints), OutreachGoals: nonNilStrings(p.OutreachGoals),
		ICP: icpJSON{
			MinFollowers: p.ICP.MinFollowers, MaxFollowers: p.ICP.MaxFollowers, MinEngagementRate: p.ICP.MinEngagementRate,
			ContentThemes: nonNilStrings(p.ICP.ContentThemes), Niches: nonNilStrings(p.ICP.Niches),
			Geography: nonNilStrings(p.ICP.Geography), CompanySizes: sizes,
		},
		Onboarding: onboardingJSON{
			Status: string(o.Status), RunID: stringOrNil(o.RunID), Generation: o.Generation,
			ErrorCode: stringOrNil(o.ErrorCode), CompletedAt: timeOrNil(o.CompletedAt),
		},
		LeadsCount: p.LeadsCount, AnalysesCount: p.AnalysesCount, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

func toContextRunJSON(r business.ContextRun) contextRunJSON {
	return contextRunJSON{
		ProfileID: r.ProfileID, RunID: stringOrNil(r.RunID), Status: string(r.Status), State: stringOrNil(string(r.State)),
		ErrorCode: stringOrNil(r.ErrorCode), OneLiner: r.OneLiner, Summary: r.Summary, CompletedAt: timeOrNil(r.CompletedAt),
	}
}

// stringOrNil maps "" to null.
func stringOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nonNilStrings writes [] rather than null for an empty list.
func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
