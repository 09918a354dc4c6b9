package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oslira/oslira/adapters/jsonschema"
	"github.com/oslira/oslira/contracts"
	"github.com/oslira/oslira/core/ai"
)

func decode(t *testing.T, schema string) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(schema), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestInstancesConformToEveryAISchema: for each schema the application sends (contracts/ai),
// the fake's answer passes the validator the application checks answers with.
func TestInstancesConformToEveryAISchema(t *testing.T) {
	t.Parallel()
	v := jsonschema.New()
	schemas := contracts.AISchemas()
	if len(schemas) < 5 {
		t.Fatalf("%d schemas in contracts/ai", len(schemas))
	}
	for name, doc := range schemas {
		var s map[string]any
		if err := json.Unmarshal(doc, &s); err != nil {
			t.Fatal(err)
		}
		inst, err := instance(s, "gpt-5-mini")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		out, _ := json.Marshal(inst)
		if err := v.Validate(ai.Schema{Name: name, JSON: doc}, out); err != nil {
			t.Errorf("%s: %s does not conform: %v", name, out, err)
		}
	}
}

func TestInstanceKeywords(t *testing.T) {
	t.Parallel()
	v := jsonschema.New()
	for _, tc := range []struct {
		name, schema, want string
	}{
		{"enum", `{"enum": ["b", "a"]}`, `"b"`},
		{"const", `{"const": 7}`, `7`},
		{"anyOf skips null", `{"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 3}]}`, `3`},
		{"anyOf of null only", `{"anyOf": [{"type": "null"}]}`, `null`},
		{"oneOf", `{"oneOf": [{"type": "boolean"}]}`, `true`},
		{"nullable type list", `{"type": ["null", "integer"], "minimum": 2, "maximum": 8}`, `5`},
		{"null type list", `{"type": ["null"]}`, `null`},
		{"integer exclusive bounds", `{"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3}`, `1`},
		{"integer max only", `{"type": "integer", "maximum": -4}`, `-4`},
		{"integer max above zero", `{"type": "integer", "maximum": 10}`, `0`},
		{"integer unbounded", `{"type": "integer"}`, `0`},
		{"number bounds", `{"type": "number", "minimum": 0, "maximum": 1}`, `0.5`},
		{"number min only", `{"type": "number", "minimum": 2.5}`, `2.5`},
		{"number max only", `{"type": "number", "maximum": -1.5}`, `-1.5`},
		{"number exclusive min", `{"type": "number", "exclusiveMinimum": 1}`, `2`},
		{"number unbounded", `{"type": "number"}`, `0`},
		{"null", `{"type": "null"}`, `null`},
		{"array min items", `{"type": "array", "minItems": 2, "items": {"type": "string"}}`,
			`["Fake OpenAI answer (m) for answer.","Fake OpenAI answer (m) for answer 2."]`},
		{"array no items allowed", `{"type": "array", "maxItems": 0}`, `[]`},
		{"array without items schema", `{"type": "array"}`, `["Fake OpenAI answer (m) for answer."]`},
		{"lowercase words", `{"type": "string", "pattern": "^[a-z]+( [a-z]+)?$|^$"}`, `"fake answer"`},
		{"digits only: empty allowed", `{"type": "string", "pattern": "^[0-9]*$"}`, `""`},
		{"max length", `{"type": "string", "maxLength": 4}`, `"Fake"`},
		{"min length", `{"type": "string", "pattern": "^x+$", "minLength": 3}`, `"xxx"`},
		{"format", `{"type": "string", "format": "date-time"}`, `"2026-01-01T00:00:00Z"`},
		{"unknown format", `{"type": "string", "format": "color"}`, `"Fake OpenAI answer (m) for answer."`},
		{"ref to $defs", `{"$defs": {"n": {"type": "integer", "minimum": 4}}, "type": "object",
			"properties": {"a": {"$ref": "#/$defs/n"}}}`, `{"a":4}`},
		{"ref to definitions", `{"definitions": {"s": {"enum": ["z"]}}, "properties": {"b": {"$ref": "#/definitions/s"}}}`, `{"b":"z"}`},
		{"nested object", `{"type": "object", "properties": {"x": {"type": "object", "properties": {"y": {"type": "boolean"}}}, "w": {"type": "string"}}}`,
			`{"w":"Fake OpenAI answer (m) for w.","x":{"y":true}}`},
	} {
		s := decode(t, tc.schema)
		got, err := instance(s, "m")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		out, _ := json.Marshal(got)
		if string(out) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, out, tc.want)
		}
		if err := v.Validate(ai.Schema{Name: "probe", JSON: []byte(tc.schema)}, out); err != nil {
			t.Errorf("%s: %s does not conform: %v", tc.name, out, err)
		}
	}
}

func TestInstanceRefusesWhatItCannotSatisfy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, schema, want string }{
		{"unknown type", `{"type": "set"}`, `unsupported type "set"`},
		{"no type", `{}`, `unsupported type ""`},
		{"unsatisfiable pattern", `{"type": "object", "properties": {"code": {"type": "string", "pattern": "^[0-9]{3}$"}}}`, `code: no candidate text matches`},
		{"bad pattern", `{"type": "string", "pattern": "(?<x>a)\\1"}`, `pattern`},
		{"property not a schema", `{"type": "object", "properties": {"a": 1}}`, `a: the property's schema is not an object`},
		{"unresolvable ref", `{"$ref": "#/$defs/missing"}`, `unresolvable $ref #/$defs/missing`},
		{"recursive ref", `{"$defs": {"r": {"$ref": "#/$defs/r"}}, "$ref": "#/$defs/r"}`, `deeper than 32`},
		{"array item fails", `{"type": "array", "items": {"type": "string", "pattern": "^[0-9]$"}}`, `no candidate text`},
		{"nested property fails", `{"type": "object", "properties": {"o": {"type": "object", "properties": {"p": {"type": "set"}}}}}`, `p: unsupported type`},
	} {
		_, err := instance(decode(t, tc.schema), "m")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
