// Command testsum reads `go test -json` on stdin, prints the ordinary test output, and closes with
// a summary: tests passed, failed and skipped, split into database tests (packages whose tests
// import adapters/postgres/pgtest, named by -db) and the rest, plus every skip with its reason —
// so a run that silently skipped the PostgreSQL tests is visible at a glance. It exits non-zero
// when any test or package failed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type counts struct{ pass, fail, skip int }

func main() {
	db := flag.String("db", "", "space-separated import paths of packages whose tests use the database")
	flag.Parse()
	os.Exit(run(os.Stdin, os.Stdout, strings.Fields(*db)))
}

func run(in io.Reader, out io.Writer, dbPkgs []string) int {
	isDB := map[string]bool{}
	for _, p := range dbPkgs {
		isDB[p] = true
	}
	var unit, dbase counts
	var failedPkgs []string
	skips := skipList{}
	last := map[string]string{}          // last output line per test, for the skip reason
	buf := map[string]*strings.Builder{} // output per test, printed only when the test fails
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			_, _ = fmt.Fprintln(out, sc.Text()) // build errors and the like arrive as plain text
			continue
		}
		key := e.Package + "." + e.Test
		switch e.Action {
		case "output":
			if e.Test == "" {
				_, _ = fmt.Fprint(out, packageLine(e.Output))
				continue
			}
			if buf[key] == nil {
				buf[key] = &strings.Builder{}
			}
			buf[key].WriteString(e.Output)
			if t := strings.TrimSpace(e.Output); t != "" && !strings.HasPrefix(t, "---") && !strings.HasPrefix(t, "===") {
				last[key] = t
			}
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" {
					failedPkgs = append(failedPkgs, e.Package)
				}
				continue
			}
			c := &unit
			if isDB[e.Package] {
				c = &dbase
			}
			switch e.Action {
			case "pass":
				c.pass++
			case "fail":
				c.fail++
				if b := buf[key]; b != nil {
					_, _ = fmt.Fprint(out, b.String())
				}
			case "skip":
				c.skip++
				skips.add(e.Package, e.Test, last[key])
			}
			delete(buf, key)
		}
	}
	_, _ = fmt.Fprintf(out, "\ndatabase tests: %d passed, %d failed, %d skipped\n", dbase.pass, dbase.fail, dbase.skip)
	_, _ = fmt.Fprintf(out, "other tests:    %d passed, %d failed, %d skipped\n", unit.pass, unit.fail, unit.skip)
	if lines := skips.lines(); len(lines) > 0 {
		_, _ = fmt.Fprintln(out, "skipped:")
		for _, s := range lines {
			_, _ = fmt.Fprintln(out, s)
		}
	}
	for _, p := range failedPkgs {
		_, _ = fmt.Fprintln(out, "FAIL", p)
	}
	total := counts{unit.pass + dbase.pass, unit.fail + dbase.fail, unit.skip + dbase.skip}
	_, _ = fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", total.pass, total.fail, total.skip)
	if total.fail > 0 || len(failedPkgs) > 0 || total.pass == 0 {
		return 1
	}
	return 0
}

// skipList groups skipped tests by package and reason, so a run without its database prints one
// line per package ("p: 42 tests skipped: pgtest: PostgreSQL is not reachable ...") instead of
// one identical paragraph per test. The reason is the skip message without its file:line
// prefix, which differs from test to test.
type skipList map[string]map[string][]string // package → reason → tests

func (s skipList) add(pkg, test, reason string) {
	reason = stripLocation(reason)
	if s[pkg] == nil {
		s[pkg] = map[string][]string{}
	}
	s[pkg][reason] = append(s[pkg][reason], test)
}

// lines renders the list sorted by package, then reason: a single test keeps its name.
func (s skipList) lines() []string {
	var out []string
	for pkg, reasons := range s {
		for reason, tests := range reasons {
			if len(tests) == 1 {
				out = append(out, fmt.Sprintf("  %s %s: %s", pkg, tests[0], reason))
				continue
			}
			out = append(out, fmt.Sprintf("  %s: %d tests skipped: %s", pkg, len(tests), reason))
		}
	}
	sort.Strings(out)
	return out
}

// stripLocation removes the "file_test.go:123: " prefix testing puts before a message.
func stripLocation(msg string) string {
	loc, rest, ok := strings.Cut(msg, ": ")
	if !ok {
		return msg
	}
	file, line, ok := strings.Cut(loc, ":")
	if !ok || !strings.HasSuffix(file, ".go") || strings.Trim(line, "0123456789") != "" {
		return msg
	}
	return rest
}

// packageLine is a package-level output line as printed: -coverpkg makes go test add a coverage
// figure over the whole module to every package's lines, which says nothing about the package
// (the coverage gate reports per package), so it is dropped.
func packageLine(line string) string {
	if strings.HasPrefix(line, "coverage: ") {
		return ""
	}
	if i := strings.Index(line, "\tcoverage: "); i >= 0 {
		return line[:i] + "\n"
	}
	return line
}
