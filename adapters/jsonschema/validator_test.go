package jsonschema_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
)

func schema(t *testing.T, name string) ai.Schema {
	t.Helper()
	doc, ok := contracts.AISchemas()[name]
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	return ai.Schema{Name: name, JSON: doc}
}

func TestEveryContractSchemaCompiles(t *testing.T) {
	t.Parallel()
	v := jsonschema.New()
	for name, doc := range contracts.AISchemas() {
		// {} lacks every required property: a violation, not a compile error.
		if err := v.Validate(ai.Schema{Name: name, JSON: doc}, []byte(`{}`)); !errors.Is(err, ai.ErrSchemaViolation) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	v := jsonschema.New()
	light := schema(t, ai.SchemaLightAnalysis)
	oneLiner := schema(t, ai.SchemaBusinessOneLiner)
	lead := schema(t, ai.SchemaLeadQualification)
	three := `["a","b","c"]`
	leadDoc := func(tier, strengths string) string {
		return `{"lead_tier":"` + tier + `","strengths":` + strengths + `,"weaknesses":` + three + `,"opportunities":` + three +
			`,"recommended_actions":["x","y"],"risk_factors":["r"],"fit_reasoning":"because"}`
	}
	ok := map[string]struct {
		s   ai.Schema
		doc string
	}{
		"light":     {light, `{"score":72,"summary":"Good fit."}`},
		"one-liner": {oneLiner, `{"one_liner":"` + strings.Repeat("a", 140) + `"}`},
		"lead":      {lead, leadDoc("hot", three)},
	}
	for name, tc := range ok {
		if err := v.Validate(tc.s, []byte(tc.doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]struct {
		s    ai.Schema
		doc  string
		want string // in the error's text
	}{
		"missing":       {light, `{"score":72}`, "summary"},
		"extra":         {light, `{"score":72,"summary":"x","confidence":0.9}`, "confidence"},
		"type":          {light, `{"score":"high","summary":"x"}`, "/score"},
		"range":         {light, `{"score":101,"summary":"x"}`, "/score"},
		"too long":      {oneLiner, `{"one_liner":"` + strings.Repeat("a", 141) + `"}`, "/one_liner"},
		"two lines":     {oneLiner, `{"one_liner":"a\nb"}`, "/one_liner"},
		"enum":          {lead, leadDoc("lukewarm", three), "/lead_tier"},
		"too few items": {lead, leadDoc("hot", `["a"]`), "/strengths"},
		"not json":      {light, `{"score":`, "not JSON"},
	}
	for name, tc := range bad {
		err := v.Validate(tc.s, []byte(tc.doc))
		if !errors.Is(err, ai.ErrSchemaViolation) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a schema violation naming %q", name, err, tc.want)
		}
	}
}

func TestValidateNamesAtMostFiveViolations(t *testing.T) {
	t.Parallel()
	s := ai.Schema{Name: "many", JSON: []byte(`{"type":"object","properties":{
		"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"},"d":{"type":"integer"},
		"e":{"type":"integer"},"f":{"type":"integer"},"g":{"type":"integer"}}}`)}
	err := jsonschema.New().Validate(s, []byte(`{"a":"x","b":"x","c":"x","d":"x","e":"x","f":"x","g":"x"}`))
	if !errors.Is(err, ai.ErrSchemaViolation) {
		t.Fatal(err)
	}
	if n := strings.Count(err.Error(), "; ") + 1; n != 5 {
		t.Errorf("%d violations named, want 5: %v", n, err)
	}
}

func TestInvalidSchemas(t *testing.T) {
	t.Parallel()
	v := jsonschema.New()
	for name, doc := range map[string]string{
		"not json":  `{"type":`,
		"bad type":  `{"type":"banana"}`,
		"bad regex": `{"type":"string","pattern":"(?<=x)"}`,
	} {
		if err := v.Validate(ai.Schema{Name: name, JSON: []byte(doc)}, []byte(`{}`)); !errors.Is(err, ai.ErrInvalidRequest) {
			t.Errorf("%s: %v, want ErrInvalidRequest", name, err)
		}
	}
}

// TestConcurrentValidation exercises the compiled-schema cache from many goroutines (-race).
func TestConcurrentValidation(t *testing.T) {
	t.Parallel()
	v := jsonschema.New()
	light := schema(t, ai.SchemaLightAnalysis)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			doc := `{"score":` + string(rune('0'+i%10)) + `,"summary":"x"}`
			if err := v.Validate(light, []byte(doc)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
