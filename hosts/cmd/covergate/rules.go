package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// rule places the packages matching pattern in a layer with a minimum statement coverage.
// Patterns are module-relative import paths; a trailing "/..." matches the directory and
// everything below it. Min < 0 marks an exempt layer (generated code, test helpers): shown in
// the table, never failed.
type rule struct {
	pattern string
	layer   string
	min     float64
	line    int
}

// matches reports whether pkg (module-relative) falls under the rule's pattern.
func (r rule) matches(pkg string) bool {
	if prefix, ok := strings.CutSuffix(r.pattern, "/..."); ok {
		return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
	}
	return pkg == r.pattern
}

// exempt reports whether the rule's layer is not gated.
func (r rule) exempt() bool { return r.min < 0 }

// parseRules reads "pattern layer min" lines; '#' starts a comment; min is a percentage in
// [0, 100] or "-" for exempt. The first matching rule wins, so specific patterns go first.
func parseRules(r io.Reader) ([]rule, error) {
	var rules []rule
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want \"pattern layer min\", got %q", n, strings.TrimSpace(line))
		}
		ru := rule{pattern: f[0], layer: f[1], line: n, min: -1}
		if f[2] != "-" {
			v, err := strconv.ParseFloat(strings.TrimSuffix(f[2], "%"), 64)
			if err != nil || v < 0 || v > 100 {
				return nil, fmt.Errorf("line %d: threshold %q is not a percentage in [0, 100] or -", n, f[2])
			}
			ru.min = v
		}
		rules = append(rules, ru)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("no rules")
	}
	return rules, nil
}
