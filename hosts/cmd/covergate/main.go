// Command covergate holds every package of the module to the statement coverage its layer
// requires. It reads one coverage profile (the one `make test` writes from its only `go test`
// run, with -coverpkg over the whole module, so a package covered by another package's tests
// counts) and the rules file (hosts/coverage.rules), prints a table per layer, and exits 1 with
// one line per package below its threshold and per package no rule places in a layer.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	profile := flag.String("profile", ".data/cover/cover.out", "coverage profile written by go test -coverprofile")
	rules := flag.String("rules", "hosts/coverage.rules", "thresholds per package pattern")
	module := flag.String("module", "github.com/oslira/oslira", "module path, stripped from package names")
	quiet := flag.Bool("quiet", false, "print only offenders and the closing line, not the table")
	flag.Parse()
	os.Exit(run(*profile, *rules, *module, *quiet, os.Stdout, os.Stderr))
}

func run(profilePath, rulesPath, module string, quiet bool, stdout, stderr io.Writer) int {
	rf, err := os.Open(rulesPath)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "covergate: %v\n", err)
		return 2
	}
	defer func() { _ = rf.Close() }()
	rules, err := parseRules(rf)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "covergate: %s: %v\n", rulesPath, err)
		return 2
	}
	pf, err := os.Open(profilePath)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "covergate: %v\n", err)
		return 2
	}
	defer func() { _ = pf.Close() }()
	pkgs, err := parseProfile(pf, module)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "covergate: %s: %v\n", profilePath, err)
		return 2
	}
	rep := judge(pkgs, rules)
	if !quiet {
		rep.table(stdout)
	}
	rep.offenders(stdout, rulesPath)
	if rep.failed() {
		return 1
	}
	return 0
}
