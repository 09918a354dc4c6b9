package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
)

// verdict is one package judged against the first rule that matches it (nil: none does).
type verdict struct {
	pkg   string
	cover pkgCover
	rule  *rule
}

func (v verdict) below() bool {
	return v.rule != nil && !v.rule.exempt() && v.cover.percent() < v.rule.min
}

// report is every package with statements, ordered by the rules file (layer order) then name.
type report struct{ verdicts []verdict }

func judge(pkgs map[string]pkgCover, rules []rule) report {
	var rep report
	for pkg, c := range pkgs {
		if c.stmts == 0 {
			continue
		}
		v := verdict{pkg: pkg, cover: c}
		for i := range rules {
			if rules[i].matches(pkg) {
				v.rule = &rules[i]
				break
			}
		}
		rep.verdicts = append(rep.verdicts, v)
	}
	order := func(v verdict) int {
		if v.rule == nil {
			return -1
		}
		return v.rule.line
	}
	sort.Slice(rep.verdicts, func(i, j int) bool {
		a, b := rep.verdicts[i], rep.verdicts[j]
		if order(a) != order(b) {
			return order(a) < order(b)
		}
		return a.pkg < b.pkg
	})
	return rep
}

func (r report) failed() bool {
	for _, v := range r.verdicts {
		if v.rule == nil || v.below() {
			return true
		}
	}
	return false
}

// table prints layer, package, measured and required coverage, one package a line.
func (r report) table(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "layer\tpackage\tcoverage\tthreshold\t")
	for _, v := range r.verdicts {
		layer, min, mark := "(none)", "?", "FAIL"
		if v.rule != nil {
			layer, min, mark = v.rule.layer, fmt.Sprintf("%.0f%%", v.rule.min), "ok"
			if v.rule.exempt() {
				min, mark = "-", ""
			} else if v.below() {
				mark = "FAIL"
			}
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t%s\t%s\n", layer, v.pkg, v.cover.percent(), min, mark)
	}
	_ = tw.Flush()
}

// offenders prints one line per failing package and a closing line.
func (r report) offenders(w io.Writer, rulesPath string) {
	n := 0
	for _, v := range r.verdicts {
		switch {
		case v.rule == nil:
			n++
			_, _ = fmt.Fprintf(w, "coverage: %s (%.1f%%) matches no rule in %s: add it with its layer\n", v.pkg, v.cover.percent(), rulesPath)
		case v.below():
			n++
			_, _ = fmt.Fprintf(w, "coverage: %s %.2f%% < %.0f%% required (%s)\n", v.pkg, v.cover.percent(), v.rule.min, v.rule.layer)
		}
	}
	if n == 0 {
		_, _ = fmt.Fprintf(w, "coverage gate: %d packages at or above their thresholds\n", len(r.verdicts))
		return
	}
	_, _ = fmt.Fprintf(w, "coverage gate: %d of %d packages fail\n", n, len(r.verdicts))
}
