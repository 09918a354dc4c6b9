package offline_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/adapters/offline"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
	"github.com/oslira/oslira/core/lead"
)

func business() *ai.BusinessFacts {
	return &ai.BusinessFacts{
		Name: "Glow Studio", OneLiner: "Skincare coaching", TargetAudience: "beauty creators", Tone: "friendly",
		ICP: ai.ICPFacts{MinFollowers: 5000, MaxFollowers: 200000, MinEngagementRate: 2,
			Niches: []string{"skincare", "beauty"}, ContentThemes: []string{"routine"}, SellingPoints: []string{"certified coaches"}},
	}
}

func profile(followers int64, bio string, likes int64) *lead.ProfileSnapshot {
	posts := make([]lead.Post, 6)
	for i := range posts {
		posts[i] = lead.Post{Caption: "my morning routine", Hashtags: []string{"skincare"}, Likes: likes, Comments: likes / 20}
	}
	return &lead.ProfileSnapshot{Username: "glowwithana", FullName: "Ana", Biography: bio, FollowersCount: followers,
		FollowingCount: 400, PostsCount: 300, BusinessAccount: true, BusinessCategory: "Health/beauty", Verified: true, RecentPosts: posts}
}

// factSets are the situations every schema must be filled in.
func factSets() map[string]*ai.Facts {
	return map[string]*ai.Facts{
		"no facts":      nil,
		"business only": {Business: business()},
		"good fit":      {Profile: profile(48000, "Skincare and beauty tips", 2400), Business: business()},
		"poor fit":      {Profile: profile(900, "Car repairs", 2), Business: business()},
		"private":       {Profile: &lead.ProfileSnapshot{Username: "secret", Private: true, FollowersCount: 10}, Business: business()},
		"metrics":       {Profile: profile(2_000_000, "Beauty", 0), Metrics: &ai.ProfileMetrics{EngagementRate: 0.4}},
		"spammy":        {Profile: &lead.ProfileSnapshot{Username: "bot", FollowersCount: 5000, FollowingCount: 90000}},
	}
}

