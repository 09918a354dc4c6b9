package business_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/oslira/oslira/core/apperr"
	"github.com/oslira/oslira/core/business"
)

// fields returns the field names of a validation error (nil for nil).
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.Code != business.CodeInvalidProfile {
		t.Fatalf("err = %v, want %s", err, business.CodeInvalidProfile)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("field %s without a message", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

func TestNormalizeTrimsAndDeduplicates(t *testing.T) {
	got, err := business.Normalize(business.Context{
		BusinessName: "  Acme  ", OneLiner: " one ", Summary: "\tsum\n", TargetAudience: " founders ",
		Tone:          business.ToneCasual,
		SellingPoints: []string{" fast ", "Fast", "cheap"},
		ICP: business.ICP{
			MinFollowers: 0, MaxFollowers: business.Int64(0), MinEngagementRate: business.Float64(0),
			ContentThemes: []string{"yoga", " YOGA "},
			CompanySizes:  []business.CompanySize{business.SizeSMB, business.SizeSMB, business.SizeStartup},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.BusinessName != "Acme" || got.OneLiner != "one" || got.Summary != "sum" || got.TargetAudience != "founders" ||
		got.Tone != business.ToneCasual || !slices.Equal(got.SellingPoints, []string{"fast", "cheap"}) ||
		got.OutreachGoals == nil || len(got.OutreachGoals) != 0 || !slices.Equal(got.ICP.ContentThemes, []string{"yoga"}) ||
		!slices.Equal(got.ICP.CompanySizes, []business.CompanySize{business.SizeSMB, business.SizeStartup}) ||
		*got.ICP.MaxFollowers != 0 || *got.ICP.MinEngagementRate != 0 {
		t.Errorf("normalized = %+v", got)
	}
	// The result does not share the input's pointers.
	in := business.Context{BusinessName: "x", ICP: business.ICP{MaxFollowers: business.Int64(7), MinEngagementRate: business.Float64(0.1)}}
	out, _ := business.Normalize(in)
	*in.ICP.MaxFollowers, *in.ICP.MinEngagementRate = 8, 0.2
	if *out.ICP.MaxFollowers != 7 || *out.ICP.MinEngagementRate != 0.1 {
		t.Errorf("Normalize aliases its input: %v %v", *out.ICP.MaxFollowers, *out.ICP.MinEngagementRate)
	}
	if len(business.Tones()) != 3 || len(business.CompanySizes()) != 3 {
		t.Error("tones or company sizes changed: update the migration's checks and the contract")
	}
}

func TestNormalizeRefusesWithFieldNames(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes
	many := make([]string, business.MaxListItems+1)
	for i := range many {
		many[i] = "x" + strings.Repeat("y", i)
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		c    business.Context
		want []string
	}{
		{"valid at every limit", business.Context{BusinessName: long(200), OneLiner: long(140), Summary: long(2000), TargetAudience: long(750),
			SellingPoints: []string{long(200)}, OutreachGoals: many[:20],
			ICP: business.ICP{MinFollowers: business.MaxFollowerBound, MaxFollowers: business.Int64(business.MaxFollowerBound), MinEngagementRate: business.Float64(1)}}, nil},
		{"blank name", business.Context{BusinessName: "   "}, []string{"business_name"}},
		{"one over every limit", business.Context{BusinessName: long(201), OneLiner: long(141), Summary: long(2001), TargetAudience: long(751)},
			[]string{"business_name", "one_liner", "summary", "target_audience"}},
		{"tone", business.Context{BusinessName: "x", Tone: "loud"}, []string{"tone"}},
		{"list items", business.Context{BusinessName: "x", SellingPoints: []string{"ok", " ", long(201)}}, []string{"selling_points[1]", "selling_points[2]"}},
		{"too many", business.Context{BusinessName: "x", OutreachGoals: many}, []string{"outreach_goals"}},
		{"icp lists", business.Context{BusinessName: "x", ICP: business.ICP{Niches: []string{""}, Geography: []string{""}, ContentThemes: many}},
			[]string{"icp.content_themes", "icp.niches[0]", "icp.geography[0]"}},
		{"size", business.Context{BusinessName: "x", ICP: business.ICP{CompanySizes: []business.CompanySize{"startup", "huge"}}}, []string{"icp.company_sizes[1]"}},
		{"negative min", business.Context{BusinessName: "x", ICP: business.ICP{MinFollowers: -1}}, []string{"icp.min_followers"}},
		{"min over bound", business.Context{BusinessName: "x", ICP: business.ICP{MinFollowers: business.MaxFollowerBound + 1}}, []string{"icp.min_followers"}},
		{"max below min", business.Context{BusinessName: "x", ICP: business.ICP{MinFollowers: 10, MaxFollowers: business.Int64(9)}}, []string{"icp.max_followers"}},
		{"max equals min", business.Context{BusinessName: "x", ICP: business.ICP{MinFollowers: 10, MaxFollowers: business.Int64(10)}}, nil},
		{"negative max", business.Context{BusinessName: "x", ICP: business.ICP{MaxFollowers: business.Int64(-1)}}, []string{"icp.max_followers"}},
		{"max over bound", business.Context{BusinessName: "x", ICP: business.ICP{MaxFollowers: business.Int64(business.MaxFollowerBound + 1)}}, []string{"icp.max_followers"}},
		{"percent, not fraction", business.Context{BusinessName: "x", ICP: business.ICP{MinEngagementRate: business.Float64(3.5)}}, []string{"icp.min_engagement_rate"}},
		{"negative rate", business.Context{BusinessName: "x", ICP: business.ICP{MinEngagementRate: business.Float64(-0.01)}}, []string{"icp.min_engagement_rate"}},
		{"NaN rate", business.Context{BusinessName: "x", ICP: business.ICP{MinEngagementRate: &nan}}, []string{"icp.min_engagement_rate"}},
	} {
		_, err := business.Normalize(tc.c)
		if got := fields(t, err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPatchApplyMergesMemberByMember(t *testing.T) {
	cur := business.Context{
		BusinessName: "Acme", OneLiner: "one", Summary: "sum", TargetAudience: "aud", Tone: business.ToneFriendly,
		SellingPoints: []string{"a"}, OutreachGoals: []string{"g"},
		ICP: business.ICP{MinFollowers: 10, MaxFollowers: business.Int64(20), MinEngagementRate: business.Float64(0.1),
			ContentThemes: []string{"t"}, Niches: []string{"n"}, Geography: []string{"p"}, CompanySizes: []business.CompanySize{business.SizeSMB}},
	}
	// The empty patch keeps everything.
	if got := (business.Patch{}).Apply(cur); got.BusinessName != "Acme" || got.ICP.MaxFollowers != cur.ICP.MaxFollowers || got.Tone != business.ToneFriendly ||
		!slices.Equal(got.SellingPoints, cur.SellingPoints) {
		t.Errorf("empty patch = %+v", got)
	}
	// Null clears every member.
	cleared := business.Patch{
		OneLiner: business.Clear[string](), Summary: business.Clear[string](), TargetAudience: business.Clear[string](),
		Tone: business.Clear[business.Tone](), SellingPoints: business.Clear[[]string](), OutreachGoals: business.Clear[[]string](),
		ICP: business.To(business.ICPPatch{
			MinFollowers: business.Clear[int64](), MaxFollowers: business.Clear[int64](), MinEngagementRate: business.Clear[float64](),
			ContentThemes: business.Clear[[]string](), Niches: business.Clear[[]string](), Geography: business.Clear[[]string](),
			CompanySizes: business.Clear[[]business.CompanySize](),
		}),
	}.Apply(cur)
	if cleared.BusinessName != "Acme" || cleared.OneLiner != "" || cleared.Summary != "" || cleared.TargetAudience != "" || cleared.Tone != "" ||
		cleared.SellingPoints != nil || cleared.OutreachGoals != nil || cleared.ICP.MinFollowers != 0 || cleared.ICP.MaxFollowers != nil ||
		cleared.ICP.MinEngagementRate != nil || cleared.ICP.ContentThemes != nil || cleared.ICP.Niches != nil || cleared.ICP.Geography != nil ||
		cleared.ICP.CompanySizes != nil {
		t.Errorf("cleared = %+v", cleared)
	}
	// Values replace; ICP members not named keep.
	got := business.Patch{
		BusinessName: business.To("New"), Tone: business.To(business.ToneCasual), OutreachGoals: business.To([]string{"x", "y"}),
		ICP: business.To(business.ICPPatch{MaxFollowers: business.To[int64](99), CompanySizes: business.To([]business.CompanySize{business.SizeEnterprise})}),
	}.Apply(cur)
	if got.BusinessName != "New" || got.OneLiner != "one" || got.Tone != business.ToneCasual || !slices.Equal(got.OutreachGoals, []string{"x", "y"}) ||
		*got.ICP.MaxFollowers != 99 || got.ICP.MinFollowers != 10 || *got.ICP.MinEngagementRate != 0.1 ||
		!slices.Equal(got.ICP.CompanySizes, []business.CompanySize{business.SizeEnterprise}) || !slices.Equal(got.ICP.Niches, []string{"n"}) {
		t.Errorf("replaced = %+v", got)
	}
	// A null ICP clears the whole of it.
	if got := (business.Patch{ICP: business.Clear[business.ICPPatch]()}).Apply(cur); got.ICP.MinFollowers != 0 || got.ICP.MaxFollowers != nil ||
		got.ICP.Niches != nil || got.BusinessName != "Acme" {
		t.Errorf("icp null = %+v", got)
	}
	if !cur.ICP.HasFollowerRange() || (business.ICP{}).HasFollowerRange() || !(business.ICP{MaxFollowers: business.Int64(0)}).HasFollowerRange() {
		t.Error("HasFollowerRange")
	}
}
