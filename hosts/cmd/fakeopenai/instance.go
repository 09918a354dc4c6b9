package main

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds how deep an instance may nest (a recursive $ref would never end).
const maxDepth = 32

// generator builds one instance of a JSON Schema: the smallest reasonable document the schema
// accepts, deterministic for a given schema and model. It understands what OpenAI's strict
// structured outputs allow (object, array, string, integer, number, boolean, null, nullable type
// lists, enum, const, anyOf, local $ref to $defs/definitions, minimum/maximum and their exclusive
// forms, minItems/maxItems, pattern, formats) plus minLength/maxLength. A string pattern that
// none of its candidate texts matches is an error (the schema is refused, as OpenAI refuses a
// schema it cannot serve).
type generator struct {
	root  map[string]any
	model string
}

// instance returns an instance of schema for model.
func instance(schema map[string]any, model string) (any, error) {
	g := generator{root: schema, model: model}
	return g.value(schema, "answer", 0, 0)
}

// value builds an instance of s, the schema of the property (or array item index) named name.
func (g generator) value(s map[string]any, name string, index, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s: schema nests deeper than %d levels", name, maxDepth)
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := g.resolve(ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return g.value(target, name, index, depth+1)
	}
	if c, ok := s["const"]; ok {
		return c, nil
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0], nil
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[key].([]any); ok && len(alts) > 0 {
			return g.value(firstNonNull(alts), name, index, depth+1)
		}
	}
	switch typ := schemaType(s); typ {
	case "object":
		return g.object(s, depth)
	case "array":
		return g.array(s, name, depth)
	case "string":
		return g.text(s, name, index)
	case "integer":
		return integer(s), nil
	case "number":
		return number(s), nil
	case "boolean":
		return true, nil
	case "null":
		return nil, nil
	default:
		return nil, fmt.Errorf("%s: unsupported type %q", name, typ)
	}
}

func (g generator) object(s map[string]any, depth int) (any, error) {
	props, _ := s["properties"].(map[string]any)
	out := make(map[string]any, len(props))
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		sub, ok := props[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: the property's schema is not an object", k)
		}
		v, err := g.value(sub, k, 0, depth+1)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// array has minItems items, and one when the schema allows any number.
func (g generator) array(s map[string]any, name string, depth int) (any, error) {
	n := intKeyword(s, "minItems", 0)
	if n == 0 && intKeyword(s, "maxItems", 1) >= 1 {
		n = 1
	}
	items, _ := s["items"].(map[string]any)
	if items == nil {
		items = map[string]any{"type": "string"}
	}
	out := make([]any, 0, n)
	for i := range n {
		v, err := g.value(items, name, i, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// formats are fixed values of the string formats strict mode supports.
var formats = map[string]string{
	"date-time": "2026-01-01T00:00:00Z",
	"date":      "2026-01-01",
	"time":      "00:00:00Z",
	"duration":  "P1D",
	"email":     "fake@example.com",
	"hostname":  "example.com",
	"ipv4":      "192.0.2.1",
	"ipv6":      "2001:db8::1",
	"uri":       "https://example.com/",
	"uuid":      "00000000-0000-4000-8000-000000000000",
}

// text is the first candidate that fits the length bounds and the pattern: a sentence naming
// the model and the property (so a reader sees which fake answered what), then plainer words.
func (g generator) text(s map[string]any, name string, index int) (string, error) {
	if f, ok := s["format"].(string); ok && formats[f] != "" {
		return formats[f], nil
	}
	item := ""
	if index > 0 {
		item = fmt.Sprintf(" %d", index+1)
	}
	candidates := []string{
		fmt.Sprintf("Fake OpenAI answer (%s) for %s%s.", g.model, name, item),
		"fake answer", "fake", "x", "",
	}
	var pattern *regexp.Regexp
	if p, ok := s["pattern"].(string); ok {
		re, err := regexp.Compile(p)
		if err != nil {
			return "", fmt.Errorf("%s: pattern %q: %w", name, p, err)
		}
		pattern = re
	}
	minLen, maxLen := intKeyword(s, "minLength", 0), intKeyword(s, "maxLength", -1)
	for _, c := range candidates {
		if maxLen >= 0 && utf8.RuneCountInString(c) > maxLen {
			c = string([]rune(c)[:maxLen])
		}
		if n := utf8.RuneCountInString(c); n < minLen {
			c += strings.Repeat("x", minLen-n)
		}
		if pattern == nil || pattern.MatchString(c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("%s: no candidate text matches pattern %q", name, pattern)
}

// integer is the midpoint of the bounds, else the one bound, else 0.
func integer(s map[string]any) int64 {
	lo, hasLo := bound(s, "minimum", "exclusiveMinimum", 1)
	hi, hasHi := bound(s, "maximum", "exclusiveMaximum", -1)
	switch {
	case hasLo && hasHi:
		return int64(math.Floor((math.Ceil(lo) + math.Floor(hi)) / 2))
	case hasLo:
		return int64(math.Ceil(lo))
	case hasHi:
		return int64(math.Min(0, math.Floor(hi)))
	}
	return 0
}

// number is the midpoint of the bounds, else the one bound, else 0.
func number(s map[string]any) float64 {
	lo, hasLo := bound(s, "minimum", "exclusiveMinimum", 1)
	hi, hasHi := bound(s, "maximum", "exclusiveMaximum", -1)
	switch {
	case hasLo && hasHi:
		return (lo + hi) / 2
	case hasLo:
		return lo
	case hasHi:
		return math.Min(0, hi)
	}
	return 0
}

// bound reads an inclusive bound, or an exclusive one moved by step (1 up for a minimum, -1
// down for a maximum) so that it is inside the range.
func bound(s map[string]any, inclusive, exclusive string, step float64) (float64, bool) {
	if v, ok := s[inclusive].(float64); ok {
		return v, true
	}
	if v, ok := s[exclusive].(float64); ok {
		return v + step, true
	}
	return 0, false
}

func intKeyword(s map[string]any, key string, def int) int {
	if v, ok := s[key].(float64); ok && v >= 0 {
		return int(v)
	}
	return def
}

// schemaType is the schema's type: the first that is not "null" of a list (a nullable field
// gets a value), "null" when that is all there is, "object" when properties say so.
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, v := range t {
			if name, ok := v.(string); ok && name != "null" {
				return name
			}
		}
		if len(t) > 0 {
			return "null"
		}
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	return ""
}

// firstNonNull is the first alternative that is not {"type": "null"}, else the first.
func firstNonNull(alts []any) map[string]any {
	var first map[string]any
	for _, a := range alts {
		m, _ := a.(map[string]any)
		if first == nil {
			first = m
		}
		if m != nil && m["type"] != "null" {
			return m
		}
	}
	if first == nil {
		first = map[string]any{}
	}
	return first
}

// resolve follows a local reference: #/$defs/<name> or #/definitions/<name>.
func (g generator) resolve(ref string) (map[string]any, error) {
	for _, prefix := range []string{"#/$defs/", "#/definitions/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok {
			defs, _ := g.root[strings.Trim(prefix[1:], "/")].(map[string]any)
			if target, ok := defs[name].(map[string]any); ok {
				return target, nil
			}
		}
	}
	return nil, errors.New("unresolvable $ref " + ref)
}
