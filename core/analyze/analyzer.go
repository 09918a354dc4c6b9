package analyze

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/analysis"
)

// PurposeAnonymous labels the anonymous light analysis's call in ai_usage. The workflow's calls
// are labelled with their schema's name (light_analysis, profile_assessment, …).
const PurposeAnonymous = "anonymous_analysis"

// callSpec is one kind of model call of an analysis: its answer schema (also its purpose), the
// model tier and effort it needs, and its system prompt.
type callSpec struct {
	schema string
	tier   ai.Tier
	effort ai.Effort
	system string
}

// The calls. Light is one small-model call; deep asks the strong model for the assessment and
// the qualification (the original's gpt-5, reasoning medium for the qualification) and a small
// one for the niche; xray adds three strong-model calls.
var (
	callLight         = callSpec{schema: ai.SchemaLightAnalysis, tier: ai.TierSmall, system: systemLight}
	callAssessment    = callSpec{schema: ai.SchemaProfileAssessment, tier: ai.TierStrong, system: systemAssessment}
	callNiche         = callSpec{schema: ai.SchemaNicheDetection, tier: ai.TierSmall, system: systemNiche}
	callQualification = callSpec{schema: ai.SchemaLeadQualification, tier: ai.TierStrong, effort: ai.EffortMedium, system: systemQualification}
	callPsychographic = callSpec{schema: ai.SchemaPsychographics, tier: ai.TierStrong, system: systemPsychographics}
	callCommercial    = callSpec{schema: ai.SchemaCommercialIntelligence, tier: ai.TierStrong, system: systemCommercial}
	callOutreach      = callSpec{schema: ai.SchemaOutreachMessage, tier: ai.TierStrong, system: systemOutreach}
)

// callsFor lists the calls of an analysis type, in the order their costs are reported. They
// are independent of each other, so they all run at once.
func callsFor(t analysis.Type) []callSpec {
	switch t {
	case analysis.Deep:
		return []callSpec{callAssessment, callNiche, callQualification}
	case analysis.XRay:
		return []callSpec{callAssessment, callNiche, callQualification, callPsychographic, callCommercial, callOutreach}
	}
	return []callSpec{callLight}
}

// assessment is the answer of light_analysis and profile_assessment.
type assessment struct {
	Score   int    `json:"score"`
	Summary string `json:"summary"`
}

// niche is the answer of niche_detection.
type niche struct {
	Niche      string `json:"niche"`
	Confidence string `json:"confidence"`
	Reasoning  string `json:"reasoning"`
}

// answer is one call's validated answer and what it cost.
type answer struct {
	JSON json.RawMessage
	Cost CallCost
}

// answers keeps what the attempts of one ai step got, so that a retry asks only for the calls
// that have not succeeded yet (the calls that did are paid for already). It lives for one
// execution of the body: after a crash the step starts over, and the LLM gateway's response
// cache makes the repeated calls free.
type answers struct {
	mu  sync.Mutex
	got map[string]answer
}

// ask makes the missing calls of specs concurrently, each with base's prompts, account and
// facts; it returns every failure joined (nil when every call has an answer).
func (a *answers) ask(ctx context.Context, llm ai.LLM, specs []callSpec, base ai.Request) error {
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, s := range specs {
		if _, ok := a.get(s.schema); ok {
			continue
		}
		wg.Go(func() {
			var ans answer
			if ans, errs[i] = call(ctx, llm, s, base); errs[i] == nil {
				a.mu.Lock()
				a.got[s.schema] = ans
				a.mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (a *answers) get(schema string) (answer, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.got == nil {
		a.got = map[string]answer{}
	}
	ans, ok := a.got[schema]
	return ans, ok
}

// costs returns the answered calls' costs in the order of specs.
func (a *answers) costs(specs []callSpec) []CallCost {
	var out []CallCost
	for _, s := range specs {
		if ans, ok := a.get(s.schema); ok {
			out = append(out, ans.Cost)
		}
	}
	return out
}

// call makes one call and checks that its answer decodes (and, for an assessment, that its
// score is a score): an answer that does not is a malformed one, never kept.
func call(ctx context.Context, llm ai.LLM, s callSpec, base ai.Request) (answer, error) {
	req := base
	req.Purpose, req.Tier, req.Effort, req.System, req.Schema = s.schema, s.tier, s.effort, s.system, ai.Schema{Name: s.schema}
	resp, err := llm.Complete(ctx, req)
	if err != nil {
		return answer{}, err
	}
	if err := checkAnswer(s.schema, resp); err != nil {
		return answer{}, err
	}
	return answer{JSON: resp.JSON, Cost: CallCost{
		Purpose: s.schema, Provider: resp.Provider, Model: resp.Model, CostMicros: resp.CostMicros,
		CacheHit: resp.CacheHit, TokensIn: resp.Usage.Input, TokensOut: resp.Usage.Output,
	}}, nil
}

// checkAnswer decodes resp as the answer of schema. The gateway validated it already, so a
// failure here is a model answer that slipped past its schema: malformed output.
func checkAnswer(schema string, resp ai.Response) error {
	var scratch analyzed
	if err := apply(schema, resp.JSON, &scratch); err != nil {
		return ai.ErrMalformedOutput.WithCause(err)
	}
	return nil
}

// apply decodes the answer of schema into out's fields; an assessment's score must be a score.
func apply(schema string, raw json.RawMessage, out *analyzed) error {
	r := &out.Result
	switch schema {
	case ai.SchemaNicheDetection:
		var v niche
		err := json.Unmarshal(raw, &v)
		r.Niche, r.NicheConfidence = v.Niche, v.Confidence
		return err
	case ai.SchemaLeadQualification:
		r.Qualification = new(Qualification)
		return json.Unmarshal(raw, r.Qualification)
	case ai.SchemaPsychographics:
		r.Psychographics = new(Psychographics)
		return json.Unmarshal(raw, r.Psychographics)
	case ai.SchemaCommercialIntelligence:
		r.Commercial = new(Commercial)
		return json.Unmarshal(raw, r.Commercial)
	case ai.SchemaOutreachMessage:
		r.Outreach = new(Outreach)
		return json.Unmarshal(raw, r.Outreach)
	}
	var v assessment
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	if _, err := analysis.NewScore(v.Score); err != nil {
		return err
	}
	out.Score, r.Summary = v.Score, v.Summary
	return nil
}

// analyzed is the ai step's output: the score, the result's model-written fields (Models
// included) and the calls' costs.
type analyzed struct {
	Score      int        `json:"score"`
	Result     Result     `json:"result"`
	Calls      []CallCost `json:"calls"`
	DurationMS int64      `json:"duration_ms"`
}

// assemble builds the step's output from a complete set of answers of specs (each was checked
// by checkAnswer when it was kept, so apply cannot fail here).
func (a *answers) assemble(specs []callSpec) analyzed {
	out := analyzed{Result: Result{Models: map[string]string{}}, Calls: a.costs(specs)}
	for _, s := range specs {
		ans, _ := a.get(s.schema)
		out.Result.Models[s.schema] = ans.Cost.Model
		_ = apply(s.schema, ans.JSON, &out)
	}
	return out
}
