package offline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.uber.org/fx"

	"github.com/oslira/oslira/core/ai"
)

// Name is the provider name and Model the model name the offline analyzer reports.
const (
	Name  = "offline"
	Model = "offline"
)

// Analyzer is the offline ai.Provider. The zero value is ready to use.
type Analyzer struct{}

var _ ai.Provider = Analyzer{}

// New returns an Analyzer.
func New() Analyzer { return Analyzer{} }

// Module provides the Analyzer (the host puts it in the gateway's routes when no provider key is
// configured).
var Module = fx.Module("offline", fx.Provide(New))

// Name implements ai.Provider.
func (Analyzer) Name() string { return Name }

// Complete implements ai.Provider: it fills c.Schema from c.Facts. Usage estimates tokens at four
// characters each; the completion is Free. A schema that is not a JSON object schema is
// ErrRejected, as a real provider would refuse it.
func (Analyzer) Complete(ctx context.Context, c ai.Call) (ai.Completion, error) {
	if err := ctx.Err(); err != nil {
		return ai.Completion{}, err
	}
	var root node
	if err := json.Unmarshal(c.Schema.JSON, &root); err != nil || root.kind() != "object" {
		return ai.Completion{}, ai.ErrRejected.WithCause(fmt.Errorf("offline: schema %s is not an object schema", c.Schema.Name))
	}
	g := &generator{schema: c.Schema.Name, facts: c.Facts, fit: assess(c.Facts), seed: seed(c)}
	out, err := json.Marshal(g.value("", &root))
	if err != nil {
		return ai.Completion{}, ai.ErrRejected.WithCause(fmt.Errorf("offline: %w", err))
	}
	return ai.Completion{
		JSON:  out,
		Model: Model,
		Usage: ai.Usage{Input: int64(len(c.System)+len(c.User)+len(c.Schema.JSON)) / 4, Output: int64(len(out)) / 4},
		Free:  true,
	}, nil
}

// node is the part of a JSON Schema the generator reads.
type node struct {
	Type       json.RawMessage  `json:"type"`
	Properties map[string]*node `json:"properties"`
	Required   []string         `json:"required"`
	Items      *node            `json:"items"`
	Enum       []any            `json:"enum"`
	Minimum    *float64         `json:"minimum"`
	Maximum    *float64         `json:"maximum"`
	MinItems   *int             `json:"minItems"`
	MaxItems   *int             `json:"maxItems"`
	Pattern    string           `json:"pattern"`
}

// kind is the schema's type; for a union ("type": ["string", "null"]) the first non-null one.
func (n *node) kind() string {
	var one string
	if json.Unmarshal(n.Type, &one) == nil {
		return one
	}
	var many []string
	_ = json.Unmarshal(n.Type, &many)
	for _, t := range many {
		if t != "null" {
			return t
		}
	}
	if len(n.Enum) > 0 {
		return "enum"
	}
	return "null"
}

// generator fills one schema.
type generator struct {
	schema string
	facts  *ai.Facts
	fit    fit
	seed   uint64
}

// seed makes generic choices depend on the call's inputs only.
func seed(c ai.Call) uint64 {
	h := sha256.New()
	h.Write([]byte(c.Schema.Name + "\x00" + c.System + "\x00" + c.User))
	if c.Facts != nil {
		b, _ := json.Marshal(c.Facts)
		h.Write(b)
	}
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// pick returns a deterministic index below n for the field at path.
func (g *generator) pick(path string, n int) int {
	h := sha256.Sum256([]byte(strconv.FormatUint(g.seed, 16) + path))
	return int(binary.BigEndian.Uint64(h[:8]) % uint64(n))
}

// value generates the value at path for schema n.
func (g *generator) value(path string, n *node) any {
	name := path[strings.LastIndex(path, "/")+1:]
	if len(n.Enum) > 0 {
		return g.enum(path, name, n.Enum)
	}
	switch n.kind() {
	case "object":
		obj := make(map[string]any, len(n.Properties))
		keys := make([]string, 0, len(n.Properties))
		for k := range n.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			obj[k] = g.value(path+"/"+k, n.Properties[k])
		}
		return obj
	case "array":
		lo, hi := 1, 5
		if n.MinItems != nil {
			lo = *n.MinItems
		}
		if n.MaxItems != nil {
			hi = *n.MaxItems
		}
		hi = max(hi, lo)
		items := g.list(name)
		for i := 0; len(items) < lo; i++ {
			items = append(items, g.filler(name, i))
		}
		if len(items) > hi {
			items = items[:hi]
		}
		out := make([]any, len(items))
		for i, s := range items {
			if n.Items != nil && n.Items.kind() != "string" {
				out[i] = g.value(fmt.Sprintf("%s/%d", path, i), n.Items)
				continue
			}
			out[i] = s
		}
		return out
	case "integer", "number":
		v := g.number(path, name, n)
		if n.kind() == "integer" {
			return int64(v)
		}
		return v
	case "boolean":
		return g.pick(path, 2) == 1
	case "string":
		return fitPattern(g.text(name), n.Pattern)
	default:
		return nil
	}
}

// number is the score for fields that are scores, else a deterministic value in the bounds.
func (g *generator) number(path, name string, n *node) float64 {
	lo, hi := 0.0, 100.0
	if n.Minimum != nil {
		lo = *n.Minimum
	}
	if n.Maximum != nil {
		hi = *n.Maximum
	}
	v := lo + float64(g.pick(path, int(max(hi-lo, 0))+1))
	if strings.Contains(name, "score") || strings.Contains(name, "fit") {
		v = float64(g.fit.score)
	}
	if name == "confidence" || name == "confidence_level" {
		v = 0.5
	}
	return min(max(v, lo), hi)
}

// enum picks the meaningful value when the field is known and the value allowed, else one by
// hash.
func (g *generator) enum(path, name string, values []any) any {
	want := g.choice(name)
	for _, v := range values {
		if s, ok := v.(string); ok && s == want {
			return v
		}
	}
	return values[g.pick(path, len(values))]
}

// lengthBound finds the upper bound of a length-limiting pattern like ^[^\n]{1,140}$.
var lengthBound = regexp.MustCompile(`\{\d+,(\d+)\}\$?\)?$`)

// fitPattern makes s satisfy a length-limiting pattern: it cuts s to the bound (on a word
// boundary, with an ellipsis) and removes line breaks when the pattern forbids them.
func fitPattern(s, pattern string) string {
	if pattern == "" {
		return s
	}
	if strings.Contains(pattern, `[^\n]`) {
		s = strings.Join(strings.Fields(s), " ")
	}
	m := lengthBound.FindStringSubmatch(pattern)
	if m == nil {
		return s
	}
	limit, _ := strconv.Atoi(m[1])
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)[:max(limit-1, 0)]
	cut := string(r)
	if i := strings.LastIndex(cut, " "); i > limit/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}
