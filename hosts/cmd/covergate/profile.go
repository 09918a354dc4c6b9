package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// pkgCover is one package's statement totals.
type pkgCover struct {
	stmts, covered int
}

// percent is the covered share in percent; a package without statements counts as fully covered.
func (p pkgCover) percent() float64 {
	if p.stmts == 0 {
		return 100
	}
	return 100 * float64(p.covered) / float64(p.stmts)
}

// parseProfile reads a coverage profile and totals statements per package (module-relative).
// A block appears once per test binary when -coverpkg instruments the whole module; its
// statements are counted once, as covered when any binary executed it.
func parseProfile(r io.Reader, module string) (map[string]pkgCover, error) {
	type block struct {
		stmts int
		hit   bool
	}
	blocks := map[string]*block{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "mode:") {
			continue
		}
		// file.go:12.34,14.2 numStmts count
		f := strings.Fields(line)
		if len(f) != 3 || !strings.Contains(f[0], ":") {
			return nil, fmt.Errorf("line %d: malformed block %q", n, line)
		}
		stmts, err1 := strconv.Atoi(f[1])
		count, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || stmts < 0 || count < 0 {
			return nil, fmt.Errorf("line %d: malformed counts %q", n, line)
		}
		b := blocks[f[0]]
		if b == nil {
			b = &block{stmts: stmts}
			blocks[f[0]] = b
		}
		b.hit = b.hit || count > 0
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	pkgs := map[string]pkgCover{}
	for key, b := range blocks {
		file, _, _ := strings.Cut(key, ":")
		pkg := path.Dir(file)
		pkg = strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		c := pkgs[pkg]
		c.stmts += b.stmts
		if b.hit {
			c.covered += b.stmts
		}
		pkgs[pkg] = c
	}
	return pkgs, nil
}
