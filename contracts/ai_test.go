package contracts_test

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"

	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
)

// TestAISchemasMatchCoreNames: every schema core/ai names has a file, and every file is named.
func TestAISchemasMatchCoreNames(t *testing.T) {
	t.Parallel()
	schemas := contracts.AISchemas()
	var files []string
	for name := range schemas {
		files = append(files, name)
	}
	names := ai.SchemaNames()
	sort.Strings(files)
	sort.Strings(names)
	if !slices.Equal(files, names) {
		t.Fatalf("contracts/ai has %v, core/ai names %v", files, names)
	}
	schemas["light_analysis"][0] = 'x'
	if contracts.AISchemas()["light_analysis"][0] == 'x' {
		t.Error("AISchemas must return a copy")
	}
}

// TestAISchemasAreStrictModeCompatible checks OpenAI's strict-mode rules on every object of every
// schema: type object, additionalProperties false, every property required; arrays have items.
func TestAISchemasAreStrictModeCompatible(t *testing.T) {
	t.Parallel()
	for name, doc := range contracts.AISchemas() {
		var root map[string]any
		if err := json.Unmarshal(doc, &root); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if root["type"] != "object" {
			t.Errorf("%s: the root must be an object", name)
		}
		for _, problem := range strictProblems("", root) {
			t.Errorf("%s: %s", name, problem)
		}
	}
	// The check itself must catch an open object and a property that is not required.
	bad := map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}},
		"required": []any{}, "additionalProperties": true}
	if len(strictProblems("", bad)) != 2 {
		t.Error("strictProblems misses violations")
	}
}

func strictProblems(path string, s map[string]any) []string {
	var out []string
	for _, k := range []string{"$ref", "$defs", "oneOf", "allOf", "not", "if", "minLength", "maxLength"} {
		if _, ok := s[k]; ok {
			out = append(out, path+": uses "+k+", which strict mode does not support")
		}
	}
	switch s["type"] {
	case "object":
		if s["additionalProperties"] != false {
			out = append(out, path+": additionalProperties must be false")
		}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for key, sub := range props {
			if !slices.Contains(req, any(key)) {
				out = append(out, path+"/"+key+": not required")
			}
			m, _ := sub.(map[string]any)
			out = append(out, strictProblems(path+"/"+key, m)...)
		}
	case "array":
		items, ok := s["items"].(map[string]any)
		if !ok {
			out = append(out, path+": array without items")
		} else {
			out = append(out, strictProblems(path+"[]", items)...)
		}
	case "string", "integer", "number", "boolean":
	default:
		out = append(out, path+": unsupported type")
	}
	return out
}
