package business

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/oslira/oslira/core/ai"
)

// Purposes of the onboarding calls (labels in ai_usage and metrics).
const (
	PurposeOneLiner = "business_one_liner"
	PurposeSummary  = "business_summary"
)

// LLMWriter is the ContextWriter over the LLM gateway (core/ai): one small-tier call per text,
// with the answer schemas business_one_liner and business_summary (contracts/ai) and the
// business as ai.Facts, so the offline analyzer can answer without a model. Prompts hold only
// the business's own words, never anything that changes between calls, so a repeated
// generation of an unchanged profile is a response-cache hit and costs nothing.
type LLMWriter struct {
	llm ai.LLM
}

var _ ContextWriter = (*LLMWriter)(nil)

// NewLLMWriter returns the writer over llm.
func NewLLMWriter(llm ai.LLM) *LLMWriter { return &LLMWriter{llm: llm} }

// The system prompts follow the original's onboarding prompts.
const (
	systemOneLiner = "You write the one-line description of a business for its profile in a lead-qualification " +
		"tool. Answer with one sentence of at most 140 characters on one line, saying what the business does " +
		"and for whom. No hashtags, no emojis, no quotation marks."
	systemSummary = "You write the summary of a business for its profile in a lead-qualification tool. Answer " +
		"with exactly four sentences in the third person, in the business's tone: (1) what it does and for " +
		"whom, (2) its specialisation, (3) the problem it solves, (4) its approach. No lists, no hashtags."
)

// OneLiner implements ContextWriter.
func (w *LLMWriter) OneLiner(ctx context.Context, accountID string, c Context) (Text, error) {
	var out struct {
		OneLiner string `json:"one_liner"`
	}
	return w.write(ctx, accountID, c, PurposeOneLiner, systemOneLiner, ai.SchemaBusinessOneLiner, &out, &out.OneLiner)
}

// Summary implements ContextWriter.
func (w *LLMWriter) Summary(ctx context.Context, accountID string, c Context) (Text, error) {
	var out struct {
		Summary string `json:"summary"`
	}
	return w.write(ctx, accountID, c, PurposeSummary, systemSummary, ai.SchemaBusinessSummary, &out, &out.Summary)
}

// write makes one call and reads the answer's text field (dst is the answer, text its field).
func (w *LLMWriter) write(ctx context.Context, accountID string, c Context, purpose, system, schema string, dst any, text *string) (Text, error) {
	resp, err := w.llm.Complete(ctx, ai.Request{
		Purpose:   purpose,
		Tier:      ai.TierSmall,
		System:    system,
		User:      Describe(c),
		Schema:    ai.Schema{Name: schema},
		AccountID: accountID,
		Facts:     &ai.Facts{Business: Facts(c)},
	})
	if err != nil {
		return Text{}, err
	}
	if err := resp.Decode(dst); err != nil {
		return Text{}, ai.ErrMalformedOutput.WithCause(err)
	}
	return Text{Text: *text, Provider: resp.Provider, Model: resp.Model, CostMicros: resp.CostMicros}, nil
}

// Describe renders c as the user prompt: one labelled line per field the customer filled in,
// in a fixed order (the prompt is part of the response cache's key).
func Describe(c Context) string {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			b.WriteString(label + ": " + value + "\n")
		}
	}
	list := func(label string, items []string) { line(label, strings.Join(items, "; ")) }
	line("Business name", c.BusinessName)
	line("Current one-liner", c.OneLiner)
	line("Current summary", c.Summary)
	line("Target audience", c.TargetAudience)
	line("Tone", string(c.Tone))
	list("Selling points", c.SellingPoints)
	list("Outreach goals", c.OutreachGoals)
	i := c.ICP
	if i.HasFollowerRange() {
		max := "no maximum"
		if i.MaxFollowers != nil {
			max = strconv.FormatInt(*i.MaxFollowers, 10)
		}
		line("Ideal customers' followers", strconv.FormatInt(i.MinFollowers, 10)+" to "+max)
	}
	if i.MinEngagementRate != nil {
		line("Ideal customers' minimum engagement rate", percent(*i.MinEngagementRate))
	}
	list("Ideal customers' content themes", i.ContentThemes)
	list("Ideal customers' niches", i.Niches)
	list("Ideal customers' places", i.Geography)
	sizes := make([]string, 0, len(i.CompanySizes))
	for _, s := range i.CompanySizes {
		sizes = append(sizes, string(s))
	}
	list("Ideal customers' company sizes", sizes)
	return b.String()
}

// Facts converts c to the LLM port's business facts. The port counts engagement rates in
// PERCENT while the ICP holds a fraction: 0.035 becomes 3.5 here, the one place the two meet.
// No maximum is 0 there ("none").
func Facts(c Context) *ai.BusinessFacts {
	i := c.ICP
	f := &ai.BusinessFacts{
		Name: c.BusinessName, OneLiner: c.OneLiner, Summary: c.Summary, TargetAudience: c.TargetAudience,
		Tone: string(c.Tone),
		ICP: ai.ICPFacts{
			MinFollowers: i.MinFollowers, ContentThemes: i.ContentThemes, Niches: i.Niches, Geography: i.Geography,
			SellingPoints: c.SellingPoints, OutreachGoals: c.OutreachGoals,
		},
	}
	if i.MaxFollowers != nil {
		f.ICP.MaxFollowers = *i.MaxFollowers
	}
	if i.MinEngagementRate != nil {
		// Rounded to 4 decimals of a percent, so 0.035 is 3.5, not 3.5000000000000004.
		f.ICP.MinEngagementRate = math.Round(*i.MinEngagementRate*1e6) / 1e4
	}
	for _, s := range i.CompanySizes {
		f.ICP.CompanySizes = append(f.ICP.CompanySizes, string(s))
	}
	return f
}