func complete(t *testing.T, name string, f *ai.Facts) ai.Completion {
	t.Helper()
	doc := contracts.AISchemas()[name]
	c, err := offline.New().Complete(t.Context(), ai.Call{Model: offline.Model, System: "sys", User: "user " + name,
		Schema: ai.Schema{Name: name, JSON: doc}, Facts: f})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func TestEverySchemaIsFilledValidly(t *testing.T) {
	t.Parallel()
	v := jsonschema.New()
	for set, facts := range factSets() {
		for _, name := range ai.SchemaNames() {
			c := complete(t, name, facts)
			if err := v.Validate(ai.Schema{Name: name, JSON: contracts.AISchemas()[name]}, c.JSON); err != nil {
				t.Errorf("%s / %s: %v\n%s", set, name, err, c.JSON)
			}
			if !c.Free || c.Model != offline.Model || c.Usage.Input == 0 || c.Usage.Output == 0 {
				t.Errorf("%s / %s: completion %+v", set, name, c)
			}
		}
	}
}

func TestAnswersAreDeterministicAndFollowTheFacts(t *testing.T) {
	t.Parallel()
	sets := factSets()
	a := complete(t, ai.SchemaLeadQualification, sets["good fit"])
	b := complete(t, ai.SchemaLeadQualification, sets["good fit"])
	if string(a.JSON) != string(b.JSON) {
		t.Fatal("the same call gave two answers")
	}
	score := func(set string) int {
		var out struct {
			Score int `json:"score"`
		}
		_ = json.Unmarshal(complete(t, ai.SchemaLightAnalysis, sets[set]).JSON, &out)
		return out.Score
	}
	good, poor, private := score("good fit"), score("poor fit"), score("private")
	if good < 75 || poor >= 50 || private != 10 {
		t.Fatalf("scores good=%d poor=%d private=%d; want hot, cold and 10", good, poor, private)
	}
	var lq struct {
		Tier      string   `json:"lead_tier"`
		Strengths []string `json:"strengths"`
	}
	_ = json.Unmarshal(a.JSON, &lq)
	if lq.Tier != "hot" || !strings.Contains(strings.Join(lq.Strengths, " "), "ICP") {
		t.Errorf("lead qualification = %+v", lq)
	}
	var niche struct {
		Niche, Confidence string
	}
	_ = json.Unmarshal(complete(t, ai.SchemaNicheDetection, sets["good fit"]).JSON, &niche)
	if niche.Niche != "skincare" || niche.Confidence != "high" {
		t.Errorf("niche = %+v", niche)
	}
	var ci struct {
		Budget string `json:"budget_tier"`
		Role   string `json:"decision_role"`
	}
	_ = json.Unmarshal(complete(t, ai.SchemaCommercialIntelligence, sets["metrics"]).JSON, &ci)
	if ci.Budget != "enterprise" || ci.Role != "decision_maker" {
		t.Errorf("commercial intelligence = %+v", ci)
	}
}

func TestBusinessContext(t *testing.T) {
	t.Parallel()
	long := business()
	long.Name = strings.Repeat("Very Long Business Name ", 8)
	for _, b := range []*ai.BusinessFacts{business(), long} {
		var out struct {
			OneLiner string `json:"one_liner"`
			Summary  string `json:"summary"`
		}
		if err := json.Unmarshal(complete(t, ai.SchemaBusinessContext, &ai.Facts{Business: b}).JSON, &out); err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString(out.OneLiner); n == 0 || n > 140 || strings.Contains(out.OneLiner, "\n") {
			t.Errorf("one-liner of %d characters: %q", n, out.OneLiner)
		}
		if n := strings.Count(out.Summary, ". ") + 1; n != 4 || !strings.HasSuffix(out.Summary, ".") {
			t.Errorf("summary of %d sentences: %q", n, out.Summary)
		}
		if !strings.Contains(out.Summary, "skincare, beauty") {
			t.Errorf("summary ignores the ICP: %q", out.Summary)
		}
	}
}

func TestGenericSchemas(t *testing.T) {
	t.Parallel()
	doc := `{"type":"object","additionalProperties":false,"required":["n","ok","maybe","rows","mood","ratio","missing"],"properties":{
		"n":{"type":"integer","minimum":3,"maximum":7},
		"ok":{"type":"boolean"},
		"maybe":{"type":["null","string"]},
		"ratio":{"type":"number","maximum":1},
		"mood":{"enum":["calm","busy"]},
		"missing":{},
		"rows":{"type":"array","minItems":2,"maxItems":2,"items":{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"],"additionalProperties":false}}}}`
	s := ai.Schema{Name: "generic", JSON: []byte(doc)}
	c, err := offline.New().Complete(t.Context(), ai.Call{Schema: s, User: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if err := jsonschema.New().Validate(s, c.JSON); err != nil {
		t.Fatalf("%v\n%s", err, c.JSON)
	}
	var out map[string]any
	_ = json.Unmarshal(c.JSON, &out)
	if out["maybe"] == nil || out["missing"] != nil {
		t.Errorf("answer = %s", c.JSON)
	}
}

func TestRejections(t *testing.T) {
	t.Parallel()
	a := offline.New()
	if a.Name() != offline.Name {
		t.Fatal(a.Name())
	}
	for _, doc := range []string{`{`, `{"type":"string"}`} {
		_, err := a.Complete(t.Context(), ai.Call{Schema: ai.Schema{Name: "x", JSON: []byte(doc)}})
		if !errors.Is(err, ai.ErrRejected) {
			t.Errorf("%s: %v", doc, err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := a.Complete(ctx, ai.Call{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestSummariesNeverRepeatASentence: the deep assessment's summary names the deciding factor,
// then the other strengths and gaps; the factor's sentence was said twice before.
func TestSummariesNeverRepeatASentence(t *testing.T) {
	t.Parallel()
	for set, facts := range factSets() {
		for _, name := range []string{ai.SchemaProfileAssessment, ai.SchemaLightAnalysis, ai.SchemaLeadQualification} {
			var out map[string]any
			_ = json.Unmarshal(complete(t, name, facts).JSON, &out)
			for _, field := range []string{"summary", "fit_reasoning"} {
				text, _ := out[field].(string)
				seen := map[string]bool{}
				for _, s := range strings.Split(text, ". ") {
					s = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(s, "The deciding factor: "), "."))
					if s != "" && seen[s] {
						t.Errorf("%s / %s %s says %q twice: %s", set, name, field, s, text)
					}
					seen[s] = true
				}
			}
		}
	}
}
