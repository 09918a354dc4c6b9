package business_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/oslira/oslira/adapters/mock/aimock"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/business"
)

func TestLLMWriterCallsTheGateway(t *testing.T) {
	ctx := context.Background()
	ctrl := gomock.NewController(t)
	llm := aimock.NewMockLLM(ctrl)
	w := business.NewLLMWriter(llm)
	c := business.Context{BusinessName: "Acme", TargetAudience: "founders", Tone: business.ToneCasual,
		ICP: business.ICP{MinEngagementRate: business.Float64(0.035), MaxFollowers: business.Int64(9000)}}

	var got []ai.Request
	llm.EXPECT().Complete(ctx, gomock.Any()).DoAndReturn(func(_ context.Context, r ai.Request) (ai.Response, error) {
		got = append(got, r)
		return ai.Response{JSON: []byte(`{"one_liner": "Acme helps founders."}`), Provider: "openai", Model: "gpt-5-mini", CostMicros: 42}, nil
	})
	liner, err := w.OneLiner(ctx, accountID, c)
	if err != nil || liner != (business.Text{Text: "Acme helps founders.", Provider: "openai", Model: "gpt-5-mini", CostMicros: 42}) {
		t.Fatalf("OneLiner = %+v, %v", liner, err)
	}
	llm.EXPECT().Complete(ctx, gomock.Any()).DoAndReturn(func(_ context.Context, r ai.Request) (ai.Response, error) {
		got = append(got, r)
		return ai.Response{JSON: []byte(`{"summary": "A. B. C. D."}`), Provider: "offline", Model: "offline"}, nil
	})
	sum, err := w.Summary(ctx, accountID, c)
	if err != nil || sum.Text != "A. B. C. D." || sum.Model != "offline" {
		t.Fatalf("Summary = %+v, %v", sum, err)
	}
	for i, want := range []struct{ purpose, schema string }{
		{business.PurposeOneLiner, ai.SchemaBusinessOneLiner},
		{business.PurposeSummary, ai.SchemaBusinessSummary},
	} {
		r := got[i]
		if r.Purpose != want.purpose || r.Schema.Name != want.schema || r.Tier != ai.TierSmall || r.AccountID != accountID ||
			r.System == "" || r.User != business.Describe(c) || r.Facts == nil || r.Facts.Business == nil || r.Facts.Business.Name != "Acme" {
			t.Errorf("request %d = %+v", i, r)
		}
	}
	// The port's engagement rates are percents.
	if f := got[0].Facts.Business.ICP; f.MinEngagementRate != 3.5 || f.MaxFollowers != 9000 {
		t.Errorf("facts %+v", f)
	}

	// Errors pass through; an answer that does not decode is malformed output.
	llm.EXPECT().Complete(ctx, gomock.Any()).Return(ai.Response{}, ai.ErrUnavailable)
	if _, err := w.OneLiner(ctx, accountID, c); !errors.Is(err, ai.ErrUnavailable) {
		t.Errorf("provider failure: %v", err)
	}
	llm.EXPECT().Complete(ctx, gomock.Any()).Return(ai.Response{JSON: []byte(`{"summary": 4}`)}, nil)
	if _, err := w.Summary(ctx, accountID, c); !errors.Is(err, ai.ErrMalformedOutput) {
		t.Errorf("undecodable answer: %v", err)
	}
}

func TestDescribeAndFacts(t *testing.T) {
	c := business.Context{
		BusinessName: "Acme", OneLiner: "one", Summary: "sum", TargetAudience: "founders", Tone: business.ToneFriendly,
		SellingPoints: []string{"fast", "cheap"}, OutreachGoals: []string{"calls"},
		ICP: business.ICP{MinFollowers: 1000, MinEngagementRate: business.Float64(0.02), ContentThemes: []string{"lifting"},
			Niches: []string{"fitness"}, Geography: []string{"Berlin"}, CompanySizes: []business.CompanySize{business.SizeStartup, business.SizeSMB}},
	}
	want := strings.Join([]string{
		"Business name: Acme", "Current one-liner: one", "Current summary: sum", "Target audience: founders", "Tone: friendly",
		"Selling points: fast; cheap", "Outreach goals: calls", "Ideal customers' followers: 1000 to no maximum",
		"Ideal customers' minimum engagement rate: 2 %", "Ideal customers' content themes: lifting", "Ideal customers' niches: fitness",
		"Ideal customers' places: Berlin", "Ideal customers' company sizes: startup; smb",
	}, "\n") + "\n"
	if got := business.Describe(c); got != want {
		t.Errorf("Describe =\n%s\nwant\n%s", got, want)
	}
	c.ICP.MaxFollowers = business.Int64(5000)
	if got := business.Describe(c); !strings.Contains(got, "Ideal customers' followers: 1000 to 5000\n") {
		t.Errorf("Describe with a maximum:\n%s", got)
	}
	if got := business.Describe(business.Context{BusinessName: "Bare"}); got != "Business name: Bare\n" {
		t.Errorf("Describe of a bare profile = %q", got)
	}

	f := business.Facts(c)
	if f.Name != "Acme" || f.OneLiner != "one" || f.Summary != "sum" || f.TargetAudience != "founders" || f.Tone != "friendly" ||
		f.ICP.MinFollowers != 1000 || f.ICP.MaxFollowers != 5000 || f.ICP.MinEngagementRate != 2 ||
		!slices.Equal(f.ICP.CompanySizes, []string{"startup", "smb"}) || !slices.Equal(f.ICP.SellingPoints, c.SellingPoints) ||
		!slices.Equal(f.ICP.OutreachGoals, c.OutreachGoals) || !slices.Equal(f.ICP.Niches, c.ICP.Niches) || !slices.Equal(f.ICP.Geography, c.ICP.Geography) || !slices.Equal(f.ICP.ContentThemes, c.ICP.ContentThemes) {
		t.Errorf("Facts = %+v", f)
	}
	if f := business.Facts(business.Context{BusinessName: "Bare"}); f.ICP.MaxFollowers != 0 || f.ICP.MinEngagementRate != 0 {
		t.Errorf("Facts of a bare profile = %+v", f)
	}
}
